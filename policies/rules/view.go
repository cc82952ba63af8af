// Package rules holds the logic of the repository's policies as pure
// functions over a small view of a resource. The engine-enforced policy pack
// (package pack, built as the pack binary by policies/main.go) adapts the
// engine's analyzer arguments to this view; an offline runner fills the same
// view from the resources recorded under mocks (package mockview). Both call
// the same functions, so a rule behaves the same in both places.
//
// A value the engine does not know yet (an output of a resource that does
// not exist, during preview) is never reported: the rule skips it.
package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clustera/infra/shared/environment"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// StackType is the type token of the root resource of every stack. Its
// outputs are the stack outputs.
const StackType = "pulumi:pulumi:Stack"

// Resource is the view of one resource the rules look at.
type Resource struct {
	// Type is the type token, e.g. "aiven:index/kafkaTopic:KafkaTopic".
	Type string
	// Name is the logical name (the last part of the URN).
	Name string
	// URN identifies the resource; violations are reported against it.
	URN string
	// Stack and Project name the stack the resource belongs to. The stack
	// is the environment.
	Stack   string
	Project string
	// Props are the properties to check: the inputs for resource policies,
	// the outputs for stack policies.
	Props resource.PropertyMap
	// Outputs, when set, are the outputs of the resource (offline runs,
	// which know both); Evaluate gives them to stack policies as Props.
	Outputs resource.PropertyMap
	// Protect is the protect resource option.
	Protect bool
	// RetainOnDelete is the retainOnDelete resource option, or nil when the
	// source does not say: the engine does not pass it to policy packs.
	RetainOnDelete *bool
	// Parent is the URN of the parent resource, if any.
	Parent string
	// Dependencies lists the URNs the resource depends on.
	Dependencies []string
	// PropertyDependencies maps a property name to the URNs its value came
	// from. The engine passes them to stack policies only.
	PropertyDependencies map[string][]string
	// StackConfig lists the stack's configuration keys. It is set on the
	// root stack resource (Type StackType) only.
	StackConfig []ConfigEntry
}

// ConfigEntry is one key of the stack configuration. The value itself is
// never part of the view.
type ConfigEntry struct {
	// Key is the full key, "<namespace>:<name>".
	Key string
	// Secret reports whether the value is stored encrypted.
	Secret bool
}

// IsProd reports whether the resource belongs to the production stack.
func (r Resource) IsProd() bool {
	k, err := environment.KindOf(r.Stack)
	return err == nil && k == environment.Prod
}

// Get returns the property at a path of object keys, such as
// Get("config", "retentionMs").
func (r Resource) Get(path ...string) Value { return Lookup(r.Props, path...) }

// Label names the resource in messages: its type token and logical name.
func (r Resource) Label() string { return fmt.Sprintf("%s %q", r.Type, r.Name) }

// Violation is one breach of a policy by one resource (or by the stack).
type Violation struct {
	// Policy is the name of the policy.
	Policy string
	// URN of the offending resource; empty for the stack as a whole.
	URN string
	// Resource names the offending resource ("<type> \"<name>\"").
	Resource string
	// Problem says what is wrong.
	Problem string
	// Fix says how to fix it.
	Fix string
}

// Message is the text reported to the engine: the resource, the problem and
// the fix.
func (v Violation) Message() string {
	return fmt.Sprintf("%s: %s. Fix: %s.", v.Resource, v.Problem, v.Fix)
}

// String includes the policy name.
func (v Violation) String() string { return "[" + v.Policy + "] " + v.Message() }

// violation builds a Violation of policy by r.
func violation(policy string, r Resource, fix, format string, args ...any) Violation {
	return Violation{Policy: policy, URN: r.URN, Resource: r.Label(), Problem: sprintf(format, args...), Fix: fix}
}

// sprintf is fmt.Sprintf with float64 arguments written in full
// (26214400, not 2.62144e+07).
func sprintf(format string, args ...any) string {
	for i, a := range args {
		if f, ok := a.(float64); ok {
			args[i] = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return fmt.Sprintf(format, args...)
}

// Value is a property value with its secret and known state made explicit.
// Secrets and known outputs are unwrapped into V.
type Value struct {
	// V is the plain value; null when absent or unknown.
	V resource.PropertyValue
	// Absent is true when the property is missing or null.
	Absent bool
	// Unknown is true when the value is not known yet (computed during
	// preview). Rules skip unknown values.
	Unknown bool
	// Secret is true when the value (or a wrapper on the path to it) is
	// marked secret.
	Secret bool
}

// Known reports whether the value is present and known.
func (v Value) Known() bool { return !v.Absent && !v.Unknown }

// unwrap strips secret and output wrappers from pv.
func unwrap(pv resource.PropertyValue) Value {
	out := Value{}
	for {
		switch {
		case pv.IsSecret():
			out.Secret = true
			pv = pv.SecretValue().Element
			continue
		case pv.IsOutput():
			o := pv.OutputValue()
			if o.Secret {
				out.Secret = true
			}
			if !o.Known {
				out.Unknown = true
				out.V = resource.NewNullProperty()
				return out
			}
			pv = o.Element
			continue
		case pv.IsComputed():
			out.Unknown = true
			out.V = resource.NewNullProperty()
			return out
		case pv.IsNull():
			out.Absent = true
		}
		out.V = pv
		return out
	}
}

// Lookup returns the value at a path of object keys in m.
func Lookup(m resource.PropertyMap, path ...string) Value {
	cur := Value{V: resource.NewObjectProperty(m)}
	for _, key := range path {
		if !cur.V.IsObject() {
			return Value{V: resource.NewNullProperty(), Absent: !cur.Unknown, Unknown: cur.Unknown, Secret: cur.Secret}
		}
		pv, ok := cur.V.ObjectValue()[resource.PropertyKey(key)]
		if !ok {
			return Value{V: resource.NewNullProperty(), Absent: true, Secret: cur.Secret}
		}
		next := unwrap(pv)
		next.Secret = next.Secret || cur.Secret
		cur = next
	}
	return cur
}

// Str returns the string value and whether the value is a known string.
func (v Value) Str() (string, bool) {
	if !v.Known() || !v.V.IsString() {
		return "", false
	}
	return v.V.StringValue(), true
}

// Num returns the numeric value. Numeric strings count too: the Aiven
// provider takes topic settings such as retentionMs as strings.
func (v Value) Num() (float64, bool) {
	if !v.Known() {
		return 0, false
	}
	switch {
	case v.V.IsNumber():
		return v.V.NumberValue(), true
	case v.V.IsString():
		f, err := strconv.ParseFloat(strings.TrimSpace(v.V.StringValue()), 64)
		if err != nil {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// Bool returns the boolean value and whether the value is a known bool.
func (v Value) Bool() (bool, bool) {
	if !v.Known() || !v.V.IsBool() {
		return false, false
	}
	return v.V.BoolValue(), true
}

// Elems returns the elements of a known array, unwrapped.
func (v Value) Elems() ([]Value, bool) {
	if !v.Known() || !v.V.IsArray() {
		return nil, false
	}
	var out []Value
	for _, e := range v.V.ArrayValue() {
		ev := unwrap(e)
		ev.Secret = ev.Secret || v.Secret
		out = append(out, ev)
	}
	return out, true
}

// Get returns the value at a path of object keys below v.
func (v Value) Get(path ...string) Value {
	if !v.Known() || !v.V.IsObject() {
		return Value{V: resource.NewNullProperty(), Absent: !v.Unknown, Unknown: v.Unknown, Secret: v.Secret}
	}
	out := Lookup(v.V.ObjectValue(), path...)
	out.Secret = out.Secret || v.Secret
	return out
}

// describe renders a value for a message. Secret values are never shown.
func describe(v Value) string {
	if v.Secret {
		return "[secret]"
	}
	switch {
	case v.V.IsString():
		return strconv.Quote(v.V.StringValue())
	case v.V.IsNumber():
		return strconv.FormatFloat(v.V.NumberValue(), 'f', -1, 64)
	case v.V.IsBool():
		return strconv.FormatBool(v.V.BoolValue())
	}
	return v.V.String()
}
