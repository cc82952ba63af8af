package crossstack

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/shared/contracts"
)

// The messages of a read that found no key, or a key of the wrong shape
// (shared/contracts), or a map without an expected entry (the Workers
// program's lookups in the storage contract).
var (
	missingKey   = regexp.MustCompile(`stack (\S+) has no output "([^"]+)"`)
	wrongType    = regexp.MustCompile(`stack (\S+): output "([^"]+)" is an? (.+?), but its contract expects an? (\w+)`)
	missingEntry = regexp.MustCompile(`(\S+) output "([^"]+)" has no entry "([^"]+)"`)
)

// ContractReadsOf checks the StackReferences of every project that ran:
// each names a declared upstream in the same environment, every declared
// upstream of a project that ran to the end is read, and no read failed
// because the producer's exports lack a key (or a map entry) the consumer
// needs. Consumers ran with only their producers' actual exports, so a key
// a producer does not export fails the consumer's run.
func ContractReadsOf(res *mockrun.Result) []Finding {
	var fs []Finding
	for _, p := range res.Projects {
		if p.Blocked() {
			continue
		}
		declared := map[string]bool{}
		for _, u := range p.Upstreams {
			declared[u] = true
		}
		read := map[string]bool{}
		for _, ref := range p.StackRefs {
			parts := strings.Split(ref, "/")
			if len(parts) != 3 {
				fs = append(fs, Finding{Check: ContractReads, Project: p.Name, Subject: "stack reference " + ref + " in " + p.Name,
					Problem: "the name is not <org>/<project>/<stack>",
					Fix:     "read upstream outputs with contracts.Read, which names the stack"})
				continue
			}
			producer, stack := parts[1], parts[2]
			read[producer] = true
			if !declared[producer] {
				fs = append(fs, Finding{Check: ContractReads, Project: p.Name, Subject: "stack reference " + ref + " in " + p.Name,
					Problem: fmt.Sprintf("%s reads %s, which is not one of its declared upstreams (%s), so the orchestrator may run it before %s", p.Name, producer, orNone(p.Upstreams), producer),
					Fix:     fmt.Sprintf("declare %s as an upstream of %s in shared/contracts, or stop reading it", producer, p.Name)})
			}
			if stack != res.Env {
				fs = append(fs, Finding{Check: ContractReads, Project: p.Name, Subject: "stack reference " + ref + " in " + p.Name,
					Problem: fmt.Sprintf("it reads stack %s from the %s stack; stacks read only their own environment", stack, res.Env),
					Fix:     "use contracts.Read, which reads the stack of the same name"})
			}
		}
		if p.OK() {
			for _, u := range p.Upstreams {
				if !read[u] {
					fs = append(fs, Finding{Check: ContractReads, Project: p.Name, Subject: "project " + p.Name,
						Problem: fmt.Sprintf("it declares %s as an upstream but never reads its outputs, which orders deployments for nothing", u),
						Fix:     fmt.Sprintf("remove %s from the upstreams of %s in shared/contracts, or read it with contracts.Read", u, p.Name)})
				}
			}
		}
		reported := map[string]bool{}
		for _, u := range sortedKeys(p.MissingKeys) {
			for _, k := range p.MissingKeys[u] {
				stack := refTo(p.StackRefs, u)
				reported[stack+"\x00"+k] = true
				fs = append(fs, missingKeyFinding(p.Name, stack, k))
			}
		}
		for _, f := range failedReads(p) {
			if f.key == "" || !reported[f.stack+"\x00"+f.key] {
				fs = append(fs, f.Finding)
			}
		}
	}
	return fs
}

// refTo returns the stack reference of refs that names project.
func refTo(refs []string, project string) string {
	for _, r := range refs {
		if producerOf(r) == project {
			return r
		}
	}
	return project
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func missingKeyFinding(consumer, stack, key string) Finding {
	return Finding{Check: ContractReads, Project: consumer, Subject: "stack reference " + stack + " in " + consumer,
		Problem: fmt.Sprintf("%s reads output %q, which %s does not export", consumer, key, producerOf(stack)),
		Fix:     fmt.Sprintf("export %q from %s (its contract in shared/contracts lists it; contracts.Export exports every field), or remove it from the contract", key, producerOf(stack))}
}

// readFailure is a finding from a program error, with the stack and key it
// names when it is a missing key.
type readFailure struct {
	Finding
	stack, key string
}

// failedReads turns a program error caused by a read of a key the producer
// does not export into findings.
func failedReads(p *mockrun.ProjectResult) []readFailure {
	var pe *mockrun.ProgramError
	if !errors.As(p.Err, &pe) {
		return nil
	}
	msg := pe.Err.Error()
	var fs []readFailure
	for _, m := range missingKey.FindAllStringSubmatch(msg, -1) {
		fs = append(fs, readFailure{missingKeyFinding(p.Name, m[1], m[2]), m[1], m[2]})
	}
	for _, m := range wrongType.FindAllStringSubmatch(msg, -1) {
		fs = append(fs, readFailure{Finding: Finding{Check: ContractReads, Project: p.Name, Subject: "stack reference " + m[1] + " in " + p.Name,
			Problem: fmt.Sprintf("output %q of %s is a %s, but the contract %s reads expects a %s", m[2], producerOf(m[1]), m[3], p.Name, m[4]),
			Fix:     "export the output with the type its contract declares"}})
	}
	for _, m := range missingEntry.FindAllStringSubmatch(msg, -1) {
		fs = append(fs, readFailure{Finding: Finding{Check: ContractReads, Project: p.Name, Subject: fmt.Sprintf("output %q of %s read by %s", m[2], m[1], p.Name),
			Problem: fmt.Sprintf("%s needs the entry %q, which %s does not export", p.Name, m[3], m[1]),
			Fix:     fmt.Sprintf("add %q to %s's %q output, or stop reading it", m[3], m[1], m[2])}})
	}
	return fs
}

// producerOf returns the project of a stack name <org>/<project>/<stack>.
func producerOf(stack string) string {
	parts := strings.Split(stack, "/")
	if len(parts) == 3 {
		return parts[1]
	}
	return stack
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// ContractExportsOf checks that every project that ran exports exactly the
// keys of its contract in shared/contracts.
func ContractExportsOf(res *mockrun.Result) []Finding {
	var fs []Finding
	for _, p := range res.Projects {
		if !p.OK() {
			continue
		}
		c, err := contracts.For(p.Name)
		if err != nil {
			fs = append(fs, Finding{Check: ContractExports, Project: p.Name, Subject: "project " + p.Name,
				Problem: "it has no contract in shared/contracts",
				Fix:     "add the project and its contract type to shared/contracts"})
			continue
		}
		want := map[string]bool{}
		for _, k := range contracts.Keys(c) {
			want[k] = true
			if _, ok := p.Exports[k]; !ok {
				fs = append(fs, Finding{Check: ContractExports, Project: p.Name, Subject: "stack output " + k + " of " + p.Name,
					Problem: fmt.Sprintf("the %T contract has the key %q, but the program does not export it", c, k),
					Fix:     "export the contract with contracts.Export, which exports every field"})
			}
		}
		var extra []string
		for k := range p.Exports {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			fs = append(fs, Finding{Check: ContractExports, Project: p.Name, Subject: "stack output " + k + " of " + p.Name,
				Problem: fmt.Sprintf("the program exports %q, which is not a key of the %T contract, so no consumer can read it through contracts.Read", k, c),
				Fix:     "add the key to the contract in shared/contracts, or stop exporting it"})
		}
	}
	return fs
}
