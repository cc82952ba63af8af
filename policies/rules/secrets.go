package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Policy names of the secret rules.
const (
	NoPlaintextSecretInputs = "no-plaintext-secret-inputs"
	NoPlaintextSecretConfig = "no-plaintext-secret-config"
	SecretOutputs           = "secret-outputs"
)

// plainSecrets returns the paths below m whose key looks secret and whose
// value is a known, non-empty string that is not a Pulumi secret.
func plainSecrets(m resource.PropertyMap, prefix string, inSecret bool) []string {
	var out []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := unwrap(m[resource.PropertyKey(k)])
		v.Secret = v.Secret || inSecret
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		out = append(out, plainSecretsIn(v, k, path)...)
	}
	return out
}

func plainSecretsIn(v Value, key, path string) []string {
	if !v.Known() || v.Secret {
		return nil
	}
	switch {
	case v.V.IsString():
		if LooksSecret(key) && v.V.StringValue() != "" {
			return []string{path}
		}
	case v.V.IsObject():
		return plainSecrets(v.V.ObjectValue(), path, false)
	case v.V.IsArray():
		var out []string
		elems, _ := v.Elems()
		for i, e := range elems {
			out = append(out, plainSecretsIn(e, key, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

func noPlaintextSecretInputs() Policy {
	return Policy{
		Name:        NoPlaintextSecretInputs,
		Description: "Resource inputs whose names look secret (token, password, secret, key, credentials) hold Pulumi secrets, never plaintext.",
		Properties: map[string]Property{
			"ignore": {Type: "array", Description: "Property paths (\"<type>:<path>\", e.g. \"cloudflare:index/dnsRecord:DnsRecord:data.key\") that look secret but are not.", Default: []string{}},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type == StackType {
				return nil
			}
			ignore := c.Strings("ignore")
			var vs []Violation
			for _, p := range plainSecrets(r.Props, "", false) {
				if slices.Contains(ignore, r.Type+":"+p) {
					continue
				}
				vs = append(vs, violation(NoPlaintextSecretInputs, r,
					"pass the value as a Pulumi secret (config.RequireSecret, or pulumi.ToSecret) so it is encrypted in the state",
					"input %s looks like a secret but is stored in plaintext", p))
			}
			return vs
		},
	}
}

func noPlaintextSecretConfig() Policy {
	return Policy{
		Name:        NoPlaintextSecretConfig,
		Description: "Stack configuration values whose keys look secret are stored encrypted (pulumi config set --secret).",
		Properties: map[string]Property{
			"keys": {Type: "array", Description: "Configuration keys (\"<namespace>:<name>\") to check in addition to the provider credential keys and the keys of the project's Pulumi.<stack>.yaml. The engine does not list the stack configuration to policy packs, so the pack can only check keys it knows of.", Default: []string{}},
		},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != StackType {
				return nil
			}
			var vs []Violation
			for _, e := range r.StackConfig {
				if e.Secret || !LooksSecret(e.Key) {
					continue
				}
				vs = append(vs, Violation{
					Policy:   NoPlaintextSecretConfig,
					URN:      r.URN,
					Resource: fmt.Sprintf("stack %q of project %q", r.Stack, r.Project),
					Problem:  fmt.Sprintf("configuration key %q looks like a secret but its value is stored in plaintext in Pulumi.%s.yaml", e.Key, r.Stack),
					Fix:      fmt.Sprintf("run `pulumi config set --secret %s <value> --stack %s` to store it encrypted", e.Key, r.Stack),
				})
			}
			return vs
		},
	}
}

func secretOutputs() Policy {
	return Policy{
		Name:        SecretOutputs,
		Description: "Stack outputs that carry credentials (names with token, password, secret, key, credentials) are Pulumi secrets.",
		Stack: func(rs []Resource, _ Config) []Violation {
			var vs []Violation
			for _, r := range rs {
				if r.Type != StackType {
					continue
				}
				paths := plainSecrets(r.Props, "", false)
				if len(paths) == 0 {
					continue
				}
				vs = append(vs, Violation{
					Policy:   SecretOutputs,
					URN:      r.URN,
					Resource: fmt.Sprintf("stack %q of project %q", r.Stack, r.Project),
					Problem:  fmt.Sprintf("outputs %s look like credentials but are not secrets", strings.Join(paths, ", ")),
					Fix:      "export them with pulumi.ToSecret (or mark the contract field secret) so they are encrypted in the state and in StackReferences",
				})
			}
			return vs
		},
	}
}
