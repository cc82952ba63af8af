package walk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clustera/infra/internal/graph"
)

func mustGraph(t *testing.T, deps map[string][]string) *graph.Graph {
	t.Helper()
	g, err := graph.New(deps)
	if err != nil {
		t.Fatalf("graph.New: %v", err)
	}
	return g
}

// randomDeps returns a random DAG on n nodes.
func randomDeps(r *rand.Rand, n int, p float64) map[string][]string {
	names := make([]string, n)
	for i, j := range r.Perm(n) {
		names[i] = fmt.Sprintf("n%02d", j)
	}
	deps := make(map[string][]string, n)
	for i := range n {
		deps[names[i]] = []string{}
		for j := range i {
			if r.Float64() < p {
				deps[names[i]] = append(deps[names[i]], names[j])
			}
		}
	}
	return deps
}

func nodesOf(results []Result) []string {
	var out []string
	for _, r := range results {
		out = append(out, r.Node)
	}
	return out
}

func TestOrderingOnRandomGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 40 {
		g := mustGraph(t, randomDeps(r, 15, 0.2))
		var seq atomic.Int64
		var mu sync.Mutex
		started, ended := map[string]int64{}, map[string]int64{}
		var onStart, onFinish []string
		fn := func(ctx context.Context, n string) error {
			s := seq.Add(1)
			time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
			e := seq.Add(1)
			mu.Lock()
			started[n], ended[n] = s, e
			mu.Unlock()
			return nil
		}
		results := Walk(context.Background(), g, fn, Options{
			Parallel: i%5 - 1, // -1 .. 3: width, width, 1, 2, 3
			OnStart:  func(n string) { onStart = append(onStart, n) },
			OnFinish: func(r Result) { onFinish = append(onFinish, r.Node) },
		})
		if got := nodesOf(results); !reflect.DeepEqual(got, g.TopoSort()) {
			t.Fatalf("results in order %v, want TopoSort %v", got, g.TopoSort())
		}
		for _, res := range results {
			if res.Status != Succeeded || res.Err != nil {
				t.Fatalf("%s: %s %v", res.Node, res.Status, res.Err)
			}
			if res.Started.IsZero() || res.Finished.Before(res.Started) {
				t.Fatalf("%s: started %v finished %v", res.Node, res.Started, res.Finished)
			}
			for _, u := range g.Upstreams(res.Node) {
				if ended[u] >= started[res.Node] {
					t.Fatalf("%s started (seq %d) before its upstream %s finished (seq %d)", res.Node, started[res.Node], u, ended[u])
				}
			}
		}
		if len(onStart) != g.Len() || len(onFinish) != g.Len() {
			t.Fatalf("OnStart called %d times, OnFinish %d times, want %d", len(onStart), len(onFinish), g.Len())
		}
	}
}

// gate counts fn calls in flight. Calls wait until target are in flight at
// once (or a timeout), so a walk that can reach target provably does.
type gate struct {
	target int
	open   chan struct{}

	mu       sync.Mutex
	inflight int
	max      int
	opened   bool
	timedOut bool
}

func newGate(target int) *gate { return &gate{target: target, open: make(chan struct{})} }

func (g *gate) fn(ctx context.Context, n string) error {
	g.mu.Lock()
	g.inflight++
	g.max = max(g.max, g.inflight)
	if g.inflight == g.target && !g.opened {
		g.opened = true
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
		time.Sleep(time.Millisecond) // leave room to exceed the bound
	case <-time.After(5 * time.Second):
		g.mu.Lock()
		g.timedOut = true
		g.mu.Unlock()
	}
	g.mu.Lock()
	g.inflight--
	g.mu.Unlock()
	return nil
}

func TestParallelBoundIsRespectedAndReached(t *testing.T) {
	deps := map[string][]string{}
	for i := range 12 {
		deps[fmt.Sprintf("n%02d", i)] = nil
	}
	for _, parallel := range []int{1, 3, 5} {
		t.Run(fmt.Sprint(parallel), func(t *testing.T) {
			gt := newGate(parallel)
			results := Walk(context.Background(), mustGraph(t, deps), gt.fn, Options{Parallel: parallel})
			if !OK(results) {
				t.Fatalf("results: %+v", results)
			}
			if gt.timedOut {
				t.Fatalf("never %d calls in flight at once (max %d)", parallel, gt.max)
			}
			if gt.max != parallel {
				t.Fatalf("max in flight = %d, want %d", gt.max, parallel)
			}
		})
	}
}

func TestParallelDefaultsToWidth(t *testing.T) {
	tests := []struct {
		name  string
		deps  map[string][]string
		width int
	}{
		{"four chains", map[string][]string{
			"a1": nil, "a2": {"a1"}, "b1": nil, "b2": {"b1"},
			"c1": nil, "c2": {"c1"}, "d1": nil, "d2": {"d1"},
		}, 4},
		{"chain", map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}}, 1},
	}
	for _, tt := range tests {
		for _, parallel := range []int{0, -1} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, parallel), func(t *testing.T) {
				g := mustGraph(t, tt.deps)
				if g.Width() != tt.width {
					t.Fatalf("Width = %d, want %d", g.Width(), tt.width)
				}
				gt := newGate(tt.width)
				results := Walk(context.Background(), g, gt.fn, Options{Parallel: parallel})
				if !OK(results) || gt.timedOut || gt.max != tt.width {
					t.Fatalf("ok=%v timedOut=%v max in flight %d, want %d", OK(results), gt.timedOut, gt.max, tt.width)
				}
			})
		}
	}
}

func TestEmptyGraph(t *testing.T) {
	called := false
	results := Walk(context.Background(), mustGraph(t, nil), func(context.Context, string) error {
		called = true
		return nil
	}, Options{})
	if len(results) != 0 || called {
		t.Fatalf("results %v, called %v", results, called)
	}
}

var errBoom = errors.New("boom")

func TestFailurePropagation(t *testing.T) {
	chain := map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}}
	diamond := map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}
	tests := []struct {
		name string
		deps map[string][]string
		fail []string
		// want maps node -> "status" or "blocked:root1,root2".
		want map[string]string
	}{
		{"chain names the root, not the blocked link", chain, []string{"a"},
			map[string]string{"a": "failed", "b": "blocked:a", "c": "blocked:a"}},
		{"chain fails in the middle", chain, []string{"b"},
			map[string]string{"a": "succeeded", "b": "failed", "c": "blocked:b"}},
		{"diamond side", diamond, []string{"b"},
			map[string]string{"a": "succeeded", "b": "failed", "c": "succeeded", "d": "blocked:b"}},
		{"diamond both sides", diamond, []string{"b", "c"},
			map[string]string{"a": "succeeded", "b": "failed", "c": "failed", "d": "blocked:b,c"}},
		{"diamond top", diamond, []string{"a"},
			map[string]string{"a": "failed", "b": "blocked:a", "c": "blocked:a", "d": "blocked:a"}},
		{"independent chains continue", map[string][]string{"a": nil, "b": {"a"}, "x": nil, "y": {"x"}, "z": {"y"}}, []string{"a"},
			map[string]string{"a": "failed", "b": "blocked:a", "x": "succeeded", "y": "succeeded", "z": "succeeded"}},
		{"roots gathered through blocked and failed upstreams", map[string][]string{
			"a": nil, "b": {"a"}, "q": nil, "d": {"b", "q"}, "e": {"d"}, "f": nil,
		}, []string{"a", "q"},
			map[string]string{"a": "failed", "b": "blocked:a", "q": "failed", "d": "blocked:a,q", "e": "blocked:a,q", "f": "succeeded"}},
		{"a leaf failure blocks nothing", map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}}, []string{"c"},
			map[string]string{"a": "succeeded", "b": "succeeded", "c": "failed"}},
	}
	for _, tt := range tests {
		for _, parallel := range []int{1, 0} {
			t.Run(fmt.Sprintf("%s/parallel=%d", tt.name, parallel), func(t *testing.T) {
				g := mustGraph(t, tt.deps)
				fail := map[string]bool{}
				for _, f := range tt.fail {
					fail[f] = true
				}
				var mu sync.Mutex
				ran := map[string]bool{}
				fn := func(ctx context.Context, n string) error {
					mu.Lock()
					ran[n] = true
					mu.Unlock()
					if fail[n] {
						return fmt.Errorf("deploy %s: %w", n, errBoom)
					}
					return nil
				}
				finished := map[string]Result{}
				results := Walk(context.Background(), g, fn, Options{Parallel: parallel, OnFinish: func(r Result) {
					if _, dup := finished[r.Node]; dup {
						t.Errorf("OnFinish twice for %s", r.Node)
					}
					finished[r.Node] = r
				}})
				got := map[string]string{}
				for _, r := range results {
					got[r.Node] = string(r.Status)
					switch r.Status {
					case Blocked:
						got[r.Node] += ":" + strings.Join(r.BlockedBy, ",")
						var be *BlockedError
						if !errors.As(r.Err, &be) || !reflect.DeepEqual(be.By, r.BlockedBy) {
							t.Errorf("%s: Err = %v, want a BlockedError by %v", r.Node, r.Err, r.BlockedBy)
						}
						if ran[r.Node] || !r.Started.IsZero() || r.Duration() != 0 {
							t.Errorf("blocked %s ran (started %v)", r.Node, r.Started)
						}
					case Failed:
						if !errors.Is(r.Err, errBoom) {
							t.Errorf("%s: Err = %v, want fn's error", r.Node, r.Err)
						}
					case Succeeded:
						if r.Err != nil || r.BlockedBy != nil {
							t.Errorf("%s: succeeded with %v %v", r.Node, r.Err, r.BlockedBy)
						}
					}
					if !reflect.DeepEqual(finished[r.Node], r) {
						t.Errorf("%s: OnFinish got %+v, Walk returned %+v", r.Node, finished[r.Node], r)
					}
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("statuses = %v, want %v", got, tt.want)
				}
			})
		}
	}
}

func TestBlockedErrorMessage(t *testing.T) {
	if got := (&BlockedError{By: []string{"a"}}).Error(); got != "not run: upstream a failed" {
		t.Errorf("one: %q", got)
	}
	if got := (&BlockedError{By: []string{"a", "b"}}).Error(); got != "not run: upstreams a, b failed" {
		t.Errorf("two: %q", got)
	}
}

func TestPanicFailsTheNode(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": nil})
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		if n == "a" {
			panic("nil map")
		}
		return nil
	}, Options{})
	byNode := map[string]Result{}
	for _, r := range results {
		byNode[r.Node] = r
	}
	if r := byNode["a"]; r.Status != Failed || !strings.HasPrefix(r.Err.Error(), "panic: nil map") {
		t.Errorf("a: %s %v", r.Status, r.Err)
	}
	if r := byNode["b"]; r.Status != Blocked || !reflect.DeepEqual(r.BlockedBy, []string{"a"}) {
		t.Errorf("b: %s %v", r.Status, r.BlockedBy)
	}
	if byNode["c"].Status != Succeeded {
		t.Errorf("c: %s", byNode["c"].Status)
	}
}

func statuses(results []Result) map[string]Status {
	out := map[string]Status{}
	for _, r := range results {
		out[r.Node] = r.Status
	}
	return out
}

func TestCancelStopsNewStarts(t *testing.T) {
	// With one at a time, a runs first (TopoSort: a, b, c, x) and
	// cancels; nothing else may start.
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}, "x": nil})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var ran []string
	results := Walk(ctx, g, func(ctx context.Context, n string) error {
		ran = append(ran, n)
		if n == "a" {
			cancel(errors.New("received SIGINT"))
		}
		return nil
	}, Options{Parallel: 1})
	want := map[string]Status{"a": Succeeded, "b": Skipped, "c": Skipped, "x": Skipped}
	if got := statuses(results); !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(ran, []string{"a"}) {
		t.Fatalf("ran %v, want only a", ran)
	}
	for _, r := range results[1:] {
		if !errors.Is(r.Err, ErrInterrupted) || r.Err.Error() != "interrupted: received SIGINT" || !r.Started.IsZero() {
			t.Errorf("%s: Err = %v, started %v", r.Node, r.Err, r.Started)
		}
	}
}

func TestCancelReachesRunningNodes(t *testing.T) {
	// a and x run together; a cancels once x runs; x sees the cancelled
	// context and fails with its error, so its dependent y is blocked,
	// while a's dependent b is skipped.
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "x": nil, "y": {"x"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	xRunning := make(chan struct{})
	results := Walk(ctx, g, func(ctx context.Context, n string) error {
		switch n {
		case "a":
			<-xRunning
			cancel()
			return nil
		case "x":
			close(xRunning)
			<-ctx.Done()
			return fmt.Errorf("x stopped: %w", ctx.Err())
		}
		t.Errorf("%s ran after cancel", n)
		return nil
	}, Options{Parallel: 2})
	want := map[string]Status{"a": Succeeded, "b": Skipped, "x": Failed, "y": Blocked}
	if got := statuses(results); !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	for _, r := range results {
		switch r.Node {
		case "x":
			if !errors.Is(r.Err, context.Canceled) {
				t.Errorf("x: %v", r.Err)
			}
		case "b":
			if !errors.Is(r.Err, ErrInterrupted) || !errors.Is(r.Err, context.Canceled) {
				t.Errorf("b: %v", r.Err)
			}
		}
	}
}

func TestCancelledBeforeWalk(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": nil})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var finished []string
	results := Walk(ctx, g, func(context.Context, string) error {
		t.Error("fn called after cancel")
		return nil
	}, Options{OnStart: func(n string) { t.Errorf("OnStart(%s) after cancel", n) }, OnFinish: func(r Result) { finished = append(finished, r.Node) }})
	for _, r := range results {
		if r.Status != Skipped {
			t.Errorf("%s: %s", r.Node, r.Status)
		}
	}
	if len(finished) != 3 {
		t.Errorf("OnFinish for %v", finished)
	}
}

func TestBlockedWinsOverSkipped(t *testing.T) {
	// d reads f (fails) and s (skipped because the failure cancels the
	// walk): d is blocked by f, not skipped.
	g := mustGraph(t, map[string][]string{"f": nil, "s": nil, "d": {"f", "s"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := Walk(ctx, g, func(ctx context.Context, n string) error {
		if n == "f" {
			cancel()
			return errBoom
		}
		return nil
	}, Options{Parallel: 1})
	want := map[string]Status{"f": Failed, "s": Skipped, "d": Blocked}
	if got := statuses(results); !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
}

func TestOnStartPrecedesFn(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": nil, "d": nil})
	var mu sync.Mutex
	startedBy := map[string]bool{}
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		mu.Lock()
		defer mu.Unlock()
		if !startedBy[n] {
			return fmt.Errorf("fn(%s) before OnStart", n)
		}
		return nil
	}, Options{OnStart: func(n string) {
		mu.Lock()
		startedBy[n] = true
		mu.Unlock()
	}})
	for _, r := range results {
		if r.Status != Succeeded {
			t.Errorf("%s: %v", r.Node, r.Err)
		}
	}
}

func TestReadyOrderStartsTheLongestChainFirst(t *testing.T) {
	// One at a time, the walk runs exactly in CriticalFirst order, which
	// here differs from TopoSort: z heads the longer chain.
	g := mustGraph(t, map[string][]string{"z": nil, "a": {"z"}, "m": nil, "b": {"m", "a"}, "c": nil})
	want := []string{"z", "m", "a", "c", "b"}
	if got := g.CriticalFirst(); !reflect.DeepEqual(got, want) || reflect.DeepEqual(want, g.TopoSort()) {
		t.Fatalf("CriticalFirst %v, TopoSort %v: the test needs them to differ", got, g.TopoSort())
	}
	var ran []string
	Walk(context.Background(), g, func(ctx context.Context, n string) error {
		ran = append(ran, n)
		return nil
	}, Options{Parallel: 1})
	if !reflect.DeepEqual(ran, want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
}

func TestCountsAndOK(t *testing.T) {
	results := []Result{{Status: Succeeded}, {Status: Failed}, {Status: Blocked}, {Status: Blocked}}
	if got := Counts(results); !reflect.DeepEqual(got, map[Status]int{Succeeded: 1, Failed: 1, Blocked: 2}) {
		t.Errorf("Counts = %v", got)
	}
	if OK(results) || !OK(results[:1]) || !OK(nil) {
		t.Error("OK wrong")
	}
}
