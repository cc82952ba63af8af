package enforcement

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/environment"
)

// The enforcement levels an environment may use.
const (
	Advisory  = "advisory"
	Mandatory = "mandatory"
	Disabled  = "disabled"
)

// Names returns the name of every policy of the pack, sorted: the valid
// keys of policy.overrides in environments/<env>.yaml.
func Names() []string { return rules.Names() }

// DefaultLevel returns the level of an environment whose file sets none:
// mandatory for staging and prod, advisory elsewhere.
func DefaultLevel(env string) (string, error) {
	kind, err := environment.KindOf(env)
	if err != nil {
		return "", err
	}
	s := environment.Settings{Name: env, Kind: kind}
	return s.PolicyLevel(), nil
}

// Levels returns the enforcement level of every policy for an environment:
// defaultLevel (or the environment's default when empty) with overrides
// applied. It fails on an unknown environment, level or policy name, and on
// a prod default below mandatory.
func Levels(env, defaultLevel string, overrides map[string]string) (map[string]string, error) {
	kind, err := environment.KindOf(env)
	if err != nil {
		return nil, err
	}
	if defaultLevel == "" {
		if defaultLevel, err = DefaultLevel(env); err != nil {
			return nil, err
		}
	}
	if err := checkLevel(defaultLevel); err != nil {
		return nil, fmt.Errorf("policy level of environment %q: %w", env, err)
	}
	if kind == environment.Prod && defaultLevel != Mandatory {
		return nil, fmt.Errorf("policy level of environment %q is %q: prod must enforce policies; remove policy.level or set it to mandatory", env, defaultLevel)
	}
	known := map[string]bool{}
	out := map[string]string{}
	for _, n := range Names() {
		known[n] = true
		out[n] = defaultLevel
	}
	var problems []string
	for _, name := range sortedKeys(overrides) {
		lvl := overrides[name]
		switch {
		case !known[name]:
			problems = append(problems, fmt.Sprintf("policy.overrides.%s: no policy has this name (known: %s)", name, strings.Join(Names(), ", ")))
		case checkLevel(lvl) != nil:
			problems = append(problems, fmt.Sprintf("policy.overrides.%s: %v", name, checkLevel(lvl)))
		default:
			out[name] = lvl
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("policy overrides of environment %q:\n  %s", env, strings.Join(problems, "\n  "))
	}
	return out, nil
}

func checkLevel(l string) error {
	switch l {
	case Advisory, Mandatory, Disabled:
		return nil
	}
	return fmt.Errorf("unknown enforcement level %q; use advisory, mandatory or disabled", l)
}

// Config returns the policy-config file content for an environment: every
// policy at defaultLevel (the environment's default when empty), with
// overrides applied.
func Config(env, defaultLevel string, overrides map[string]string) ([]byte, error) {
	return ConfigWithProperties(env, defaultLevel, overrides, nil)
}

// ConfigWithProperties is Config with configuration properties per policy
// (for example {"kafka-topic-retention": {"maxRetentionMs": 604800000}}).
// Every property must be declared by its policy, with the declared type.
func ConfigWithProperties(env, defaultLevel string, overrides map[string]string, props map[string]map[string]any) ([]byte, error) {
	levels, err := Levels(env, defaultLevel, overrides)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for name, lvl := range levels {
		out[name] = map[string]any{"enforcementLevel": lvl}
	}
	for _, name := range sortedKeys(props) {
		p, ok := rules.Find(name)
		if !ok {
			return nil, fmt.Errorf("properties for unknown policy %q (known: %s)", name, strings.Join(Names(), ", "))
		}
		if err := p.ValidateProps(props[name]); err != nil {
			return nil, err
		}
		for k, v := range props[name] {
			out[name][k] = v
		}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the policy config: %w", err)
	}
	return append(data, '\n'), nil
}

// ForSettings returns the policy-config file content for loaded
// environment settings: their PolicyLevel and Policy.Overrides.
func ForSettings(s *environment.Settings) ([]byte, error) {
	data, err := Config(s.Name, s.PolicyLevel(), s.Policy.Overrides)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return data, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
