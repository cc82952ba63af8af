// Package naming builds the physical names of cloud objects. Outside
// production every name carries the environment ("staging-dome-meta"), so
// dev, testing, staging, prod and personal stacks can share one Cloudflare
// account, one Aiven service and one GCP project without colliding.
// Production may keep names that already exist through explicit overrides,
// so those objects can be imported. Every name is checked against the limits
// of the cloud that will hold it.
package naming

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Kind is a kind of named cloud object.
type Kind string

const (
	D1Database         Kind = "D1 database"
	R2Bucket           Kind = "R2 bucket"
	Queue              Kind = "queue"
	WorkerScript       Kind = "Worker script"
	VectorizeIndex     Kind = "Vectorize index"
	KafkaTopic         Kind = "Kafka topic"
	PubSubTopic        Kind = "Pub/Sub topic"
	PubSubSubscription Kind = "Pub/Sub subscription"
	Hostname           Kind = "DNS name"
)

type rule struct {
	re   *regexp.Regexp
	min  int
	max  int
	desc string
}

var rules = map[Kind]rule{
	D1Database:     {regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$`), 1, 64, "lowercase letters, digits, '-' and '_', starting and ending with a letter or digit"},
	R2Bucket:       {regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`), 3, 63, "lowercase letters, digits and '-', starting and ending with a letter or digit"},
	Queue:          {regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`), 1, 63, "lowercase letters, digits and '-', starting and ending with a letter or digit"},
	WorkerScript:   {regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$`), 1, 63, "lowercase letters, digits, '-' and '_', starting and ending with a letter or digit"},
	VectorizeIndex: {regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`), 1, 32, "lowercase letters, digits and '-', starting with a letter"},
	KafkaTopic:     {regexp.MustCompile(`^[a-zA-Z0-9._-]+$`), 1, 249, "letters, digits, '.', '_' and '-'"},
	PubSubTopic:    {regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_.~+%]*$`), 3, 255, "letters, digits and -_.~+%, starting with a letter and not with \"goog\""},
	PubSubSubscription: {regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_.~+%]*$`), 3, 255,
		"letters, digits and -_.~+%, starting with a letter and not with \"goog\""},
	Hostname: {regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`), 1, 253, "dot-separated labels of lowercase letters, digits and '-', each at most 63 characters"},
}

// Validate checks name against the limits of kind.
func Validate(kind Kind, name string) error {
	r, ok := rules[kind]
	if !ok {
		return fmt.Errorf("naming: no rule for %s", kind)
	}
	if n := len(name); n < r.min || n > r.max {
		return fmt.Errorf("%s name %q is %d characters; it must be %d to %d", kind, name, n, r.min, r.max)
	}
	if !r.re.MatchString(name) {
		return fmt.Errorf("%s name %q is invalid: use %s", kind, name, r.desc)
	}
	if (kind == PubSubTopic || kind == PubSubSubscription) && strings.HasPrefix(strings.ToLower(name), "goog") {
		return fmt.Errorf("%s name %q must not start with \"goog\"", kind, name)
	}
	if kind == KafkaTopic && (name == "." || name == "..") {
		return fmt.Errorf("%s name %q is reserved", kind, name)
	}
	return nil
}

// Prefix returns the environment prefix of names: "<env>-".
func Prefix(env string) string { return env + "-" }

// Namer names the objects of one environment.
type Namer struct {
	env       string
	prod      bool
	overrides map[string]string
}

// New returns a Namer for env. overrides maps a base name (such as
// "dome-meta") to the physical name to keep. Outside prod, an override must
// still contain the environment name, so environments never collide.
func New(env string, prod bool, overrides map[string]string) (*Namer, error) {
	n := &Namer{env: env, prod: prod, overrides: map[string]string{}}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, base := range keys {
		name := overrides[base]
		if !prod && !strings.Contains(name, env) {
			return nil, fmt.Errorf("name override %s=%q does not contain the environment %q; only prod may keep names without it", base, name, env)
		}
		n.overrides[base] = name
	}
	return n, nil
}

// Env returns the environment the Namer names for.
func (n *Namer) Env() string { return n.env }

// Name returns the physical name of base, validated for kind.
func (n *Namer) Name(kind Kind, base string) (string, error) {
	name, ok := n.overrides[base]
	if !ok {
		name = Prefix(n.env) + base
	}
	if err := Validate(kind, name); err != nil {
		return "", err
	}
	return name, nil
}

// Overridden reports whether base keeps an existing name.
func (n *Namer) Overridden(base string) bool {
	_, ok := n.overrides[base]
	return ok
}

// UnusedOverrides returns the override keys not in bases, sorted, so a typo
// in a stack file is reported instead of ignored.
func (n *Namer) UnusedOverrides(bases []string) []string {
	known := map[string]bool{}
	for _, b := range bases {
		known[b] = true
	}
	var out []string
	for k := range n.overrides {
		if !known[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
