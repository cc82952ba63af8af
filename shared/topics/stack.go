package topics

import (
	"fmt"
	"sort"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
)

// Stack-config keys every Kafka project reads.
const (
	// KeyNames maps a logical topic name to the physical name to keep
	// (naming.Namer overrides: outside prod it must contain the env).
	KeyNames = "names"
	// KeyImport lists logical topic names that already exist in Aiven and
	// are adopted instead of created.
	KeyImport = "importTopics"
	// KeyDefaultReplication overrides the group's default replication
	// factor in one stack (topics that set their own keep it); prod uses it
	// to give every integration topic three replicas.
	KeyDefaultReplication = "defaultReplication"
)

// Stack is the result of LoadStack.
type Stack struct {
	// Topics are the declared topics with resolved names and settings.
	Topics []Topic
	// Import holds the logical names of topics to import.
	Import map[string]bool
}

// LoadStack loads the topics of sources for the running stack. It reads the
// names and importTopics keys with r, takes the limits from env, and records
// every problem in list: those of the stack config keys, the environment's
// missing Aiven settings, and each problem of the topic files (with its
// line). env must already be loaded; list decides success.
func LoadStack(r *stackconfig.Reader, list *problems.List, env *environment.Settings, defaults Defaults, sources []Source) Stack {
	env.Require(list, environment.NeedAiven)
	if n := r.Int(KeyDefaultReplication, 0); n != 0 {
		if n < MinReplication {
			r.Problemf(KeyDefaultReplication, fmt.Sprintf("use at least %d (Aiven's minimum)", MinReplication), "%d is below %d", n, MinReplication)
		} else {
			defaults.Settings.Replication = n
		}
	}
	var names map[string]string
	r.Object(KeyNames, &names)
	var imports []string
	r.Object(KeyImport, &imports)

	namer, err := naming.New(env.Name, env.IsProd(), names)
	if err != nil {
		r.Problem(KeyNames, err.Error(), "put the environment name in every override, or remove it")
		namer, _ = naming.New(env.Name, env.IsProd(), nil)
	}
	if env.Aiven.Brokers < 1 || env.Aiven.MaxPartitions < 1 {
		// The missing settings are already recorded; the limits of the
		// topics cannot be checked without them.
		return Stack{}
	}
	ts, err := Load(sources, Options{
		Stack:    env.Name,
		Defaults: defaults,
		Limits:   Limits{MaxPartitions: env.Aiven.MaxPartitions, Brokers: env.Aiven.Brokers, File: env.File},
		Name: func(logical string) (string, error) {
			return namer.Name(naming.KafkaTopic, logical)
		},
	})
	if err != nil {
		// The problems of the topic files join the others, each at its
		// file, line and column.
		if !list.Merge(err) {
			list.Add("", "topics", err.Error(), "")
		}
		return Stack{}
	}

	logical := make([]string, 0, len(ts))
	known := map[string]bool{}
	for _, t := range ts {
		logical = append(logical, t.Logical)
		known[t.Logical] = true
	}
	if unused := namer.UnusedOverrides(logical); len(unused) > 0 {
		r.Problemf(KeyNames, "remove them or fix the topic name; keys are logical names such as "+logical[0],
			"overrides for topics that are not declared: %v", unused)
	}
	st := Stack{Topics: ts, Import: map[string]bool{}}
	for i, name := range imports {
		if !known[name] {
			sorted := append([]string(nil), logical...)
			sort.Strings(sorted)
			r.Problemf(fmt.Sprintf("%s[%d]", KeyImport, i), fmt.Sprintf("use a logical name (without the {stack}- prefix), one of %v", sorted),
				"%q is not a declared topic", name)
			continue
		}
		st.Import[name] = true
	}
	return st
}
