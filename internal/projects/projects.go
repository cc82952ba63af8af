// Package projects is the registry of the repository's Pulumi projects: the
// programs compiled into the orchestrator, and the dependency graph built
// from the upstreams each project declares in shared/contracts. The same
// program packages back each project's own main.go.
package projects

import (
	"fmt"

	"github.com/clustera/infra/internal/graph"
	cfstorage "github.com/clustera/infra/projects/cloudflare-storage/program"
	cfworkers "github.com/clustera/infra/projects/cloudflare-workers/program"
	dns "github.com/clustera/infra/projects/dns/program"
	gmail "github.com/clustera/infra/projects/gcp-gmail/program"
	dataplane "github.com/clustera/infra/projects/kafka-data-plane/program"
	integrations "github.com/clustera/infra/projects/kafka-integrations/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project is one Pulumi project.
type Project struct {
	Name      string
	Upstreams []string
	// Program is the project's Pulumi program (what main.go runs).
	Program pulumi.RunFunc
	// Deploy declares the resources and returns the contract, for tests and
	// offline checks that need the resolved outputs.
	Deploy func(*pulumi.Context) (contracts.Contract, error)
}

func deployOf[T contracts.Contract](f func(*pulumi.Context) (T, error)) func(*pulumi.Context) (contracts.Contract, error) {
	return func(ctx *pulumi.Context) (contracts.Contract, error) { return f(ctx) }
}

var all = []Project{
	{Name: contracts.CloudflareStorageProject, Program: cfstorage.Program, Deploy: deployOf(cfstorage.Deploy)},
	{Name: contracts.CloudflareWorkersProject, Program: cfworkers.Program, Deploy: deployOf(cfworkers.Deploy)},
	{Name: contracts.DNSProject, Program: dns.Program, Deploy: deployOf(dns.Deploy)},
	{Name: contracts.GCPGmailProject, Program: gmail.Program, Deploy: deployOf(gmail.Deploy)},
	{Name: contracts.KafkaDataPlaneProject, Program: dataplane.Program, Deploy: deployOf(dataplane.Deploy)},
	{Name: contracts.KafkaIntegrationsProject, Program: integrations.Program, Deploy: deployOf(integrations.Deploy)},
}

func init() {
	for i := range all {
		all[i].Upstreams = contracts.Upstreams(all[i].Name)
	}
}

// All returns every project, sorted by name.
func All() []Project { return append([]Project(nil), all...) }

// Get returns the project named name.
func Get(name string) (Project, error) {
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
	}
	return Project{}, fmt.Errorf("unknown project %q: projects are %v", name, contracts.Projects)
}

// Graph returns the dependency graph of every project.
func Graph() (*graph.Graph, error) {
	deps := map[string][]string{}
	for _, p := range all {
		deps[p.Name] = p.Upstreams
	}
	return graph.New(deps)
}
