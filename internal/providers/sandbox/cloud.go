package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"

	"github.com/clustera/infra/shared/atomicfile"
)

// Object is one object of the fake cloud.
type Object struct {
	// Type is the Pulumi type token of the resource that manages it
	// ("cloudflare:index/queue:Queue").
	Type string `json:"type"`
	// Key identifies the object within its type (unique).
	Key string `json:"key"`
	// ID is the Pulumi resource ID the real provider reports. It is not
	// always unique: the real Cloudflare provider reports the account ID as
	// the ID of a QueueConsumer or an R2BucketEventNotification.
	ID string `json:"id"`
	// Name is the physical name ("dev-dome-events"), for faults and listings.
	Name string `json:"name"`
	// Props are the object's live properties, as the provider reports them
	// (Pulumi property names). Secrets and Worker script contents are stored
	// as hashes.
	Props map[string]any `json:"props"`
	// URN is the URN of the resource that last created or updated the
	// object; empty for objects created out of band (Put, Seed, the fake
	// REST API).
	URN string `json:"urn,omitempty"`
	// TakenOver is set when a create landed on this object while it
	// existed: the real API's create of the type is an upsert (a PUT), so
	// it overwrote the object instead of failing. See Cloud.TakeOvers.
	TakenOver *TakeOver `json:"takenOver,omitempty"`
}

func (o *Object) clone() *Object {
	b, _ := json.Marshal(o)
	var c Object
	_ = json.Unmarshal(b, &c)
	if c.Props == nil {
		c.Props = map[string]any{}
	}
	return &c
}

// state is the content of cloud.json.
type state struct {
	Objects []*Object `json:"objects"`
	// Seq counts changes, so tests can see that nothing was written.
	Seq int `json:"seq"`
}

func (st *state) find(typ string, pred func(*Object) bool) *Object {
	for _, o := range st.Objects {
		if o.Type == typ && pred(o) {
			return o
		}
	}
	return nil
}

func (st *state) byKey(typ, key string) *Object {
	return st.find(typ, func(o *Object) bool { return o.Key == key })
}

func (st *state) all(typ string) []*Object {
	var out []*Object
	for _, o := range st.Objects {
		if o.Type == typ {
			out = append(out, o)
		}
	}
	return out
}

// put stores o, replacing the object of the same type and key.
func (st *state) put(o *Object) {
	for i, x := range st.Objects {
		if x.Type == o.Type && x.Key == o.Key {
			st.Objects[i] = o
			return
		}
	}
	st.Objects = append(st.Objects, o)
}

func (st *state) remove(o *Object) {
	out := st.Objects[:0]
	for _, x := range st.Objects {
		if !(x.Type == o.Type && x.Key == o.Key) {
			out = append(out, x)
		}
	}
	st.Objects = out
}

// Cloud is the fake cloud kept in <dir>/cloud.json. Every operation is a
// read-modify-write under an exclusive lock on <dir>/cloud.lock (flock), so
// several processes (the orchestrator, a test, another CLI's providers) can
// share one cloud.
type Cloud struct {
	dir string
}

// OpenCloud returns the cloud kept in dir. The directory is created on the
// first write.
func OpenCloud(dir string) *Cloud { return &Cloud{dir: dir} }

// Dir returns the directory of the cloud.
func (c *Cloud) Dir() string { return c.dir }

// Path returns the path of cloud.json.
func (c *Cloud) Path() string { return filepath.Join(c.dir, "cloud.json") }

var processLocks sync.Map // abs dir -> *sync.Mutex

// transact runs fn on the current state under the lock and writes the
// state back if fn changed it (returns nil and write is true).
func (c *Cloud) transact(write bool, fn func(st *state) error) error {
	abs, err := filepath.Abs(c.dir)
	if err != nil {
		return fmt.Errorf("sandbox: cloud dir: %w", err)
	}
	m, _ := processLocks.LoadOrStore(abs, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()

	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("sandbox: create cloud dir: %w", err)
	}
	lf, err := os.OpenFile(filepath.Join(abs, "cloud.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("sandbox: open cloud lock: %w", err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("sandbox: lock cloud: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) }()

	st := &state{}
	path := filepath.Join(abs, "cloud.json")
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("sandbox: read %s: %w", path, err)
	default:
		if err := json.Unmarshal(b, st); err != nil {
			return fmt.Errorf("sandbox: %s is not valid: %w", path, err)
		}
	}
	if err := fn(st); err != nil {
		return err
	}
	if !write {
		return nil
	}
	st.Seq++
	sort.Slice(st.Objects, func(i, j int) bool {
		a, b := st.Objects[i], st.Objects[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Key < b.Key
	})
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox: encode cloud: %w", err)
	}
	if err := atomicfile.Write(path, append(out, '\n'), 0o644); err != nil {
		return fmt.Errorf("sandbox: write cloud: %w", err)
	}
	return nil
}

// Objects returns every object, sorted by type and key.
func (c *Cloud) Objects() ([]Object, error) {
	var out []Object
	err := c.transact(false, func(st *state) error {
		for _, o := range st.Objects {
			out = append(out, *o.clone())
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

// Find returns the object of type typ whose ID, key or name is ref.
func (c *Cloud) Find(typ, ref string) (Object, bool, error) {
	var found *Object
	err := c.transact(false, func(st *state) error {
		found = findRef(st, typ, ref)
		return nil
	})
	if err != nil || found == nil {
		return Object{}, false, err
	}
	return *found.clone(), true, nil
}

func findRef(st *state, typ, ref string) *Object {
	if o := st.byKey(typ, ref); o != nil {
		return o
	}
	if o := st.find(typ, func(o *Object) bool { return o.ID == ref }); o != nil {
		return o
	}
	return st.find(typ, func(o *Object) bool { return o.Name == ref })
}

// Mutate changes an object behind Pulumi's back (drift): fn edits the
// object's properties, found by type and ID, key or name.
func (c *Cloud) Mutate(typ, ref string, fn func(props map[string]any)) error {
	return c.transact(true, func(st *state) error {
		o := findRef(st, typ, ref)
		if o == nil {
			return fmt.Errorf("sandbox: no %s %q in the cloud", typ, ref)
		}
		fn(o.Props)
		return nil
	})
}

// Remove deletes an object behind Pulumi's back.
func (c *Cloud) Remove(typ, ref string) error {
	return c.transact(true, func(st *state) error {
		o := findRef(st, typ, ref)
		if o == nil {
			return fmt.Errorf("sandbox: no %s %q in the cloud", typ, ref)
		}
		st.remove(o)
		return nil
	})
}

// Put creates an object out of band, as someone using the console would:
// props are the inputs of the resource type (Pulumi property names), and
// the cloud's own rules apply (validation, unique names, references). It
// returns the stored object, with its computed properties and ID, which
// is what an import needs.
func (c *Cloud) Put(typ string, props map[string]any) (Object, error) {
	k, ok := kinds[typ]
	if !ok {
		return Object{}, fmt.Errorf("sandbox does not model %s", typ)
	}
	o := &Object{Type: typ, Props: cloneProps(props)}
	if fails := k.validate(o.Props, nil); len(fails) > 0 {
		return Object{}, fmt.Errorf("sandbox: invalid %s: %s", k.label, fails[0].Reason)
	}
	err := c.transact(true, func(st *state) error {
		if err := k.create(st, o); err != nil {
			return err
		}
		st.put(o)
		return nil
	})
	if err != nil {
		return Object{}, err
	}
	return *o.clone(), nil
}

func cloneProps(p map[string]any) map[string]any {
	b, _ := json.Marshal(p)
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}
