// Package mockview adapts the resources a program registered under
// shared/mocktest to rules.Resource, so the policy rules run offline on the
// same programs the engine would run them on.
package mockview

import (
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Resources converts the resources of one mocktest run of project/stack.
// The mocks do not record URNs, so each URN is rebuilt from the parent's
// URN, type and name the way the engine builds it; dependencies then refer
// to the converted resources. Props are the inputs, Outputs the outputs,
// and RetainOnDelete is known (unlike in the engine).
func Resources(stack, project string, rs []mocktest.Resource) []rules.Resource {
	out := make([]rules.Resource, 0, len(rs))
	for _, r := range rs {
		retain := r.Retain
		out = append(out, rules.Resource{
			Type:           r.Type,
			Name:           r.Name,
			URN:            URN(stack, project, r.Parent, r.Type, r.Name),
			Stack:          stack,
			Project:        project,
			Props:          r.Inputs,
			Outputs:        r.Outputs,
			Protect:        r.Protect,
			RetainOnDelete: &retain,
			Parent:         r.Parent,
			Dependencies:   r.DependsOn,
		})
	}
	return out
}

// URN builds the URN of a resource of typ named name whose parent has the
// URN parent (empty for the root stack resource).
func URN(stack, project, parent, typ, name string) string {
	var parentType tokens.Type
	if p, err := resource.ParseURN(parent); err == nil {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

// WithStackConfig sets the configuration entries (see package stackfile)
// on the root stack resource of rs, for the no-plaintext-secret-config
// policy. The mocks do not record the root stack resource, so it is added
// (named "<project>-<stack>", as the Automation API and the CLI name it)
// when rs has none.
func WithStackConfig(rs []rules.Resource, stack, project string, entries []rules.ConfigEntry) []rules.Resource {
	for i := range rs {
		if rs[i].Type == rules.StackType {
			rs[i].StackConfig = entries
			return rs
		}
	}
	name := project + "-" + stack
	return append(rs, rules.Resource{
		Type:        rules.StackType,
		Name:        name,
		URN:         URN(stack, project, "", rules.StackType, name),
		Stack:       stack,
		Project:     project,
		StackConfig: entries,
	})
}
