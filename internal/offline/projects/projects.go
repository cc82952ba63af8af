package projects

//go:generate go run ../programtable/gen

import (
	"fmt"

	"github.com/clustera/infra/internal/graph"
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
	// Validate reads and validates the project's configuration (its one
	// config.Load) without declaring anything, so a run can check every
	// selected project before it deploys any.
	Validate func(*pulumi.Context) error
}

func deployOf[T contracts.Contract](f func(*pulumi.Context) (T, error)) func(*pulumi.Context) (contracts.Contract, error) {
	return func(ctx *pulumi.Context) (contracts.Contract, error) { return f(ctx) }
}

// all is the generated table (programs.go) with each project's upstreams
// from the registry (shared/contracts).
var all = withUpstreams(programs)

func withUpstreams(ps []Project) []Project {
	out := append([]Project(nil), ps...)
	for i := range out {
		out[i].Upstreams = contracts.Upstreams(out[i].Name)
	}
	return out
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
