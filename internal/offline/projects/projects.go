package projects

import (
	"fmt"

	"github.com/clustera/infra/internal/graph"
	cfstoragecfg "github.com/clustera/infra/projects/cloudflare-storage/config"
	cfstorage "github.com/clustera/infra/projects/cloudflare-storage/program"
	cfworkerscfg "github.com/clustera/infra/projects/cloudflare-workers/config"
	cfworkers "github.com/clustera/infra/projects/cloudflare-workers/program"
	dnscfg "github.com/clustera/infra/projects/dns/config"
	dns "github.com/clustera/infra/projects/dns/program"
	gmailcfg "github.com/clustera/infra/projects/gcp-gmail/config"
	gmail "github.com/clustera/infra/projects/gcp-gmail/program"
	dataplanecfg "github.com/clustera/infra/projects/kafka-data-plane/config"
	dataplane "github.com/clustera/infra/projects/kafka-data-plane/program"
	integrationscfg "github.com/clustera/infra/projects/kafka-integrations/config"
	integrations "github.com/clustera/infra/projects/kafka-integrations/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/stackrun"
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
	// Validate reads and validates the project's configuration (its one
	// config.Load) without declaring anything, so a run can check every
	// selected project before it deploys any.
	Validate func(*pulumi.Context) error
}

func deployOf[T contracts.Contract](f func(*pulumi.Context) (T, error)) func(*pulumi.Context) (contracts.Contract, error) {
	return func(ctx *pulumi.Context) (contracts.Contract, error) { return f(ctx) }
}

var all = []Project{
	{Name: contracts.CloudflareStorageProject, Program: cfstorage.Program, Deploy: deployOf(cfstorage.Deploy), Validate: stackrun.CheckConfig(cfstoragecfg.Load)},
	{Name: contracts.CloudflareWorkersProject, Program: cfworkers.Program, Deploy: deployOf(cfworkers.Deploy), Validate: stackrun.CheckConfig(cfworkerscfg.Load)},
	{Name: contracts.DNSProject, Program: dns.Program, Deploy: deployOf(dns.Deploy), Validate: stackrun.CheckConfig(dnscfg.Load)},
	{Name: contracts.GCPGmailProject, Program: gmail.Program, Deploy: deployOf(gmail.Deploy), Validate: stackrun.CheckConfig(gmailcfg.Load)},
	{Name: contracts.KafkaDataPlaneProject, Program: dataplane.Program, Deploy: deployOf(dataplane.Deploy), Validate: stackrun.CheckConfig(dataplanecfg.Load)},
	{Name: contracts.KafkaIntegrationsProject, Program: integrations.Program, Deploy: deployOf(integrations.Deploy), Validate: stackrun.CheckConfig(integrationscfg.Load)},
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
func Graph() (*graph.Graph, error) { return graph.Projects() }
