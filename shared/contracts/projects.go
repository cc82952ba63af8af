// Package contracts declares, for each project, the outputs it exports and
// the upstream projects it reads. Producers export through a contract type,
// consumers read through the same type, so a key can only be read if the
// producer's contract has it. The orchestrator builds its dependency graph
// from Upstreams.
//
// The registry (registry.go) is the one list of the projects: one Entry
// each, with its contract type, upstreams and CI credentials. Projects,
// Upstreams, For, Dependencies and the CI jobs' secrets are derived from it,
// and a test checks it against the folders under projects/.
package contracts

import (
	"fmt"
	"sort"
)

// The names of the projects that code refers to by name. Each is a folder
// under projects/ and the Project of its contract type; the list of the
// projects is the registry (registry.go), not these constants.
const (
	CloudflareStorageProject = "cloudflare-storage"
	CloudflareWorkersProject = "cloudflare-workers"
	DNSProject               = "dns"
	KafkaDataPlaneProject    = "kafka-data-plane"
	KafkaIntegrationsProject = "kafka-integrations"
	GCPGmailProject          = "gcp-gmail"
)

// Projects lists every project of the registry, sorted.
var Projects = names()

// byName indexes the registry.
var byName = index()

func names() []string {
	out := make([]string, 0, len(registry))
	for _, e := range registry {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func index() map[string]Entry {
	out := make(map[string]Entry, len(registry))
	for _, e := range registry {
		if _, dup := out[e.Name()]; dup {
			panic(fmt.Sprintf("contracts: project %q has two entries in shared/contracts/registry.go", e.Name()))
		}
		out[e.Name()] = e
	}
	return out
}

// Registry returns every entry of the registry, sorted by project name.
func Registry() []Entry {
	out := make([]Entry, 0, len(Projects))
	for _, p := range Projects {
		e := byName[p]
		e.Upstreams = Upstreams(p)
		e.Credentials = append([]string(nil), e.Credentials...)
		out = append(out, e)
	}
	return out
}

// Upstreams returns the declared upstream projects of project, sorted.
func Upstreams(project string) []string {
	out := append([]string(nil), byName[project].Upstreams...)
	sort.Strings(out)
	return out
}

// Credentials returns the cloud credentials the CI deploy job of project
// gets besides the state backend's, as its registry entry lists them.
func Credentials(project string) []string {
	return append([]string(nil), byName[project].Credentials...)
}

// IsProject reports whether name is a project of the repository.
func IsProject(name string) bool {
	_, ok := byName[name]
	return ok
}

// Declares reports whether consumer declares producer as an upstream.
func Declares(consumer, producer string) bool {
	for _, u := range byName[consumer].Upstreams {
		if u == producer {
			return true
		}
	}
	return false
}

// For returns the zero value of the contract of project.
func For(project string) (Contract, error) {
	e, ok := byName[project]
	if !ok {
		return nil, fmt.Errorf("unknown project %q: projects are %v (shared/contracts/registry.go)", project, Projects)
	}
	return e.Contract, nil
}

// StackName returns the fully qualified StackReference name
// <org>/<project>/<stack>.
func StackName(org, project, stack string) string {
	return org + "/" + project + "/" + stack
}

// Dependencies maps every project to its declared upstreams: the edges of
// the orchestrator's graph.
func Dependencies() map[string][]string {
	out := make(map[string][]string, len(byName))
	for p := range byName {
		out[p] = Upstreams(p)
	}
	return out
}
