package rules

import (
	"maps"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// res builds a resource of project "proj" in stack.
func res(typ, name, stack string, props map[string]any) Resource {
	return Resource{
		Type:    typ,
		Name:    name,
		URN:     "urn:pulumi:" + stack + "::proj::" + typ + "::" + name,
		Stack:   stack,
		Project: "proj",
		Props:   resource.NewPropertyMapFromMap(props),
	}
}

func secret(v any) resource.PropertyValue {
	return resource.MakeSecret(resource.NewPropertyValue(v))
}

// computed is a value unknown during preview.
func computed() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

// unknownOutput is an unknown output value, as the engine sends values that
// depend on resources not created yet.
func unknownOutput() resource.PropertyValue {
	return resource.NewOutputProperty(resource.Output{Known: false})
}

// with returns a copy of base with keys set; a dotted key sets a key of a
// nested object ("config.retentionMs"); a nil value deletes the key.
func with(base map[string]any, set map[string]any) map[string]any {
	out := deepCopy(base)
	for k, v := range set {
		m := out
		parts := strings.Split(k, ".")
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		last := parts[len(parts)-1]
		if v == nil {
			delete(m, last)
		} else {
			m[last] = v
		}
	}
	return out
}

func deepCopy(m map[string]any) map[string]any {
	out := maps.Clone(m)
	for k, v := range out {
		if mm, ok := v.(map[string]any); ok {
			out[k] = deepCopy(mm)
		}
	}
	return out
}

// check runs the policy named name over rs (each resource for resource
// policies, all at once for stack policies) with the given config.
func check(t *testing.T, name string, rs []Resource, cfg map[string]any) []Violation {
	t.Helper()
	p, ok := Find(name)
	if !ok {
		t.Fatalf("no policy %q", name)
	}
	if err := p.ValidateProps(cfg); err != nil {
		t.Fatalf("bad test config: %v", err)
	}
	c := p.Config(cfg)
	if p.IsStack() {
		return p.Stack(rs, c)
	}
	var vs []Violation
	for _, r := range rs {
		vs = append(vs, p.Resource(r, c)...)
	}
	return vs
}
