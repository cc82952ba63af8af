package sandbox

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
)

// Seed creates an object out of band that a stack will adopt: inputs are
// the inputs the code gives the resource, importID the ID the stack's
// configuration imports it by. The cloud's rules apply as for Put; where
// the real cloud chose the ID (a D1 database's UUID), the seed takes the
// one in importID, so the import finds the object the code expects. A
// rehearsal seeds what prod adopts, so adoption is rehearsed too.
func (c *Cloud) Seed(typ, importID string, inputs map[string]any) (Object, error) {
	k, ok := kinds[typ]
	if !ok {
		return Object{}, fmt.Errorf("sandbox does not model %s", typ)
	}
	o := &Object{Type: typ, Props: cloneProps(inputs)}
	if fails := k.validate(o.Props, nil); len(fails) > 0 {
		return Object{}, fmt.Errorf("sandbox: invalid %s %s: %s", k.label, importID, fails[0].Reason)
	}
	if slices.Contains(k.outputs, "uuid") {
		parts := strings.Split(importID, "/")
		o.Props["uuid"] = parts[len(parts)-1]
	}
	err := c.transact(true, func(st *state) error {
		if err := k.create(st, o); err != nil {
			return err
		}
		st.put(o)
		found, err := k.lookup(st, importID, nil, providerserver.Config{})
		if err != nil {
			return err
		}
		if found == nil {
			return fmt.Errorf("sandbox: a seeded %s is not found by its import ID %q", k.label, importID)
		}
		return nil
	})
	if err != nil {
		return Object{}, err
	}
	return *o.clone(), nil
}
