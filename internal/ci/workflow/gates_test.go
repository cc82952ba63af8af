package workflow_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/ci/workflow"
	"github.com/clustera/infra/internal/gobuild"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/rhysd/actionlint"
)

func infraWorkflow(t *testing.T) *actionlint.Workflow {
	t.Helper()
	return parse(t, generate(t, repoGraph(t))[workflow.InfraFile])
}

func runsOf(j *actionlint.Job) []string {
	var out []string
	for _, s := range j.Steps {
		if r := runOf(s); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// The checks job runs lint, the unit tests of every module but ./e2e and
// the race detector, and every deploy and preview job needs it.
func TestChecksGateEveryDeployAndPreview(t *testing.T) {
	wf := infraWorkflow(t)
	checks := wf.Jobs[workflow.ChecksJobID]
	if checks == nil {
		t.Fatal("no checks job")
	}
	if len(checks.Needs) != 0 || checks.If != nil {
		t.Errorf("checks must run on every event, in parallel with resolve: needs %v", needsOf(checks))
	}
	runs := strings.Join(runsOf(checks), "\n")
	for _, must := range []string{"go run mage.go lint", workflow.UnitTestCommand, workflow.RaceTestCommand()} {
		if !strings.Contains(runs, must) {
			t.Errorf("checks job does not run %q", must)
		}
	}
	for id, j := range wf.Jobs {
		if id == workflow.PreviewJobID || strings.HasPrefix(id, "deploy-") || id == workflow.ApproveJobID {
			if !slices.Contains(needsOf(j), workflow.ChecksJobID) {
				t.Errorf("%s does not need the checks", id)
			}
		}
	}
	// The preview relies on the implicit success() of its needs.
	if pr := wf.Jobs[workflow.PreviewJobID]; strings.Contains(pr.If.Value, "cancelled()") || strings.Contains(pr.If.Value, "always()") {
		t.Errorf("preview runs whatever the checks did: %s", pr.If.Value)
	}
}

// The unit test command excludes exactly ./e2e.
func TestUnitTestCommandExcludesOnlyE2E(t *testing.T) {
	list, grep, ok := strings.Cut(workflow.UnitTestCommand, " | grep -v ")
	if !ok || list != "go list github.com/clustera/infra/..." {
		t.Fatalf("unit test command %q", workflow.UnitTestCommand)
	}
	pattern, _, _ := strings.Cut(grep, " | ")
	if pattern != "'^github.com/clustera/infra/e2e$'" {
		t.Errorf("the unit tests exclude %s, want only the e2e package", pattern)
	}
	if _, err := os.Stat(filepath.Join(repoRoot(t), "e2e")); err != nil {
		t.Errorf("./e2e: %v", err)
	}
}

// The race detector runs over the same packages as `go run mage.go test`.
func TestRacePackagesMatchTheMagefile(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot(t), "magefile.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var mage []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "racePackages" {
			return true
		}
		for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
			s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			mage = append(mage, s)
		}
		return false
	})
	if len(mage) == 0 {
		t.Fatal("no racePackages in magefile.go")
	}
	if !reflect.DeepEqual(mage, workflow.RacePackages) {
		t.Errorf("workflow.RacePackages = %v, magefile.go racePackages = %v: keep them equal", workflow.RacePackages, mage)
	}
}

// A prod rollout asks for one approval: one job bound to the approval
// environment, needed by every deploy job, whose own environment has no
// reviewers.
func TestOneApprovalPerRollout(t *testing.T) {
	wf := infraWorkflow(t)
	ap := wf.Jobs[workflow.ApproveJobID]
	if ap == nil {
		t.Fatal("no approve job")
	}
	if ap.Environment == nil || ap.Environment.Name.Value != "${{ needs.resolve.outputs.approval-environment }}" {
		t.Errorf("approve job environment: %v", ap.Environment)
	}
	for _, must := range []string{"needs.resolve.outputs.approval-environment != ''", "github.event_name != 'pull_request'",
		"needs.resolve.outputs.deploy == 'true'"} {
		if !strings.Contains(ap.If.Value, must) {
			t.Errorf("approve condition lacks %q", must)
		}
	}
	if !reflect.DeepEqual(needsOf(ap), []string{workflow.ResolveJobID, workflow.ChecksJobID}) {
		t.Errorf("approve needs %v: reviewers should approve only what passed the checks", needsOf(ap))
	}
	approvals := 0
	for _, j := range wf.Jobs {
		if j.Environment != nil && strings.Contains(j.Environment.Name.Value, "approval-environment") {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("%d jobs use the approval environment, want 1", approvals)
	}

	// Every stack: the approval environment is the protected one and
	// differs from the deploy environment, whose secrets the deploys use.
	if got := workflow.ApprovalEnvironment(environment.NameProd); got != branch.GitHubEnvironment(environment.NameProd) {
		t.Errorf("prod approval environment %q, want %q", got, branch.GitHubEnvironment(environment.NameProd))
	}
	if got := workflow.DeployEnvironment(environment.NameProd); got == workflow.ApprovalEnvironment(environment.NameProd) || got == "" {
		t.Errorf("prod deploy environment %q must differ from the approval environment", got)
	}
	for _, s := range []string{environment.NameStaging, environment.NameTesting, environment.NameDev, "juan1"} {
		if workflow.ApprovalEnvironment(s) != "" || workflow.DeployEnvironment(s) != branch.GitHubEnvironment(s) {
			t.Errorf("%s: approval %q, deploy %q", s, workflow.ApprovalEnvironment(s), workflow.DeployEnvironment(s))
		}
	}
}

// The resolve job hands the environments to the jobs.
func TestResolveProdOutputs(t *testing.T) {
	r, err := workflow.Resolve(context.Background(), repoRoot(t), repoGraph(t), "main", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Stack != environment.NameProd || r.Environment != workflow.DeployEnvironmentProd || r.ApprovalEnvironment != workflow.ApprovalEnvironmentProd ||
		r.PreviewEnvironment != "production-preview" {
		t.Fatalf("resolve main: %+v", r)
	}
	var out bytes.Buffer
	if err := r.WriteOutputs(&out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"environment=production-deploy\n", "approval-environment=production\n", "stack=prod\n"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("outputs lack %q:\n%s", line, out.String())
		}
	}
	r, err = workflow.Resolve(context.Background(), repoRoot(t), repoGraph(t), "staging", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.ApprovalEnvironment != "" || r.Environment != "staging" {
		t.Fatalf("resolve staging: %+v", r)
	}
	// Every key the resolve job declares is one it writes.
	wf := infraWorkflow(t)
	var keys []string
	for k := range wf.Jobs[workflow.ResolveJobID].Outputs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := slices.Clone(workflow.OutputKeys)
	slices.Sort(want)
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("resolve outputs %v, want %v", keys, want)
	}
}

// The R2 keys (state and the Worker bundles of the artifact store) reach
// the orchestrator step of every job that deploys or previews
// cloudflare-workers.
func TestArtifactStoreSecrets(t *testing.T) {
	files := generate(t, repoGraph(t))
	wf := parse(t, files[workflow.InfraFile])
	dwf := parse(t, files[workflow.DriftFile])
	jobs := map[string]*actionlint.Job{
		workflow.JobID(contracts.CloudflareWorkersProject): wf.Jobs[workflow.JobID(contracts.CloudflareWorkersProject)],
		workflow.PreviewJobID:                              wf.Jobs[workflow.PreviewJobID],
		workflow.DriftJobID:                                dwf.Jobs[workflow.DriftJobID],
	}
	for id, j := range jobs {
		if j == nil {
			t.Fatalf("no job %s", id)
		}
		step := engineStep(t, id, j)
		env := envOf(step.Env)
		for _, s := range workflow.ArtifactSecrets {
			if env[s] != "${{ secrets."+s+" }}" {
				t.Errorf("%s: step %q does not get %s", id, step.Name.Value, s)
			}
		}
	}
	for _, s := range workflow.ArtifactSecrets {
		if !slices.Contains(workflow.Credentials[contracts.CloudflareWorkersProject], s) {
			t.Errorf("cloudflare-workers credentials lack %s", s)
		}
	}
}

// engineStep returns the step that runs the orchestrator on a stack.
func engineStep(t *testing.T, id string, j *actionlint.Job) *actionlint.Step {
	t.Helper()
	var found *actionlint.Step
	for _, s := range j.Steps {
		for _, op := range []string{"bin/infra deploy ", "bin/infra preview ", "bin/infra drift "} {
			if strings.Contains(runOf(s), op) {
				if found != nil {
					t.Fatalf("%s: two steps run the engine", id)
				}
				found = s
			}
		}
	}
	if found == nil {
		t.Fatalf("%s: no step runs the engine", id)
	}
	return found
}

func withOf(s *actionlint.Step) map[string]string {
	out := map[string]string{}
	if a, ok := s.Exec.(*actionlint.ExecAction); ok {
		for k, v := range a.Inputs {
			out[k] = v.Value.Value
		}
	}
	return out
}

func setupGoStep(t *testing.T, id string, j *actionlint.Job) *actionlint.Step {
	t.Helper()
	for _, s := range j.Steps {
		if a, ok := s.Exec.(*actionlint.ExecAction); ok && strings.HasPrefix(a.Uses.Value, "actions/setup-go@") {
			return s
		}
	}
	t.Fatalf("%s has no setup-go step", id)
	return nil
}

// setup-go caches per module set: a deploy job keys on the modules it
// builds, and every file named exists.
func TestBuildCacheKeys(t *testing.T) {
	root := repoRoot(t)
	g := repoGraph(t)
	files := generate(t, g)
	wf := parse(t, files[workflow.InfraFile])
	dwf := parse(t, files[workflow.DriftFile])
	keyOf := func(id string, j *actionlint.Job) []string {
		w := withOf(setupGoStep(t, id, j))
		if w["cache"] != "true" {
			t.Errorf("%s: setup-go cache %q", id, w["cache"])
		}
		return strings.Fields(w["cache-dependency-path"])
	}
	for _, p := range g.Nodes() {
		key := keyOf(p, wf.Jobs[workflow.JobID(p)])
		if want := workflow.CacheKeyFiles(workflow.ProjectModules(p)); !reflect.DeepEqual(key, want) {
			t.Errorf("%s: cache key files %v, want %v", p, key, want)
		}
		if !slices.Contains(key, "projects/"+p+"/go.sum") || !slices.Contains(key, "shared/go.sum") || !slices.Contains(key, "go.work.sum") {
			t.Errorf("%s: cache key files %v", p, key)
		}
		for _, f := range key {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				t.Errorf("%s: cache key file: %v (setup-go fails on a missing file)", p, err)
			}
		}
	}
	if key := keyOf("resolve", wf.Jobs[workflow.ResolveJobID]); slices.ContainsFunc(key, func(f string) bool { return strings.HasPrefix(f, "projects/") }) {
		t.Errorf("resolve builds no project, but keys on %v", key)
	}
	every := keyOf("checks", wf.Jobs[workflow.ChecksJobID])
	for id, j := range map[string]*actionlint.Job{"preview": wf.Jobs[workflow.PreviewJobID], "drift": dwf.Jobs[workflow.DriftJobID]} {
		if key := keyOf(id, j); !reflect.DeepEqual(key, every) {
			t.Errorf("%s keys on %v, checks on %v: they build the same modules and share a cache", id, key, every)
		}
	}
}

// The jobs that compile the Cloudflare SDK compile it first, alone, with
// the low-memory settings of internal/gobuild, and exactly the projects
// whose module requires the SDK count as such.
func TestLowMemoryBuildOfTheCloudflareSDK(t *testing.T) {
	root := repoRoot(t)
	g := repoGraph(t)
	files := generate(t, g)
	wf := parse(t, files[workflow.InfraFile])
	dwf := parse(t, files[workflow.DriftFile])
	// compilesFirst: the job's first build is the SDK's low-memory compile.
	compilesFirst := func(j *actionlint.Job) bool {
		for _, st := range j.Steps {
			run, ok := st.Exec.(*actionlint.ExecRun)
			if !ok || run.Run == nil {
				continue
			}
			if !strings.Contains(run.Run.Value, "go ") && !strings.Contains(run.Run.Value, "bin/infra") {
				continue
			}
			if run.Run.Value != "go build "+gobuild.Package {
				return false // another build came first
			}
			env := envOf(st.Env)
			for _, kv := range gobuild.Env {
				k, v, _ := strings.Cut(kv, "=")
				if env[k] != v {
					return false
				}
			}
			return true
		}
		return false
	}
	for _, p := range g.Nodes() {
		sdk, err := gobuild.LinksSDK(filepath.Join(root, "projects", p))
		if err != nil {
			t.Fatal(err)
		}
		if sdk != workflow.CompilesCloudflareSDK(p) {
			t.Errorf("%s: requires the Cloudflare SDK %v, CompilesCloudflareSDK %v", p, sdk, workflow.CompilesCloudflareSDK(p))
		}
		if got := compilesFirst(wf.Jobs[workflow.JobID(p)]); got != sdk {
			t.Errorf("%s: compiles the SDK first %v, want %v", p, got, sdk)
		}
	}
	for name, j := range map[string]*actionlint.Job{
		"preview": wf.Jobs[workflow.PreviewJobID], "drift": dwf.Jobs[workflow.DriftJobID], "checks": wf.Jobs[workflow.ChecksJobID],
	} {
		if !compilesFirst(j) {
			t.Errorf("the %s job builds every module: it must compile the SDK first, in low memory", name)
		}
	}
}
