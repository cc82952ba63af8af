package projects_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/internal/offline/crossstack"
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/internal/offline/programtable"
	"github.com/clustera/infra/internal/offline/projects"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestRegistryMatchesContracts(t *testing.T) {
	all := projects.All()
	var names []string
	for _, p := range all {
		names = append(names, p.Name)
		if !reflect.DeepEqual(p.Upstreams, contracts.Upstreams(p.Name)) {
			t.Errorf("%s: upstreams %v, shared/contracts declares %v", p.Name, p.Upstreams, contracts.Upstreams(p.Name))
		}
		if p.Program == nil || p.Deploy == nil {
			t.Errorf("%s: Program or Deploy missing", p.Name)
		}
		got, err := projects.Get(p.Name)
		if err != nil || got.Name != p.Name {
			t.Errorf("Get(%q) = %v, %v", p.Name, got.Name, err)
		}
	}
	for _, n := range contracts.Projects {
		if !slices.Contains(names, n) {
			t.Errorf("project %s has an entry in shared/contracts/registry.go but no row in %s; fix: add its folder projects/%s and run `%s`", n, programtable.File, n, programtable.Command)
		}
	}
	for _, n := range names {
		if !contracts.IsProject(n) {
			t.Errorf("projects/%s has a row in %s but no entry in shared/contracts/registry.go; fix: add one (docs/runbooks/add-project.md)", n, programtable.File)
		}
	}
	if !reflect.DeepEqual(names, contracts.Projects) {
		t.Fatalf("program table %v, shared/contracts.Projects %v", names, contracts.Projects)
	}
	if _, err := projects.Get("nope"); err == nil {
		t.Error("Get accepted an unknown project")
	}
	// All returns a copy.
	all[0].Name = "changed"
	if projects.All()[0].Name == "changed" {
		t.Error("All exposes the registry")
	}
}

func TestDeployReturnsTheProjectsContract(t *testing.T) {
	got := map[string]reflect.Type{}
	var ps []mockrun.Project
	for _, p := range mockrun.Registry() {
		deploy := p.Deploy
		name := p.Name
		p.Deploy = func(ctx *pulumi.Context) (contracts.Contract, error) {
			c, err := deploy(ctx)
			got[name] = reflect.TypeOf(c)
			return c, err
		}
		ps = append(ps, p)
	}
	res, err := mockrun.Run("local", mockrun.Options{Projects: ps})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range contracts.Projects {
		want, _ := contracts.For(name)
		if got[name] != reflect.TypeOf(want) {
			t.Errorf("%s: Deploy returns %v, want %T", name, got[name], want)
		}
		if p := res.Get(name); !p.OK() {
			t.Errorf("%s: %v", name, p.Err)
		}
	}
}

// contractProblems lists every way the run breaks the contracts: a
// StackReference to an undeclared upstream or another environment, a
// declared upstream never read, a key read that the producer did not
// export, a producer exporting other keys than its contract's.
func contractProblems(res *mockrun.Result) []string {
	var out []string
	for _, f := range append(crossstack.ContractReadsOf(res), crossstack.ContractExportsOf(res)...) {
		out = append(out, f.String())
	}
	return out
}

// TestProgramsKeepTheirContracts runs every program under mocks, each
// consumer fed only what its upstreams actually exported, and fails on any
// contract problem. Every program of local, staging and prod must run with
// the committed configuration (dns looks its zone up by name, answered
// offline from the environment files).
func TestProgramsKeepTheirContracts(t *testing.T) {
	for _, env := range []string{"local", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			res, err := mockrun.Run(env, mockrun.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Projects {
				if !p.OK() {
					t.Errorf("%s: %v", p.Name, p.Err)
				}
				for _, ref := range p.StackRefs {
					parts := strings.Split(ref, "/")
					if len(parts) != 3 || !slices.Contains(p.Upstreams, parts[1]) || parts[2] != env {
						t.Errorf("%s registers StackReference %s, not a declared upstream in %s", p.Name, ref, env)
					}
				}
			}
			for _, problem := range contractProblems(res) {
				t.Error(problem)
			}
		})
	}
}

// TestProgramsRunAsMainRunsThem runs each Program (what main.go runs, with
// the export) with the outputs the contract run produced upstream.
func TestProgramsRunAsMainRunsThem(t *testing.T) {
	res, err := mockrun.Run("local", mockrun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects.All() {
		ups := map[string]map[string]any{}
		for _, u := range p.Upstreams {
			ups[u] = res.Get(u).Exports
		}
		got, err := mocktest.Run(p.Name, "local", p.Program, mocktest.Options{Upstreams: ups})
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if want := res.Get(p.Name); len(got.Resources) != len(want.Resources) {
			t.Errorf("%s: Program registered %d resources, Deploy %d", p.Name, len(got.Resources), len(want.Resources))
		}
	}
}

// TestEveryDroppedKeyIsDetected is the negative test of the contract
// check: for every producer with consumers and every key of its contract,
// a run that feeds the consumers the exports without that key must be
// reported, naming the key.
func TestEveryDroppedKeyIsDetected(t *testing.T) {
	g, err := projects.Graph()
	if err != nil {
		t.Fatal(err)
	}
	for _, producer := range contracts.Projects {
		consumers := g.Downstreams(producer)
		if len(consumers) == 0 {
			continue
		}
		c, _ := contracts.For(producer)
		for _, key := range contracts.Keys(c) {
			res, err := mockrun.Run("local", mockrun.Options{Feed: func(p string, e map[string]any) map[string]any {
				if p == producer {
					delete(e, key)
				}
				return e
			}})
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(contractProblems(res), "\n")
			for _, consumer := range consumers {
				want := consumer + ` reads output "` + key + `", which ` + producer + " does not export"
				if !strings.Contains(problems, want) {
					t.Errorf("dropping %s.%s: no finding %q; findings:\n%s", producer, key, want, problems)
				}
			}
		}
	}
}

func TestDroppedKeyFailsTheConsumer(t *testing.T) {
	res, err := mockrun.Run("local", mockrun.Options{Feed: func(p string, e map[string]any) map[string]any {
		if p == contracts.KafkaIntegrationsProject {
			delete(e, "gmailWorkerTopic")
		}
		return e
	}})
	if err != nil {
		t.Fatal(err)
	}
	gm := res.Get(contracts.GCPGmailProject)
	if gm.OK() || !strings.Contains(gm.Err.Error(), `organization/kafka-integrations/local has no output "gmailWorkerTopic"`) {
		t.Fatalf("gcp-gmail: %v", gm.Err)
	}
}

// replace returns the registry with one project's Deploy replaced.
func replace(name string, deploy func(*pulumi.Context) (contracts.Contract, error)) []mockrun.Project {
	ps := mockrun.Registry()
	for i := range ps {
		if ps[i].Name == name {
			ps[i].Deploy = deploy
		}
	}
	return ps
}

func TestUndeclaredStackReferenceIsDetected(t *testing.T) {
	// gcp-gmail, as if it read dns with a StackReference of its own.
	real, _ := projects.Get(contracts.GCPGmailProject)
	res, err := mockrun.Run("local", mockrun.Options{Projects: replace(contracts.GCPGmailProject, func(ctx *pulumi.Context) (contracts.Contract, error) {
		if _, err := pulumi.NewStackReference(ctx, "organization/dns/local", nil); err != nil {
			return nil, err
		}
		return real.Deploy(ctx)
	})})
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(contractProblems(res), "\n")
	if !strings.Contains(problems, "gcp-gmail reads dns, which is not one of its declared upstreams (kafka-integrations)") {
		t.Fatalf("findings:\n%s", problems)
	}
	if !slices.Contains(res.Get(contracts.GCPGmailProject).StackRefs, "organization/dns/local") {
		t.Fatal("the StackReference was not recorded")
	}
}

func TestUnreadUpstreamIsDetected(t *testing.T) {
	// kafka-integrations, as if it no longer read kafka-data-plane.
	res, err := mockrun.Run("local", mockrun.Options{Projects: replace(contracts.KafkaIntegrationsProject, func(ctx *pulumi.Context) (contracts.Contract, error) {
		return contracts.KafkaIntegrations{
			TopicNames:       pulumi.ToStringMap(map[string]string{"integrations-worker-gmail": "local-integrations-worker-gmail"}).ToStringMapOutput(),
			GmailWorkerTopic: pulumi.String("local-integrations-worker-gmail").ToStringOutput(),
		}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(contractProblems(res), "\n")
	if !strings.Contains(problems, "declares kafka-data-plane as an upstream but never reads its outputs") {
		t.Fatalf("findings:\n%s", problems)
	}
}

func TestWrongContractTypeIsDetected(t *testing.T) {
	// dns returning the kafka-data-plane contract.
	res, err := mockrun.Run("local", mockrun.Options{Projects: replace(contracts.DNSProject, func(*pulumi.Context) (contracts.Contract, error) {
		s := pulumi.String("x").ToStringOutput()
		return contracts.KafkaDataPlane{AivenProject: s, KafkaService: s, TopicNames: pulumi.StringMap{}.ToStringMapOutput()}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(contractProblems(res), "\n")
	if !strings.Contains(problems, `the contracts.DNS contract has the key "fqdns", but the program does not export it`) {
		t.Fatalf("findings:\n%s", problems)
	}
}

func TestGraphHasNoCycle(t *testing.T) {
	g, err := projects.Graph()
	if err != nil {
		t.Fatal(err)
	}
	if order := g.TopoSort(); len(order) != len(contracts.Projects) {
		t.Fatalf("topological order %v", order)
	}
}

func TestGraphNamesACycle(t *testing.T) {
	deps := map[string][]string{}
	for _, p := range projects.All() {
		deps[p.Name] = p.Upstreams
	}
	// kafka-data-plane reading gcp-gmail closes a loop.
	deps[contracts.KafkaDataPlaneProject] = []string{contracts.GCPGmailProject}
	_, err := graph.New(deps)
	want := "dependency cycle: gcp-gmail → kafka-integrations → kafka-data-plane → gcp-gmail"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}
