package orchestrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/stackrun"
)

// stepsExec answers every task with one step named after its project and
// records which tasks asked for steps.
type stepsExec struct {
	mu    sync.Mutex
	asked map[string]bool
}

func (e *stepsExec) Run(_ context.Context, t runner.Task) runner.Outcome {
	e.mu.Lock()
	e.asked[t.Project] = t.Steps
	e.mu.Unlock()
	return runner.Outcome{Result: report.NoOp, Steps: []stackrun.Step{{Op: "same", Name: t.Project}}}
}

// stepRecorder is a Steps hook that keeps what it was handed.
type stepRecorder struct {
	mu  sync.Mutex
	got map[string][]stackrun.Step
}

func (r *stepRecorder) hook(project string, steps []stackrun.Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, twice := r.got[project]; twice {
		panic("steps of " + project + " handed over twice")
	}
	r.got[project] = steps
}

// With a Steps hook every task asks its process for its steps, and the
// hook gets each project's as it finishes; without one, no task asks. The
// plan itself is not changed.
func TestStepsHook(t *testing.T) {
	p, _ := MakePlan("staging", runner.Preview, projectGraph(t), Selection{}, everything, "")
	rec := &stepRecorder{got: map[string][]stackrun.Step{}}
	h := Hooks{Steps: rec.hook}
	ex := &stepsExec{asked: map[string]bool{}}
	Execute(context.Background(), hooked(p, h), withHooks(ex, h), 0, nil)
	for _, n := range contracts.Projects {
		if !ex.asked[n] {
			t.Errorf("%s: the task did not ask for steps", n)
		}
		if want := []stackrun.Step{{Op: "same", Name: n}}; !reflect.DeepEqual(rec.got[n], want) {
			t.Errorf("%s: hook got %+v, want %+v", n, rec.got[n], want)
		}
	}
	for n, task := range p.Tasks {
		if task.Steps {
			t.Errorf("the plan's own task %s was changed", n)
		}
	}

	ex = &stepsExec{asked: map[string]bool{}}
	Execute(context.Background(), hooked(p, Hooks{}), withHooks(ex, Hooks{}), 0, nil)
	for n, asked := range ex.asked {
		if asked {
			t.Errorf("%s asked for steps with no hook", n)
		}
	}
}

// localSession is the part of a session Prepared.Execute reads.
func localSession() *session.Session {
	return &session.Session{Settings: &environment.Settings{Name: "local", Kind: environment.Local}, BackendURL: "file:///state/local"}
}

// Prepared.Execute prints the run's header, runs the plan with the runner
// and hands the steps of every project that ran (none blocked) to the hook.
// Every project without upstreams fails up front here, as a compile error
// would make it: the runner runs nothing, and the others are blocked.
func TestPreparedExecute(t *testing.T) {
	root := t.TempDir()
	runDir := filepath.Join(root, ".state", "runs", "local", "run")
	// Refresh keeps the strict order (no early start): the dependents of
	// a failure never start.
	plan, err := MakePlan("local", runner.Refresh, projectGraph(t), Selection{}, everything, "")
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]error{}
	var roots []string
	for _, n := range contracts.Projects {
		if len(contracts.Upstreams(n)) == 0 {
			failed[n] = errors.New("does not compile")
			roots = append(roots, n)
		}
	}
	sort.Strings(roots)
	var out bytes.Buffer
	p := &Prepared{req: Request{Root: root, Env: "local", Op: runner.Refresh, Out: &out}, plan: plan, runDir: runDir, parallel: 2,
		session: localSession(), runner: &runner.Runner{RunDir: t.TempDir(), Failed: failed}}
	rec := &stepRecorder{got: map[string][]stackrun.Step{}}
	rep := p.Execute(context.Background(), Hooks{Steps: rec.hook})

	header := fmt.Sprintf("refresh · env local · %d project(s) · parallel 2 · state file:///state/local\n  logs: .state/runs/local/run\n"+
		"  local environment: the cloud is the in-process sandbox (a test double); nothing leaves this machine\n", len(contracts.Projects))
	if !strings.HasPrefix(out.String(), header) {
		t.Fatalf("output:\n%s\nwant it to start with:\n%s", out.String(), header)
	}
	if rep.RunDir != runDir || rep.Masker == nil || rep.ExitCode != report.ExitFailed || len(rep.Rows) != len(contracts.Projects) {
		t.Fatalf("report: run dir %q masker %v exit %d rows %d", rep.RunDir, rep.Masker != nil, rep.ExitCode, len(rep.Rows))
	}
	var ran []string
	for n, steps := range rec.got {
		ran = append(ran, n)
		if len(steps) != 0 {
			t.Errorf("%s failed up front but reported steps %+v", n, steps)
		}
	}
	sort.Strings(ran)
	if !reflect.DeepEqual(ran, roots) {
		t.Fatalf("steps handed over for %v, want those that ran: %v", ran, roots)
	}
}

// A plan with nothing to run says so; Publish then prints and writes
// nothing.
func TestNothingToDo(t *testing.T) {
	var out bytes.Buffer
	runDir := filepath.Join(t.TempDir(), "run")
	p := &Prepared{req: Request{Env: "staging", Op: runner.Deploy, Out: &out}, plan: &Plan{Tasks: map[string]runner.Task{}}, runDir: runDir}
	rep := p.Execute(context.Background(), Hooks{})
	if out.String() != "deploy: nothing to do in staging (no project selected)\n" || rep.ExitCode != report.ExitOK || len(rep.Rows) != 0 {
		t.Fatalf("output %q, exit %d, rows %d", out.String(), rep.ExitCode, len(rep.Rows))
	}
	out.Reset()
	if err := p.Publish(rep); err != nil || out.Len() != 0 {
		t.Fatalf("publish of nothing: %v, printed %q", err, out.String())
	}
}
