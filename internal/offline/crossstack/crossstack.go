package crossstack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/shared/mocktest"
)

// The names of the checks.
const (
	// DNSOwner: only the dns project creates DNS records.
	DNSOwner = "dns-records-in-dns-only"
	// ContractReads: a project reads only its declared upstreams, reads
	// every one of them, and finds every key of their contracts.
	ContractReads = "contract-reads"
	// ContractExports: a project exports exactly the keys of its contract.
	ContractExports = "contract-exports"
	// DirectStackReference: programs read upstream outputs only through
	// contracts.Read, never with a StackReference of their own.
	DirectStackReference = "stack-reference-through-contracts"
	// UniqueObjects: no two resources (in one stack or two) manage the
	// same cloud object.
	UniqueObjects = "one-owner-per-cloud-object"
	// QueueConsumers: at most one consumer per queue across all stacks;
	// the embedding queue's consumer has a dead-letter queue that exists.
	QueueConsumers = "queue-consumers-across-stacks"
)

// Checks lists the names of every check, sorted.
func Checks() []string {
	out := []string{DNSOwner, ContractReads, ContractExports, DirectStackReference, UniqueObjects, QueueConsumers}
	sort.Strings(out)
	return out
}

// Finding is one violation of a cross-stack rule.
type Finding struct {
	// Check is the name of the check.
	Check string
	// Project is the project at fault; empty when the finding concerns
	// several projects equally.
	Project string
	// Subject names what is at fault: a resource ("<type> \"<name>\" in
	// <project>"), a source position or a stack.
	Subject string
	// Problem says what is wrong; Fix how to fix it.
	Problem string
	Fix     string
}

// Message is the subject, the problem and the fix.
func (f Finding) Message() string {
	return fmt.Sprintf("%s: %s. Fix: %s.", f.Subject, f.Problem, f.Fix)
}

func (f Finding) String() string { return "[" + f.Check + "] " + f.Message() }

// Check runs every check over one run of every project, and the source scan
// of the repository at root. Findings are in Sort order.
func Check(res *mockrun.Result, root string) ([]Finding, error) {
	var fs []Finding
	fs = append(fs, DNSRecordsOnlyInDNS(res)...)
	fs = append(fs, ContractReadsOf(res)...)
	fs = append(fs, ContractExportsOf(res)...)
	fs = append(fs, UniqueCloudObjects(res)...)
	fs = append(fs, QueueConsumersOf(res)...)
	static, err := ScanSources(root)
	if err != nil {
		return nil, err
	}
	fs = append(fs, static...)
	Sort(fs)
	return fs, nil
}

// Sort orders findings by check, project, subject and problem.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Problem < b.Problem
	})
}

// label names a resource of a project in findings.
func label(project string, r mocktest.Resource) string {
	return fmt.Sprintf("%s %q in %s", r.Type, r.Name, project)
}

// projectsOf joins project names, sorted and without repeats.
func projectsOf(names []string) string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
