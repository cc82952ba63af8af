// Package contracts declares, for each project, the outputs it exports and
// the upstream projects it reads. Producers export through a contract type,
// consumers read through the same type, so a key can only be read if the
// producer's contract has it. The orchestrator builds its dependency graph
// from Upstreams.
package contracts

import (
	"fmt"
	"sort"
)

// The projects of the repository. Each is a folder under projects/.
const (
	CloudflareStorageProject = "cloudflare-storage"
	CloudflareWorkersProject = "cloudflare-workers"
	DNSProject               = "dns"
	KafkaDataPlaneProject    = "kafka-data-plane"
	KafkaIntegrationsProject = "kafka-integrations"
	GCPGmailProject          = "gcp-gmail"
)

// Projects lists every project, sorted.
var Projects = []string{
	CloudflareStorageProject,
	CloudflareWorkersProject,
	DNSProject,
	GCPGmailProject,
	KafkaDataPlaneProject,
	KafkaIntegrationsProject,
}

// upstreams declares which projects' outputs each project reads.
var upstreams = map[string][]string{
	CloudflareStorageProject: nil,
	CloudflareWorkersProject: {CloudflareStorageProject},
	DNSProject:               nil,
	KafkaDataPlaneProject:    nil,
	KafkaIntegrationsProject: {KafkaDataPlaneProject},
	GCPGmailProject:          {KafkaIntegrationsProject},
}

// Upstreams returns the declared upstream projects of project, sorted.
func Upstreams(project string) []string {
	out := append([]string(nil), upstreams[project]...)
	sort.Strings(out)
	return out
}

// IsProject reports whether name is a project of the repository.
func IsProject(name string) bool {
	_, ok := upstreams[name]
	return ok
}

// Declares reports whether consumer declares producer as an upstream.
func Declares(consumer, producer string) bool {
	for _, u := range upstreams[consumer] {
		if u == producer {
			return true
		}
	}
	return false
}

// For returns the zero value of the contract of project.
func For(project string) (Contract, error) {
	switch project {
	case CloudflareStorageProject:
		return CloudflareStorage{}, nil
	case CloudflareWorkersProject:
		return CloudflareWorkers{}, nil
	case DNSProject:
		return DNS{}, nil
	case KafkaDataPlaneProject:
		return KafkaDataPlane{}, nil
	case KafkaIntegrationsProject:
		return KafkaIntegrations{}, nil
	case GCPGmailProject:
		return GCPGmail{}, nil
	}
	return nil, fmt.Errorf("unknown project %q: projects are %v", project, Projects)
}

// StackName returns the fully qualified StackReference name
// <org>/<project>/<stack>.
func StackName(org, project, stack string) string {
	return org + "/" + project + "/" + stack
}

// Dependencies maps every project to its declared upstreams: the edges of
// the orchestrator's graph.
func Dependencies() map[string][]string {
	out := make(map[string][]string, len(upstreams))
	for p := range upstreams {
		out[p] = Upstreams(p)
	}
	return out
}
