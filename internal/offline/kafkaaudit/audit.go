package kafkaaudit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
)

// KafkaProjects are the projects that declare Kafka topics
// (kafka-integrations reads the service from kafka-data-plane).
var KafkaProjects = []string{contracts.KafkaDataPlaneProject, contracts.KafkaIntegrationsProject}

// Managed returns the physical names of the topics the Kafka stacks of env
// declare, mapped to the declaring project. The programs themselves run
// under the Pulumi SDK's mocks with the stacks' real configuration, in
// graph order with their upstreams' outputs (internal/offline/mockrun), so the
// set is exactly what a deploy declares: the topic files
// (projects/kafka-data-plane/kafka-topics.yaml and
// projects/kafka-integrations/integrations/*/kafka-topics.yaml) through
// shared/topics, with the stack's name overrides. The repository is the
// one layout.Root finds ($INFRA_ROOT, which the CLI sets).
func Managed(env string) (map[string]string, error) {
	res, err := mockrun.Run(env, mockrun.Options{Only: KafkaProjects})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range res.Projects {
		if !p.OK() {
			return nil, fmt.Errorf("topics declared by %s in %s: %w", p.Name, env, p.Err)
		}
		for _, r := range p.Resources {
			if r.Type != aiven.KafkaTopicType {
				continue
			}
			topic := r.String("topicName")
			if topic == "" {
				return nil, fmt.Errorf("topics declared by %s in %s: topic %s has no plain topicName", p.Name, env, r.Name)
			}
			out[topic] = p.Name
		}
	}
	return out, nil
}

// Environments returns the names of environments/*.yaml under root.
func Environments(root string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(root, "environments", "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".yaml")
		if _, err := environment.KindOf(name); err == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ManagedTopic is a topic a stack declares.
type ManagedTopic struct {
	Name    string `json:"name"`
	Project string `json:"project"`
}

// Report is the result of an audit.
type Report struct {
	Env     string `json:"env"`
	Project string `json:"aivenProject"`
	Service string `json:"kafkaService"`
	// Listed is the number of topics in the service.
	Listed int `json:"listed"`
	// Present are the managed topics that exist.
	Present []ManagedTopic `json:"present"`
	// Missing are managed topics that do not exist (a finding).
	Missing []ManagedTopic `json:"missing"`
	// Unmanaged are topics no stack of this environment declares that
	// carry this environment's prefix, or no known environment's prefix
	// (a finding).
	Unmanaged []string `json:"unmanaged"`
	// OtherEnvs are the topics of other environments (their prefix), not
	// audited here.
	OtherEnvs map[string][]string `json:"otherEnvironments"`
	// Internal are Kafka's and Aiven's own topics (names starting with
	// "_"), not audited.
	Internal []string `json:"internal"`
}

// Findings is the number of missing and unmanaged topics.
func (r *Report) Findings() int { return len(r.Missing) + len(r.Unmanaged) }

// Audit classifies the listed topics of env's service against the managed
// set. envs are the known environments (environments/*.yaml).
func Audit(env string, listed []Topic, managed map[string]string, envs []string) *Report {
	r := &Report{Env: env, Listed: len(listed), Present: []ManagedTopic{}, Missing: []ManagedTopic{},
		Unmanaged: []string{}, OtherEnvs: map[string][]string{}, Internal: []string{}}
	seen := map[string]bool{}
	for _, t := range listed {
		seen[t.Name] = true
	}
	names := make([]string, 0, len(managed))
	for n := range managed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := ManagedTopic{Name: n, Project: managed[n]}
		if seen[n] {
			r.Present = append(r.Present, m)
		} else {
			r.Missing = append(r.Missing, m)
		}
	}
	// Longest prefix first, so "dev2-" is never taken for "dev-".
	others := append([]string(nil), envs...)
	sort.Slice(others, func(i, j int) bool { return len(others[i]) > len(others[j]) })
	var unlisted []string
	for _, t := range listed {
		unlisted = append(unlisted, t.Name)
	}
	sort.Strings(unlisted)
outer:
	for _, n := range unlisted {
		switch {
		case managed[n] != "":
			continue
		case strings.HasPrefix(n, "_"):
			r.Internal = append(r.Internal, n)
			continue
		case strings.HasPrefix(n, env+"-"):
			r.Unmanaged = append(r.Unmanaged, n)
			continue
		}
		for _, e := range others {
			if e != env && strings.HasPrefix(n, e+"-") {
				r.OtherEnvs[e] = append(r.OtherEnvs[e], n)
				continue outer
			}
		}
		r.Unmanaged = append(r.Unmanaged, n)
	}
	return r
}

// WriteText prints the report for people; verbose lists every topic of
// the other environments.
func (r *Report) WriteText(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "kafka-audit · env %s · Aiven service %s/%s · %d topic(s) listed, %d declared by the %s stacks\n",
		r.Env, r.Project, r.Service, r.Listed, len(r.Present)+len(r.Missing), r.Env)
	fmt.Fprintf(w, "managed and present: %d\n", len(r.Present))
	fmt.Fprintf(w, "missing (declared by a stack, not in Aiven): %d\n", len(r.Missing))
	for _, m := range r.Missing {
		fmt.Fprintf(w, "  %s (%s; deploy it: go run mage.go deploy:project env=%s project=%s)\n", m.Name, m.Project, r.Env, m.Project)
	}
	fmt.Fprintf(w, "unmanaged (in Aiven, no stack declares it): %d\n", len(r.Unmanaged))
	for _, n := range r.Unmanaged {
		note := ""
		if !strings.HasPrefix(n, r.Env+"-") {
			if i := strings.IndexByte(n, '-'); i > 0 && environment.ValidPersonalName(n[:i]) == nil {
				note = fmt.Sprintf(" (prefix %q, but there is no environments/%s.yaml: a removed environment?)", n[:i+1], n[:i])
			} else {
				note = " (no environment prefix)"
			}
		}
		fmt.Fprintf(w, "  %s%s\n", n, note)
	}
	if len(r.OtherEnvs) > 0 {
		envs := make([]string, 0, len(r.OtherEnvs))
		for e := range r.OtherEnvs {
			envs = append(envs, e)
		}
		sort.Strings(envs)
		var parts []string
		for _, e := range envs {
			parts = append(parts, fmt.Sprintf("%s %d", e, len(r.OtherEnvs[e])))
		}
		fmt.Fprintf(w, "other environments (not audited here; run kafka-audit -env <env>): %s\n", strings.Join(parts, ", "))
		if verbose {
			for _, e := range envs {
				fmt.Fprintf(w, "  %s: %s\n", e, strings.Join(r.OtherEnvs[e], ", "))
			}
		}
	}
	if len(r.Internal) > 0 {
		fmt.Fprintf(w, "internal topics (not audited): %s\n", strings.Join(r.Internal, ", "))
	}
	if n := r.Findings(); n > 0 {
		fmt.Fprintf(w, "result: %d finding(s) (exit 1)\n", n)
	} else {
		fmt.Fprintln(w, "result: clean (exit 0)")
	}
}

// WriteJSON prints the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Token returns the Aiven token from the environment.
func Token() string { return os.Getenv(TokenEnv) }

// RootMatches reports whether the programs will read the repository at
// root (layout.Root, i.e. $INFRA_ROOT or the working directory's).
func RootMatches(root string) error {
	found, err := layout.Root()
	if err != nil {
		return err
	}
	if filepath.Clean(found) != filepath.Clean(root) {
		return fmt.Errorf("kafka-audit: the programs would read %s, not %s: set %s=%s", found, root, layout.EnvRoot, root)
	}
	return nil
}
