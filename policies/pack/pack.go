// Package pack wires the rules into a CrossGuard policy pack served by
// policyx: it adapts the analyzer arguments to rules.Resource, reports each
// rules.Violation to the engine, and sets every policy's default enforcement
// level from the stack (policyx ignores the pack-level level). The pack
// binary is policies/main.go.
package pack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/blang/semver"
	"github.com/clustera/infra/policies/enforcement"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/policies/stackfile"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Name and Version identify the pack to the engine.
const (
	Name    = "clustera-infra"
	Version = "1.0.0"
)

// CredentialKeys are the provider credential configuration keys the
// no-plaintext-secret-config policy always checks.
var CredentialKeys = []string{
	"cloudflare:apiToken", "cloudflare:apiKey", "cloudflare:apiUserServiceKey",
	"aiven:apiToken",
	"gcp:credentials", "gcp:accessToken",
	"vectorize:apiToken",
}

// StackInfo is what the pack knows about the stack it runs for.
type StackInfo struct {
	Stack, Project string
	// Config reports whether a configuration key is set and whether it is
	// secret; nil when no configuration is available.
	Config func(key string) (set, secret bool)
	// FileKeys lists the keys of the project's Pulumi.<stack>.yaml when the
	// file is readable from the working directory.
	FileKeys []string
}

// New builds the pack for the stack described by ctx. It is the factory
// policyx.Main calls once the engine has told it the stack.
func New(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	info := StackInfo{
		Stack:   ctx.Stack(),
		Project: ctx.Project(),
		Config: func(key string) (bool, bool) {
			_, ok := ctx.GetConfig(key)
			return ok, ok && ctx.IsConfigSecret(key)
		},
	}
	if wd, err := os.Getwd(); err == nil {
		info.FileKeys = stackfile.Keys(filepath.Join(wd, "Pulumi."+ctx.Stack()+".yaml"), ctx.Project())
	}
	return Build(info)
}

// Build builds the pack for a stack.
func Build(info StackInfo) (policyx.PolicyPack, error) {
	level, err := enforcement.DefaultLevel(info.Stack)
	if err != nil {
		// An unknown stack name still gets a pack: advisory, so a typo
		// does not block a preview that would fail on its own anyway.
		level = enforcement.Advisory
	}
	el, err := policyLevel(level)
	if err != nil {
		return nil, err
	}
	var ps []policyx.Policy
	for _, p := range rules.All() {
		ps = append(ps, adapt(p, el, info))
	}
	return policyx.NewPolicyPack(Name, semver.MustParse(Version), el, ps)
}

func policyLevel(level string) (policyx.EnforcementLevel, error) {
	switch level {
	case enforcement.Advisory:
		return policyx.EnforcementLevelAdvisory, nil
	case enforcement.Mandatory:
		return policyx.EnforcementLevelMandatory, nil
	case enforcement.Disabled:
		return policyx.EnforcementLevelDisabled, nil
	}
	return 0, fmt.Errorf("unknown enforcement level %q", level)
}

// Schema returns the JSON schema of a policy's configuration properties.
func Schema(p rules.Policy) *policyx.ConfigSchema {
	if len(p.Properties) == 0 {
		return nil
	}
	s := &policyx.ConfigSchema{Properties: map[string]map[string]any{}}
	for name, prop := range p.Properties {
		m := map[string]any{"type": prop.Type, "description": prop.Description}
		if prop.Type == "array" {
			m["items"] = map[string]any{"type": "string"}
		}
		if prop.Default != nil {
			m["default"] = jsonDefault(prop.Default)
		}
		s.Properties[name] = m
	}
	return s
}

// jsonDefault converts a default to the JSON-like value structpb accepts.
func jsonDefault(v any) any {
	switch x := v.(type) {
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case int:
		return float64(x)
	}
	return v
}

func adapt(p rules.Policy, level policyx.EnforcementLevel, info StackInfo) policyx.Policy {
	if p.IsStack() {
		return policyx.NewStackValidationPolicy(p.Name, policyx.StackValidationPolicyArgs{
			Description:      p.Description,
			EnforcementLevel: level,
			ConfigSchema:     Schema(p),
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				rs := make([]rules.Resource, 0, len(args.Resources))
				for _, r := range args.Resources {
					rs = append(rs, FromAnalyzer(r, info))
				}
				// policyx passes no configuration to stack policies.
				report(args.Manager, p.Stack(rs, p.Config(nil)))
				return nil
			},
		})
	}
	return policyx.NewResourceValidationPolicy(p.Name, policyx.ResourceValidationPolicyArgs{
		Description:      p.Description,
		EnforcementLevel: level,
		ConfigSchema:     Schema(p),
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			r := FromAnalyzer(args.Resource, info)
			c := p.Config(args.Config)
			if r.Type == rules.StackType && p.Name == rules.NoPlaintextSecretConfig {
				r.StackConfig = StackConfig(info, c.Strings("keys"))
			}
			report(args.Manager, p.Resource(r, c))
			return nil
		},
	})
}

func report(m policyx.PolicyManager, vs []rules.Violation) {
	for _, v := range vs {
		m.ReportViolation(v.Message(), v.URN)
	}
}

// FromAnalyzer adapts a resource as the engine sends it to rules.Resource.
// The stack and project come from the URN, falling back to info.
func FromAnalyzer(r policyx.AnalyzerResource, info StackInfo) rules.Resource {
	out := rules.Resource{
		Type:                 r.Type,
		Name:                 r.Name,
		URN:                  r.URN,
		Stack:                info.Stack,
		Project:              info.Project,
		Props:                resource.ToResourcePropertyMap(r.Properties),
		Protect:              r.Options.Protect,
		Parent:               r.Parent,
		Dependencies:         r.Dependencies,
		PropertyDependencies: r.PropertyDependencies,
	}
	if u, err := resource.ParseURN(r.URN); err == nil {
		out.Stack, out.Project = string(u.Stack()), string(u.Project())
		if out.Name == "" {
			out.Name = u.Name()
		}
	}
	return out
}

// StackConfig lists the configuration keys the pack can see: the provider
// credential keys, the keys of the stack file and extra, each if set.
func StackConfig(info StackInfo, extra []string) []rules.ConfigEntry {
	if info.Config == nil {
		return nil
	}
	keys := slices.Concat(CredentialKeys, info.FileKeys, extra)
	sort.Strings(keys)
	keys = slices.Compact(keys)
	var out []rules.ConfigEntry
	for _, k := range keys {
		if set, secret := info.Config(k); set {
			out = append(out, rules.ConfigEntry{Key: k, Secret: secret})
		}
	}
	return out
}
