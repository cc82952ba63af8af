// Package tags gives every resource that supports tags or labels the same
// three: env, project and managed-by.
package tags

import (
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The common keys and the managed-by value.
const (
	KeyEnv       = "env"
	KeyProject   = "project"
	KeyManagedBy = "managed-by"
	ManagedBy    = "pulumi"
)

// Keys lists the common keys in a stable order.
var Keys = []string{KeyEnv, KeyProject, KeyManagedBy}

// Set holds the common tag values of one stack.
type Set struct {
	Env     string
	Project string
}

// For returns the Set of the running program.
func For(ctx *pulumi.Context) Set {
	return Set{Env: ctx.Stack(), Project: ctx.Project()}
}

// Map returns the tags as a map.
func (s Set) Map() map[string]string {
	return map[string]string{KeyEnv: s.Env, KeyProject: s.Project, KeyManagedBy: ManagedBy}
}

var labelInvalid = regexp.MustCompile(`[^a-z0-9_-]`)

// GCPLabels returns the tags as GCP labels: lowercase letters, digits, '_'
// and '-', at most 63 characters each.
func (s Set) GCPLabels() pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range s.Map() {
		out[k] = pulumi.String(Label(v))
	}
	return out
}

// Label turns a value into a GCP label value: lowercase letters, digits,
// '_' and '-', at most 63 characters.
func Label(v string) string {
	v = labelInvalid.ReplaceAllString(strings.ToLower(v), "_")
	if len(v) > 63 {
		v = v[:63]
	}
	return v
}

// Cloudflare returns the tags in Cloudflare's "name:value" form, sorted.
func (s Set) Cloudflare() []string {
	out := make([]string, 0, 3)
	for k, v := range s.Map() {
		out = append(out, k+":"+v)
	}
	sort.Strings(out)
	return out
}

// Missing returns the common keys absent from got, in Keys order.
func Missing(got map[string]string) []string {
	var out []string
	for _, k := range Keys {
		if got[k] == "" {
			out = append(out, k)
		}
	}
	return out
}
