package sandbox

import (
	"slices"
	"sort"
)

// Schema describes what the fake of one resource type accepts and
// returns, for tests that compare the fakes with the providers' SDKs
// (internal/providers/sandbox/sdkdrift) so that a provider upgrade shows
// where the sandbox drifted.
type Schema struct {
	Token string
	// Inputs are the input properties Check accepts; any other fails.
	Inputs map[string]Input
	// Outputs are the computed outputs the fake returns besides the inputs.
	Outputs []string
}

// Input describes one input property of a Schema.
type Input struct {
	// Required: Check fails without it.
	Required bool
	// Replace: a change replaces the resource.
	Replace bool
	// Computed: optional; when absent the cloud's value stands.
	Computed bool
	// Sticky: once the object exists a change is ignored (the provider
	// plans the state's value).
	Sticky bool
	// Nested are the properties Check requires inside the value when it is
	// set: "enabled", "logs.enabled" (inside logs, when set), "[].name"
	// (inside each element of a list).
	Nested []string
}

// ModeledTypes returns the type tokens the sandbox models, sorted.
func ModeledTypes() []string {
	out := make([]string, 0, len(kinds))
	for t := range kinds {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// SchemaOf returns the Schema of a modeled type.
func SchemaOf(token string) (Schema, bool) {
	k, ok := kinds[token]
	if !ok {
		return Schema{}, false
	}
	s := Schema{Token: token, Inputs: map[string]Input{}, Outputs: slices.Clone(k.outputs)}
	for name, f := range k.fields {
		s.Inputs[name] = Input{Required: f.required, Replace: f.replace, Computed: f.computed, Sticky: f.sticky, Nested: slices.Clone(f.nested)}
	}
	sort.Strings(s.Outputs)
	return s, true
}
