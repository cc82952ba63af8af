package workflow_test

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/ci/branch"
	"github.com/clustera/infra/internal/ci/workflow"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/rhysd/actionlint"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := layout.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func generate(t *testing.T, g *graph.Graph) map[string][]byte {
	t.Helper()
	files, err := workflow.Generate(g)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Path] = f.Data
	}
	return out
}

func repoGraph(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := graph.Projects()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The committed workflows are exactly what the generator produces from the
// project graph, so CI and mage never disagree.
func TestCommittedWorkflowsAreGenerated(t *testing.T) {
	root := repoRoot(t)
	files, err := workflow.Generate(repoGraph(t))
	if err != nil {
		t.Fatal(err)
	}
	stale, err := workflow.Stale(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("out of date: %v; run `go run mage.go ci:workflow` and commit the result", stale)
	}
}

// Stale names a missing file and a changed one; Write makes them current.
func TestStaleAndWrite(t *testing.T) {
	dir := t.TempDir()
	files, err := workflow.Generate(repoGraph(t))
	if err != nil {
		t.Fatal(err)
	}
	stale, err := workflow.Stale(dir, files)
	if err != nil || len(stale) != 2 || !strings.HasSuffix(stale[0], "(missing)") {
		t.Fatalf("Stale on an empty dir = %v, %v", stale, err)
	}
	if err := workflow.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	if stale, _ := workflow.Stale(dir, files); len(stale) != 0 {
		t.Fatalf("after Write: stale %v", stale)
	}
	p := dir + "/" + workflow.DriftFile
	if err := os.WriteFile(p, []byte("# edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if stale, _ := workflow.Stale(dir, files); !reflect.DeepEqual(stale, []string{workflow.DriftFile}) {
		t.Fatalf("after a hand edit: stale %v", stale)
	}
}

// actionlint (the library of the pinned version) finds nothing in the
// generated workflows; it runs shellcheck over the scripts when shellcheck
// is installed.
func TestActionlint(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Log("shellcheck not found: actionlint checks the workflows without it")
		sc = ""
	}
	for p, data := range generate(t, repoGraph(t)) {
		var out bytes.Buffer
		l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: sc, Oneline: true})
		if err != nil {
			t.Fatal(err)
		}
		errs, err := l.Lint(p, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]", p, e.Line, e.Column, e.Message, e.Kind)
		}
	}
}

// actionlint catches what the generator must never produce, so the test
// above can fail.
func TestActionlintCatchesBrokenNeeds(t *testing.T) {
	data := generate(t, repoGraph(t))[workflow.InfraFile]
	broken := bytes.Replace(data, []byte("approve, deploy-cloudflare-storage]"), []byte("approve, deploy-nothing]"), 1)
	if bytes.Equal(broken, data) {
		t.Fatal("the workflow has no needs line to break")
	}
	l, err := actionlint.NewLinter(&bytes.Buffer{}, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(workflow.InfraFile, broken, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Fatal("actionlint accepted a job that needs an unknown job")
	}
}

func parse(t *testing.T, data []byte) *actionlint.Workflow {
	t.Helper()
	wf, errs := actionlint.Parse(data)
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs[0])
	}
	return wf
}

func needsOf(j *actionlint.Job) []string {
	var out []string
	for _, n := range j.Needs {
		out = append(out, n.Value)
	}
	return out
}

func envOf(env *actionlint.Env) map[string]string {
	out := map[string]string{}
	if env == nil {
		return out
	}
	for _, v := range env.Vars {
		out[v.Name.Value] = v.Value.Value
	}
	return out
}

// lastStep returns the step that runs the orchestrator's command.
func lastStep(j *actionlint.Job) *actionlint.Step { return j.Steps[len(j.Steps)-1] }

func runOf(s *actionlint.Step) string {
	if r, ok := s.Exec.(*actionlint.ExecRun); ok {
		return r.Run.Value
	}
	return ""
}

func checkDeployJobs(t *testing.T, g *graph.Graph, data []byte) {
	t.Helper()
	wf := parse(t, data)
	order := g.TopoSort()
	for _, p := range order {
		j, ok := wf.Jobs[workflow.JobID(p)]
		if !ok {
			t.Errorf("no job %s", workflow.JobID(p))
			continue
		}
		var want []string
		for _, a := range order {
			if slices.Contains(g.Ancestors(p), a) {
				want = append(want, workflow.JobID(a))
			}
		}
		want = append([]string{workflow.ResolveJobID, workflow.ChecksJobID, workflow.ApproveJobID}, want...)
		if got := needsOf(j); !reflect.DeepEqual(got, want) {
			t.Errorf("%s needs %v, want %v (resolve, checks, approve and every transitive upstream)", p, got, want)
		}
		cond := j.If.Value
		for _, must := range []string{"!cancelled()", "needs.resolve.outputs.deploy == 'true'",
			"contains(fromJSON(needs.resolve.outputs.projects), '" + p + "')", "github.event_name != 'pull_request'",
			"needs.checks.result == 'success'",
			"(needs.resolve.outputs.approval-environment == '' || needs.approve.result == 'success')"} {
			if !strings.Contains(cond, must) {
				t.Errorf("%s: condition lacks %q:\n%s", p, must, cond)
			}
		}
		for _, a := range g.Ancestors(p) {
			for _, r := range []string{"failure", "cancelled"} {
				if must := "needs." + workflow.JobID(a) + ".result != '" + r + "'"; !strings.Contains(cond, must) {
					t.Errorf("%s: a %s upstream %s does not stop it (condition lacks %q)", p, r, a, must)
				}
			}
		}
		if strings.Contains(cond, "success()") || strings.Contains(cond, "always()") {
			t.Errorf("%s: condition must not use success() (skips on a skipped upstream) nor always() (runs when cancelled): %s", p, cond)
		}
		if j.Environment == nil || j.Environment.Name.Value != "${{ needs.resolve.outputs.environment }}" {
			t.Errorf("%s: environment must come from the resolve job", p)
		}
		// Secrets reach only the step that runs the orchestrator.
		for name := range envOf(j.Env) {
			if slices.Contains(workflow.AllSecrets, name) {
				t.Errorf("%s: job env holds secret %s: pass it to the deploy step only", p, name)
			}
		}
		env := envOf(lastStep(j).Env)
		wantSecrets := append(append([]string(nil), workflow.StateSecrets...), workflow.Credentials[p]...)
		for _, s := range workflow.AllSecrets {
			v, has := env[s]
			switch {
			case slices.Contains(wantSecrets, s) && v != "${{ secrets."+s+" }}":
				t.Errorf("%s: deploy step env %s = %q, want the secret", p, s, v)
			case !slices.Contains(wantSecrets, s) && has:
				t.Errorf("%s: gets %s, which it does not need", p, s)
			}
		}
		for _, s := range j.Steps[:len(j.Steps)-1] {
			for name := range envOf(s.Env) {
				if slices.Contains(workflow.AllSecrets, name) {
					t.Errorf("%s: step %q gets secret %s", p, s.Name.Value, name)
				}
			}
		}
		if last, want := runOf(lastStep(j)), `bin/infra deploy -env "$STACK" -project `+p; last != want {
			t.Errorf("%s: last step runs %q, want %q", p, last, want)
		}
	}
	sum, ok := wf.Jobs[workflow.SummaryJobID]
	if !ok {
		t.Fatal("no summary job")
	}
	if got := len(needsOf(sum)); got != len(order)+3 {
		t.Errorf("summary needs %d jobs, want %d (resolve, checks, approve and every project)", got, len(order)+3)
	}
}

// One job per project whose needs are the graph's edges (transitively, so a
// failure anywhere upstream stops it), gated on the affected list.
func TestDeployJobsFollowTheGraph(t *testing.T) {
	g := repoGraph(t)
	checkDeployJobs(t, g, generate(t, g)[workflow.InfraFile])
}

// A longer chain than the repository's: c reads b reads a; d stands alone.
func TestDeployJobsChain(t *testing.T) {
	for p := range map[string]bool{"a": true, "b": true, "c": true, "d": true} {
		workflow.Credentials[p] = []string{workflow.SecretAiven}
	}
	t.Cleanup(func() {
		for _, p := range []string{"a", "b", "c", "d"} {
			delete(workflow.Credentials, p)
		}
	})
	g, err := graph.New(map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}, "d": nil})
	if err != nil {
		t.Fatal(err)
	}
	data := generate(t, g)[workflow.InfraFile]
	checkDeployJobs(t, g, data)
	wf := parse(t, data)
	if got := needsOf(wf.Jobs["deploy-c"]); !reflect.DeepEqual(got, []string{"resolve", "checks", "approve", "deploy-a", "deploy-b"}) {
		t.Fatalf("deploy-c needs %v", got)
	}
	if got := needsOf(wf.Jobs["deploy-d"]); !reflect.DeepEqual(got, []string{"resolve", "checks", "approve"}) {
		t.Fatalf("deploy-d needs %v", got)
	}
}

func TestGenerateErrors(t *testing.T) {
	g, _ := graph.New(map[string][]string{"newproject": nil})
	if _, err := workflow.Generate(g); err == nil || !strings.Contains(err.Error(), "newproject") || !strings.Contains(err.Error(), "shared/contracts/registry.go") {
		t.Fatalf("project without a registry entry: %v", err)
	}
	workflow.Credentials["newproject"] = []string{"NOT_A_SECRET"}
	defer delete(workflow.Credentials, "newproject")
	if _, err := workflow.Generate(g); err == nil || !strings.Contains(err.Error(), `credential "NOT_A_SECRET"`) {
		t.Fatalf("unknown credential: %v", err)
	}
	workflow.Credentials["Bad_Name"] = nil
	defer delete(workflow.Credentials, "Bad_Name")
	g, _ = graph.New(map[string][]string{"Bad_Name": nil})
	if _, err := workflow.Generate(g); err == nil || !strings.Contains(err.Error(), "Bad_Name") {
		t.Fatalf("invalid project name: %v", err)
	}
	g, _ = graph.New(map[string][]string{})
	if _, err := workflow.Generate(g); err == nil {
		t.Fatal("an empty graph generated a workflow")
	}
}

// Every project of the repository gets the credentials of its registry
// entry, and only real secrets.
func TestCredentialsCoverTheGraph(t *testing.T) {
	for _, p := range repoGraph(t).Nodes() {
		creds, ok := workflow.Credentials[p]
		if !ok || !slices.Equal(creds, contracts.Credentials(p)) {
			t.Errorf("%s: credentials %v, its registry entry %v", p, creds, contracts.Credentials(p))
		}
		for _, c := range creds {
			if !slices.Contains(workflow.AllSecrets, c) {
				t.Errorf("%s: unknown secret %s", p, c)
			}
		}
	}
}

// matches applies GitHub's branch filters: the last matching pattern
// decides, "!" negates, "*" does not cross "/" (as path.Match).
func matches(filters []string, name string) bool {
	in := false
	for _, f := range filters {
		neg := strings.HasPrefix(f, "!")
		ok, err := path.Match(strings.TrimPrefix(f, "!"), name)
		if err != nil {
			panic(err)
		}
		if ok {
			in = !neg
		}
	}
	return in
}

// The trigger filters let every long-lived branch and every possible
// personal environment through, and spare typical feature branches.
func TestBranchFilters(t *testing.T) {
	for _, b := range []string{branch.Main, branch.Development, branch.Testing, branch.Staging, "steve1", "juan1", "ab", "a0123456789abcde"} {
		if !matches(workflow.BranchFilters, b) {
			t.Errorf("branch %s does not trigger the workflow", b)
		}
	}
	for _, b := range []string{"feature/x", "fix-typo", "Juan1", "v1.2", "snake_case", "dependabot/go_modules/x"} {
		if matches(workflow.BranchFilters, b) {
			t.Errorf("branch %s triggers the workflow", b)
		}
	}
	data := generate(t, repoGraph(t))[workflow.InfraFile]
	wf := parse(t, data)
	hooks := 0
	for _, ev := range wf.On {
		we, ok := ev.(*actionlint.WebhookEvent)
		if !ok || we.Hook.Value == "workflow_dispatch" {
			continue
		}
		hooks++
		var got []string
		for _, b := range we.Branches.Values {
			got = append(got, b.Value)
		}
		if !reflect.DeepEqual(got, workflow.BranchFilters) {
			t.Errorf("%s branches %v, want %v", we.Hook.Value, got, workflow.BranchFilters)
		}
	}
	if hooks != 2 {
		t.Errorf("%d filtered triggers, want push and pull_request", hooks)
	}
}

// Pull requests preview with the policy pack and comment; nightly drift
// runs on staging and prod from their branches, with unattended
// credentials.
func TestPreviewAndDrift(t *testing.T) {
	files := generate(t, repoGraph(t))
	wf := parse(t, files[workflow.InfraFile])
	pr := wf.Jobs["preview"]
	if pr == nil {
		t.Fatal("no preview job")
	}
	var runs []string
	for _, s := range pr.Steps {
		if r, ok := s.Exec.(*actionlint.ExecRun); ok {
			runs = append(runs, r.Run.Value)
		}
	}
	all := strings.Join(runs, "\n")
	for _, must := range []string{`bin/infra preview -env "$STACK" -affected "origin/$BASE_REF"`, `"$code" -eq 2`, "gh pr comment"} {
		if !strings.Contains(all, must) {
			t.Errorf("preview job lacks %q", must)
		}
	}
	if pr.Environment.Name.Value != "${{ needs.resolve.outputs.preview-environment }}" {
		t.Errorf("preview environment %q", pr.Environment.Name.Value)
	}
	dwf := parse(t, files[workflow.DriftFile])
	var crons []string
	for _, ev := range dwf.On {
		if se, ok := ev.(*actionlint.ScheduledEvent); ok {
			for _, c := range se.Schedules {
				crons = append(crons, c.Cron.Value)
			}
		}
	}
	if !reflect.DeepEqual(crons, []string{workflow.DriftCron}) {
		t.Errorf("drift.yml schedules %v, want %s", crons, workflow.DriftCron)
	}
	dj := dwf.Jobs[workflow.DriftJobID]
	if dj == nil || dj.Strategy == nil || dj.Strategy.Matrix == nil || dj.Strategy.Matrix.Include == nil {
		t.Fatal("drift.yml has no drift job with a matrix")
	}
	var combos []string
	for _, c := range dj.Strategy.Matrix.Include.Combinations {
		var kv []string
		for _, k := range []string{"stack", "branch", "environment"} {
			a := c.Assigns[k]
			if a == nil {
				t.Fatalf("matrix combination lacks %s", k)
			}
			kv = append(kv, k+"="+a.Value.(*actionlint.RawYAMLString).Value)
		}
		combos = append(combos, strings.Join(kv, " "))
	}
	var want []string
	for _, d := range workflow.DriftStacks {
		want = append(want, "stack="+d.Stack+" branch="+d.Branch+" environment="+workflow.PreviewEnvironment(d.Stack))
		if env := workflow.PreviewEnvironment(d.Stack); env == workflow.ApprovalEnvironmentProd || env == workflow.DeployEnvironmentProd {
			t.Errorf("drift of %s uses %s: the nightly drift check must not wait for an approval nor hold deploy credentials", d.Stack, env)
		}
	}
	if !reflect.DeepEqual(combos, want) {
		t.Errorf("drift matrix %v, want %v", combos, want)
	}
	if !slices.Contains(combos, "stack=prod branch=main environment=production-preview") {
		t.Errorf("no prod drift check from main with production-preview: %v", combos)
	}
	if got := runOf(lastStep(dj)); got != `bin/infra drift -env "$STACK"` {
		t.Errorf("drift runs %q", got)
	}
	// No secret is ever echoed: secrets only appear as env values.
	for p, data := range files {
		for i, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, "secrets.") && !strings.Contains(l, ": ${{ secrets.") {
				t.Errorf("%s:%d uses a secret outside env: %s", p, i+1, l)
			}
		}
	}
}

func TestPreviewEnvironment(t *testing.T) {
	for stack, want := range map[string]string{"prod": "production-preview", "staging": "staging", "dev": "development", "testing": "testing", "juan1": "development"} {
		if got := workflow.PreviewEnvironment(stack); got != want {
			t.Errorf("PreviewEnvironment(%s) = %q, want %q", stack, got, want)
		}
	}
}
