package rules

import (
	"fmt"
	"sort"
)

// Property describes one configuration property of a policy: its JSON
// schema type, a description and the default used when the policy config
// does not set it.
type Property struct {
	// Type is the JSON schema type: "integer", "number", "string",
	// "boolean" or "array" (of strings).
	Type        string
	Description string
	Default     any
}

// Policy is one rule of the pack.
type Policy struct {
	// Name is the policy name used in the policy config file.
	Name string
	// Description is one sentence shown with every violation.
	Description string
	// Types lists the resource types the policy looks at (for the docs).
	Types []string
	// Properties are the configuration properties the policy reads.
	Properties map[string]Property
	// Resource checks one resource; nil for stack policies.
	Resource func(r Resource, c Config) []Violation
	// Stack checks all resources of the stack at once; nil for resource
	// policies. The engine runs stack policies after the program finished,
	// on the resources' outputs, and passes them no configuration: they
	// always run with their defaults there.
	Stack func(rs []Resource, c Config) []Violation
}

// IsStack reports whether p is a stack policy.
func (p Policy) IsStack() bool { return p.Stack != nil }

// Config returns the configuration of p: props over the defaults.
func (p Policy) Config(props map[string]any) Config {
	c := Config{policy: p.Name, values: map[string]any{}}
	for k, prop := range p.Properties {
		c.values[k] = prop.Default
	}
	for k, v := range props {
		c.values[k] = v
	}
	return c
}

// Config holds the configuration properties of one policy, as decoded from
// JSON (numbers are float64, arrays []any) or given in Go.
type Config struct {
	policy string
	values map[string]any
}

// Float returns a numeric property.
func (c Config) Float(name string) float64 {
	switch v := c.values[name].(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	}
	panic(fmt.Sprintf("policy %s: property %q is %T, not a number", c.policy, name, c.values[name]))
}

// String returns a string property.
func (c Config) String(name string) string {
	v, ok := c.values[name].(string)
	if !ok {
		panic(fmt.Sprintf("policy %s: property %q is %T, not a string", c.policy, name, c.values[name]))
	}
	return v
}

// Bool returns a boolean property.
func (c Config) Bool(name string) bool {
	v, ok := c.values[name].(bool)
	if !ok {
		panic(fmt.Sprintf("policy %s: property %q is %T, not a boolean", c.policy, name, c.values[name]))
	}
	return v
}

// Strings returns a string array property.
func (c Config) Strings(name string) []string {
	switch v := c.values[name].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				panic(fmt.Sprintf("policy %s: property %q holds %T, not a string", c.policy, name, e))
			}
			out = append(out, s)
		}
		return out
	case nil:
		return nil
	}
	panic(fmt.Sprintf("policy %s: property %q is %T, not a string array", c.policy, name, c.values[name]))
}

// ValidateProps checks props against the declared properties of p: every
// name is known and every value has the declared type. The engine checks
// the same through the JSON schema the pack declares; offline runs call
// this instead.
func (p Policy) ValidateProps(props map[string]any) error {
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		prop, ok := p.Properties[k]
		if !ok {
			return fmt.Errorf("policy %s has no property %q (known: %v)", p.Name, k, p.PropertyNames())
		}
		if !typeMatches(prop.Type, props[k]) {
			return fmt.Errorf("policy %s: property %q must be of type %s, got %T", p.Name, k, prop.Type, props[k])
		}
	}
	return nil
}

// PropertyNames returns the names of the configuration properties, sorted.
func (p Policy) PropertyNames() []string {
	out := make([]string, 0, len(p.Properties))
	for k := range p.Properties {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func typeMatches(typ string, v any) bool {
	switch typ {
	case "integer":
		switch n := v.(type) {
		case int, int32, int64:
			return true
		case float64:
			return n == float64(int64(n))
		}
		return false
	case "number":
		switch v.(type) {
		case int, int32, int64, float32, float64:
			return true
		}
		return false
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		switch a := v.(type) {
		case []string:
			return true
		case []any:
			for _, e := range a {
				if _, ok := e.(string); !ok {
					return false
				}
			}
			return true
		}
		return false
	}
	return false
}

// All returns every policy of the pack, sorted by name.
func All() []Policy {
	ps := []Policy{
		kafkaTopicNamePrefix(),
		kafkaTopicReplication(),
		kafkaTopicPartitions(),
		kafkaTopicMinInsyncReplicas(),
		kafkaTopicRetention(),
		kafkaTopicMaxMessageSize(),
		kafkaTopicCompression(),
		dnsARecordNotProxied(),
		dnsARecordTTL(),
		dnsARecordContent(),
		workerObservability(),
		workerCompatibilityDate(),
		workerSecretBindings(),
		queueSingleConsumer(),
		queueConsumerDLQ(),
		dataProtection(),
		pubsubPushHTTPS(),
		gmailTopicIAM(),
		requiredTags(),
		noPlaintextSecretInputs(),
		noPlaintextSecretConfig(),
		secretOutputs(),
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// Names returns the names of every policy, sorted.
func Names() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.Name)
	}
	return out
}

// Find returns the policy named name.
func Find(name string) (Policy, bool) {
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return Policy{}, false
}

// Evaluate runs every policy over resources, as the engine would: each
// resource policy on every resource (on Props, the inputs), then each stack
// policy on all of them (on Outputs when set, else Props). configs gives
// the configuration properties per policy name; a missing entry means the
// defaults. Unlike the engine, offline runs pass the configuration to stack
// policies too. Violations come back in policy order, then resource order.
func Evaluate(resources []Resource, configs map[string]map[string]any) ([]Violation, error) {
	for name, props := range configs {
		p, ok := Find(name)
		if !ok {
			return nil, fmt.Errorf("configuration for unknown policy %q (known: %v)", name, Names())
		}
		if err := p.ValidateProps(props); err != nil {
			return nil, err
		}
	}
	outs := make([]Resource, len(resources))
	for i, r := range resources {
		outs[i] = r
		if r.Outputs != nil {
			outs[i].Props = r.Outputs
		}
	}
	var vs []Violation
	for _, p := range All() {
		c := p.Config(configs[p.Name])
		if p.IsStack() {
			vs = append(vs, p.Stack(outs, c)...)
			continue
		}
		for _, r := range resources {
			vs = append(vs, p.Resource(r, c)...)
		}
	}
	return vs, nil
}
