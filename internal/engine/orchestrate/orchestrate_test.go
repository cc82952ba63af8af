package orchestrate

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/environment"
)

func projectGraph(t *testing.T) *graph.Graph {
	t.Helper()
	deps := map[string][]string{}
	for _, p := range contracts.Projects {
		deps[p] = contracts.Upstreams(p)
	}
	g, err := graph.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// inv is a fake inventory: deployed stacks, and stacks that exist but are empty.
type inv struct{ deployed, empty map[string]bool }

func (i inv) Exists(p string) bool   { return i.deployed[p] || i.empty[p] }
func (i inv) Deployed(p string) bool { return i.deployed[p] }

func all(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var everything = inv{deployed: all(contracts.Projects...)}

func TestPlanAllIsTopological(t *testing.T) {
	g := projectGraph(t)
	p, err := MakePlan("staging", runner.Deploy, g, Selection{}, inv{}, "")
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, n := range p.Order {
		pos[n] = i
	}
	for _, n := range contracts.Projects {
		for _, u := range contracts.Upstreams(n) {
			if pos[u] > pos[n] {
				t.Errorf("%s ordered before its upstream %s: %v", n, u, p.Order)
			}
		}
	}
	if len(p.Tasks) != 6 || p.Graph.Width() != 3 {
		t.Fatalf("tasks %d width %d", len(p.Tasks), p.Graph.Width())
	}
}

func TestPlanProjectModes(t *testing.T) {
	g := projectGraph(t)
	cases := []struct {
		mode graph.Mode
		want []string
	}{
		{graph.Alone, []string{"kafka-integrations"}},
		{graph.WithUpstreams, []string{"kafka-data-plane", "kafka-integrations"}},
		{graph.WithDependents, []string{"kafka-integrations", "gcp-gmail"}},
	}
	for _, c := range cases {
		p, err := MakePlan("staging", runner.Preview, g, Selection{Projects: []string{"kafka-integrations"}, Mode: c.mode}, everything, "")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Order, c.want) {
			t.Errorf("%v: order %v, want %v", c.mode, p.Order, c.want)
		}
	}
}

func TestDeployAloneNeedsUpstreamStack(t *testing.T) {
	g := projectGraph(t)
	_, err := MakePlan("staging", runner.Deploy, g, Selection{Projects: []string{"cloudflare-workers"}}, inv{empty: all("cloudflare-storage")}, "")
	var pe *PreflightError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "organization/cloudflare-storage/staging") {
		t.Fatalf("err = %v", err)
	}
	if _, err := MakePlan("staging", runner.Deploy, g, Selection{Projects: []string{"cloudflare-workers"}, Mode: graph.WithUpstreams}, inv{}, ""); err != nil {
		t.Fatalf("with upstreams: %v", err)
	}
	if _, err := MakePlan("staging", runner.Deploy, g, Selection{Projects: []string{"cloudflare-workers"}}, everything, ""); err != nil {
		t.Fatalf("upstream deployed: %v", err)
	}
}

func TestPreviewUsesPlaceholdersForUndeployedUpstreams(t *testing.T) {
	g := projectGraph(t)
	p, err := MakePlan("newenv1", runner.Preview, g, Selection{}, inv{deployed: all("kafka-data-plane")}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Tasks["kafka-integrations"].Placeholders; len(got) != 0 {
		t.Errorf("integrations placeholders %v; its upstream is deployed", got)
	}
	if got := p.Tasks["gcp-gmail"].Placeholders; !reflect.DeepEqual(got, []string{"kafka-integrations"}) {
		t.Errorf("gmail placeholders %v", got)
	}
	if got := p.Tasks["cloudflare-workers"].Placeholders; !reflect.DeepEqual(got, []string{"cloudflare-storage"}) {
		t.Errorf("workers placeholders %v", got)
	}
	d, err := MakePlan("newenv1", runner.Deploy, g, Selection{}, inv{}, "")
	if err != nil {
		t.Fatal(err)
	}
	for n, task := range d.Tasks {
		if len(task.Placeholders) > 0 {
			t.Errorf("deploy task %s has placeholders %v", n, task.Placeholders)
		}
	}
}

func TestDestroySafety(t *testing.T) {
	g := projectGraph(t)
	if _, err := MakePlan("prod", runner.Destroy, g, Selection{}, everything, ""); err == nil || !strings.Contains(err.Error(), "confirm=prod") {
		t.Fatalf("prod destroy without confirm: %v", err)
	}
	if _, err := MakePlan("prod", runner.Destroy, g, Selection{}, everything, "prod"); err != nil {
		t.Fatalf("prod destroy with confirm: %v", err)
	}
	_, err := MakePlan("staging", runner.Destroy, g, Selection{Projects: []string{"kafka-data-plane"}}, everything, "")
	if err == nil || !strings.Contains(err.Error(), "organization/kafka-integrations/staging") {
		t.Fatalf("destroy with a live downstream: %v", err)
	}
	// A downstream that is empty does not hold outputs in use.
	if _, err := MakePlan("staging", runner.Destroy, g, Selection{Projects: []string{"kafka-data-plane"}}, inv{deployed: all("kafka-data-plane"), empty: all("kafka-integrations")}, ""); err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan("staging", runner.Destroy, g, Selection{Projects: []string{"kafka-data-plane"}, Mode: graph.WithDependents}, everything, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gcp-gmail", "kafka-integrations", "kafka-data-plane"}; !reflect.DeepEqual(p.Order, want) {
		t.Fatalf("destroy order %v, want %v", p.Order, want)
	}
}

func TestAffectedEmptyPlan(t *testing.T) {
	p, err := MakePlan("staging", runner.Deploy, projectGraph(t), Selection{AffectedBase: "HEAD~1"}, everything, "")
	if err != nil || len(p.Tasks) != 0 {
		t.Fatalf("plan %v, err %v", p, err)
	}
}

// fakeExec runs tasks with scripted outcomes and records concurrency; ran
// lists the projects that got past their upstreams.
type fakeExec struct {
	mu       sync.Mutex
	outcomes map[string]runner.Outcome
	delay    time.Duration
	ran      []string
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func (f *fakeExec) Run(ctx context.Context, t runner.Task) runner.Outcome {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	// As a project process does: its program's reads of upstreams still
	// deploying wait for them, and stop when one did not succeed.
	for range t.Await {
		select {
		case u := <-t.Settled:
			if !u.OK {
				return runner.Outcome{Result: report.Failed, Err: errors.New("not run: upstream " + u.Project + " " + u.Status)}
			}
		case <-ctx.Done():
			return runner.Outcome{Result: report.Interrupted, Note: "interrupted: state saved"}
		}
	}
	f.mu.Lock()
	f.ran = append(f.ran, t.Project)
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		// As a project process does: its CLI saves the stack and stops.
		return runner.Outcome{Result: report.Interrupted, Note: "interrupted: state saved"}
	}
	if o, ok := f.outcomes[t.Project]; ok {
		return o
	}
	return runner.Outcome{Result: report.NoOp}
}

func TestExecuteFailureBlocksDependentsOnly(t *testing.T) {
	g := projectGraph(t)
	p, _ := MakePlan("staging", runner.Deploy, g, Selection{}, inv{}, "")
	ex := &fakeExec{delay: 10 * time.Millisecond, outcomes: map[string]runner.Outcome{
		"kafka-data-plane":   {Result: report.Failed, Err: errors.New("topic create failed")},
		"cloudflare-storage": {Result: report.Changed, Changes: report.Changes{Create: 12}},
	}}
	rep := Execute(context.Background(), p, ex, 0, nil)
	got := map[string]string{}
	for _, r := range rep.Rows {
		got[r.Project] = r.Label()
	}
	want := map[string]string{
		"cloudflare-storage": "changed", "cloudflare-workers": "no-op", "dns": "no-op",
		"kafka-data-plane": "failed", "kafka-integrations": "blocked-by-kafka-data-plane", "gcp-gmail": "blocked-by-kafka-data-plane",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results %v\nwant %v", got, want)
	}
	for _, n := range ex.ran {
		if n == "kafka-integrations" || n == "gcp-gmail" {
			t.Fatalf("blocked project %s was run", n)
		}
	}
	if rep.ExitCode != report.ExitFailed {
		t.Fatalf("exit %d", rep.ExitCode)
	}
}

func TestExecuteParallelBound(t *testing.T) {
	g := projectGraph(t)
	p, _ := MakePlan("staging", runner.Deploy, g, Selection{}, inv{}, "")
	for _, c := range []struct{ parallel, want int32 }{{1, 1}, {0, 3}, {2, 2}} {
		ex := &fakeExec{delay: 30 * time.Millisecond}
		rep := Execute(context.Background(), p, ex, int(c.parallel), nil)
		if ex.maxSeen.Load() != c.want {
			t.Errorf("parallel=%d: max in flight %d, want %d", c.parallel, ex.maxSeen.Load(), c.want)
		}
		if rep.ExitCode != 0 || len(rep.Rows) != 6 {
			t.Errorf("parallel=%d: exit %d rows %d", c.parallel, rep.ExitCode, len(rep.Rows))
		}
	}
}

func TestExecutePreviewChangesExit2(t *testing.T) {
	p, _ := MakePlan("staging", runner.Preview, projectGraph(t), Selection{}, everything, "")
	ex := &fakeExec{outcomes: map[string]runner.Outcome{"dns": {Result: report.Changed, Changes: report.Changes{Update: 1}}}}
	if rep := Execute(context.Background(), p, ex, 0, nil); rep.ExitCode != report.ExitChanges {
		t.Fatalf("exit %d, want 2", rep.ExitCode)
	}
}

func TestExecuteInterrupted(t *testing.T) {
	p, _ := MakePlan("staging", runner.Deploy, projectGraph(t), Selection{}, inv{}, "")
	ex := &fakeExec{delay: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	rep := Execute(ctx, p, ex, 0, nil)
	if !rep.Interrupted || rep.ExitCode != report.ExitInterrupted {
		t.Fatalf("interrupted %v exit %d, want 130", rep.Interrupted, rep.ExitCode)
	}
	count := map[report.Result]int{}
	for _, r := range rep.Rows {
		count[r.Result]++
	}
	// The first level was running: interrupted, never failed; the rest
	// never started: skipped, never blocked.
	if count[report.Interrupted] != 3 || count[report.Skipped] != 3 || count[report.Failed]+count[report.Blocked] != 0 {
		t.Fatalf("results %v, want 3 interrupted and 3 skipped: %+v", count, rep.Rows)
	}
}

func TestCriticalPathReported(t *testing.T) {
	p, _ := MakePlan("staging", runner.Deploy, projectGraph(t), Selection{}, inv{}, "")
	ex := &fakeExec{delay: 20 * time.Millisecond}
	rep := Execute(context.Background(), p, ex, 0, nil)
	if want := []string{"kafka-data-plane", "kafka-integrations", "gcp-gmail"}; !reflect.DeepEqual(rep.CriticalPath, want) {
		t.Fatalf("critical path %v, want %v", rep.CriticalPath, want)
	}
}

func TestDeploysPreviewFirstWherePoliciesBlock(t *testing.T) {
	cases := []struct {
		s    environment.Settings
		want bool
	}{
		{environment.Settings{Name: "staging", Kind: environment.Shared}, true},
		{environment.Settings{Name: "prod", Kind: environment.Prod}, true},
		{environment.Settings{Name: "dev", Kind: environment.Shared}, false},
		{environment.Settings{Name: "local", Kind: environment.Local}, false},
		{environment.Settings{Name: "local", Kind: environment.Local, Policy: environment.PolicySettings{Overrides: map[string]string{"kafka-topic-replication": "mandatory"}}}, true},
	}
	for _, c := range cases {
		if got := anyMandatory(&c.s); got != c.want {
			t.Errorf("%s %v: anyMandatory = %v", c.s.Name, c.s.Policy, got)
		}
	}
}

// panicExec panics for one project, as a bug in the orchestrator's own
// code would.
type panicExec struct{ fakeExec }

func (p *panicExec) Run(ctx context.Context, t runner.Task) runner.Outcome {
	if t.Project == "dns" {
		panic("boom in the executor")
	}
	return p.fakeExec.Run(ctx, t)
}

// TestAPanicIsAFailureNeverASkip: a panic the walker recovers is labelled
// failed, with its message, and the run exits 1.
func TestAPanicIsAFailureNeverASkip(t *testing.T) {
	p, _ := MakePlan("staging", runner.Deploy, projectGraph(t), Selection{}, inv{}, "")
	rep := Execute(context.Background(), p, &panicExec{}, 0, nil)
	if rep.ExitCode != report.ExitFailed {
		t.Fatalf("exit %d, want 1", rep.ExitCode)
	}
	for _, r := range rep.Rows {
		if r.Project == "dns" && (r.Result != report.Failed || !strings.Contains(r.Error, "boom in the executor")) {
			t.Fatalf("dns: %s %q, want failed with the panic", r.Result, r.Error)
		}
		if r.Result == report.Skipped {
			t.Errorf("%s reported as skipped", r.Project)
		}
	}
}

func TestDependentsStartWhileTheirUpstreamsDeploy(t *testing.T) {
	// A deploy starts each dependent as soon as its upstreams have started:
	// its task awaits exactly the upstreams still running, and it is
	// blocked (never failed) when one of them fails.
	g := projectGraph(t)
	p, _ := MakePlan("staging", runner.Deploy, g, Selection{}, inv{}, "")
	rec := &awaitRecorder{fakeExec: fakeExec{delay: 40 * time.Millisecond, outcomes: map[string]runner.Outcome{
		"kafka-data-plane": {Result: report.Failed, Err: errors.New("topic create failed")},
	}}, awaited: map[string][]string{}}
	rep := Execute(context.Background(), p, rec, len(contracts.Projects), nil)
	for _, n := range contracts.Projects {
		if ups := contracts.Upstreams(n); len(ups) > 0 && !reflect.DeepEqual(rec.awaited[n], ups) {
			t.Errorf("%s awaited %v, want its upstreams %v (all still running when it started)", n, rec.awaited[n], ups)
		}
	}
	for _, r := range rep.Rows {
		for _, dep := range []string{"kafka-integrations", "gcp-gmail"} {
			if r.Project == dep && (r.Result != report.Blocked || !reflect.DeepEqual(r.BlockedBy, []string{"kafka-data-plane"}) || r.Error != "") {
				t.Errorf("%s: %s blocked by %v, error %q; want blocked by kafka-data-plane", dep, r.Result, r.BlockedBy, r.Error)
			}
		}
	}
	if rep.ExitCode != report.ExitFailed {
		t.Fatalf("exit %d", rep.ExitCode)
	}
	// Refresh and destroy never read upstream outputs and keep the strict
	// order.
	p, _ = MakePlan("staging", runner.Refresh, g, Selection{}, everything, "")
	rec = &awaitRecorder{awaited: map[string][]string{}}
	Execute(context.Background(), p, rec, len(contracts.Projects), nil)
	if len(rec.awaited) != 0 {
		t.Fatalf("refresh awaited %v", rec.awaited)
	}
}

// awaitRecorder records each task's awaited upstreams.
type awaitRecorder struct {
	fakeExec
	amu     sync.Mutex
	awaited map[string][]string
}

func (a *awaitRecorder) Run(ctx context.Context, t runner.Task) runner.Outcome {
	if len(t.Await) > 0 {
		a.amu.Lock()
		a.awaited[t.Project] = t.Await
		a.amu.Unlock()
	}
	return a.fakeExec.Run(ctx, t)
}
