package sandbox

import "sort"

// TakeOver records a create that overwrote an existing object. Some real
// APIs create with a PUT of the name (a Worker script upload, a Worker's
// cron schedules, an R2 bucket's notification for a queue, a member of a
// Pub/Sub topic's IAM policy): a create over an existing object succeeds
// and silently takes it over, whoever made it. The sandbox does the same
// and records it here, so a rehearsal can report the objects a deploy
// would take over.
type TakeOver struct {
	// By is the URN of the resource whose create took the object over.
	By string `json:"by"`
	// From is the URN of the resource that had created or last updated the
	// object; empty when it was created out of band (by hand, Put, Seed).
	From string `json:"from,omitempty"`
	// At is when it happened (UTC, the APIs' time stamp format).
	At string `json:"at"`
}

// TakeOvers returns the objects a create took over (Object.TakenOver set),
// sorted by type and key: objects that existed before a deploy created
// them, which the real API overwrote instead of refusing. Records stay
// with the object (an update keeps them) until it is deleted or
// ClearTakeOvers runs; a rehearsal clears them first, deploys, and reports
// what TakeOvers returns.
func (c *Cloud) TakeOvers() ([]Object, error) {
	var out []Object
	err := c.transact(false, func(st *state) error {
		for _, o := range st.Objects {
			if o.TakenOver != nil {
				out = append(out, *o.clone())
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Key < out[j].Key
	})
	return out, err
}

// ClearTakeOvers forgets every take-over record (the objects stay).
func (c *Cloud) ClearTakeOvers() error {
	return c.transact(true, func(st *state) error {
		for _, o := range st.Objects {
			o.TakenOver = nil
		}
		return nil
	})
}
