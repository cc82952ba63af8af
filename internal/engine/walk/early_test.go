package walk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"
)

// awaitUpstreams is what an early fn does before it depends on its
// upstreams: wait for each, and fail when one did not succeed.
func awaitUpstreams(ctx context.Context) error {
	u, ok := UpstreamsOf(ctx)
	if !ok {
		return errors.New("no Upstreams in an early walk")
	}
	for range u.Pending {
		select {
		case r := <-u.Settled:
			if r.Status != Succeeded {
				return fmt.Errorf("upstream %s %s", r.Node, r.Status)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func TestEarlyDependentStartsWhileItsUpstreamRuns(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}})
	bStarted := make(chan struct{})
	var pending []string
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		if n == "a" {
			select {
			case <-bStarted: // b runs while a does
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("b never started while a ran")
			}
		}
		u, _ := UpstreamsOf(ctx)
		pending = u.Pending
		close(bStarted)
		return awaitUpstreams(ctx)
	}, Options{Early: true, Parallel: 2})
	if !OK(results) {
		t.Fatalf("results: %+v", results)
	}
	if !reflect.DeepEqual(pending, []string{"a"}) {
		t.Fatalf("b's pending upstreams = %v, want [a]", pending)
	}
}

func TestEarlyDependentOfAFailureIsBlocked(t *testing.T) {
	// b starts early and stops when a fails: blocked, not failed; so does
	// c, which started early behind b.
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}})
	bStarted := make(chan struct{})
	var mu sync.Mutex
	ran := map[string]bool{}
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		mu.Lock()
		ran[n] = true
		mu.Unlock()
		switch n {
		case "a":
			<-bStarted
			return errBoom
		case "b":
			close(bStarted)
		}
		return awaitUpstreams(ctx)
	}, Options{Early: true, Parallel: 3})
	want := map[string]Status{"a": Failed, "b": Blocked, "c": Blocked}
	if got := statuses(results); !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	for _, r := range results[1:] {
		if !reflect.DeepEqual(r.BlockedBy, []string{"a"}) {
			t.Errorf("%s blocked by %v, want [a]", r.Node, r.BlockedBy)
		}
	}
	if !ran["b"] || !ran["c"] {
		t.Fatalf("ran %v: b and c start early", ran)
	}
}

func TestEarlyQueuedDependentOfAFailureNeverStarts(t *testing.T) {
	// a holds one slot; b fails in the other while c is queued behind
	// them: c must not start once b failed.
	g := mustGraph(t, map[string][]string{"a": nil, "b": nil, "c": {"b"}})
	if order := g.TopoSort(); !reflect.DeepEqual(order, []string{"a", "b", "c"}) {
		t.Fatalf("TopoSort %v: the test needs a and b to start before c", order)
	}
	release := make(chan struct{})
	var mu sync.Mutex
	ran := map[string]bool{}
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		mu.Lock()
		ran[n] = true
		mu.Unlock()
		switch n {
		case "a":
			<-release // until b is settled
		case "b":
			return errBoom
		}
		return awaitUpstreams(ctx)
	}, Options{Early: true, Parallel: 2, OnFinish: func(r Result) {
		if r.Node == "b" {
			close(release)
		}
	}})
	if got := statuses(results); got["c"] != Blocked || got["b"] != Failed || got["a"] != Succeeded {
		t.Fatalf("statuses = %v", got)
	}
	if ran["c"] {
		t.Fatal("c started after its upstream failed")
	}
}

func TestEarlyOneAtATimeNeverWaits(t *testing.T) {
	// With one slot the upstream holds it, so a dependent starts after it
	// finished and has nothing pending: no deadlock.
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": {"a", "b"}})
	var ran []string
	results := Walk(context.Background(), g, func(ctx context.Context, n string) error {
		u, _ := UpstreamsOf(ctx)
		if len(u.Pending) > 0 {
			return fmt.Errorf("%s has pending upstreams %v with one slot", n, u.Pending)
		}
		ran = append(ran, n)
		return nil
	}, Options{Early: true, Parallel: 1})
	if !OK(results) || !reflect.DeepEqual(ran, g.TopoSort()) {
		t.Fatalf("ran %v (%+v)", ran, results)
	}
}

func TestEarlyFnReturningFirstIsSettledAfterItsUpstreams(t *testing.T) {
	// b does not wait; its result is held until a settles, so results keep
	// dependency order.
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}})
	bDone := make(chan struct{})
	var order []string
	Walk(context.Background(), g, func(ctx context.Context, n string) error {
		if n == "a" {
			<-bDone
			time.Sleep(10 * time.Millisecond)
			return nil
		}
		close(bDone)
		return nil
	}, Options{Early: true, Parallel: 2, OnFinish: func(r Result) { order = append(order, r.Node+"="+string(r.Status)) }})
	if want := []string{"a=succeeded", "b=succeeded"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("finish order %v, want %v", order, want)
	}
}

func TestEarlyMatchesTheStrictWalkOnRandomGraphs(t *testing.T) {
	// Whatever fails, an early walk whose fns wait for their upstreams
	// ends with the statuses and root causes of the strict walk, and never
	// starts a node before all its upstreams started.
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 60 {
		g := mustGraph(t, randomDeps(r, 12, 0.25))
		fail := map[string]bool{}
		for _, n := range g.TopoSort() {
			fail[n] = r.Float64() < 0.15
		}
		parallel := 1 + r.IntN(4)
		strict := Walk(context.Background(), g, func(ctx context.Context, n string) error {
			if fail[n] {
				return errBoom
			}
			return nil
		}, Options{Parallel: parallel})
		started := map[string]bool{}
		var early2 string           // a node started before one of its upstreams
		onStart := func(n string) { // on the walk's goroutine
			for _, u := range g.Upstreams(n) {
				if !started[u] && early2 == "" {
					early2 = n + " before its upstream " + u
				}
			}
			started[n] = true
		}
		early := Walk(context.Background(), g, func(ctx context.Context, n string) error {
			time.Sleep(time.Duration(r2(n)) * time.Millisecond)
			if err := awaitUpstreams(ctx); err != nil {
				return err
			}
			if fail[n] {
				return errBoom
			}
			return nil
		}, Options{Early: true, Parallel: parallel, OnStart: onStart})
		if early2 != "" {
			t.Fatalf("graph %d: started %s", i, early2)
		}
		for j := range strict {
			s, e := strict[j], early[j]
			if s.Node != e.Node || s.Status != e.Status || !reflect.DeepEqual(s.BlockedBy, e.BlockedBy) {
				t.Fatalf("graph %d parallel=%d: %s strict %s %v, early %s %v (%v)", i, parallel, s.Node, s.Status, s.BlockedBy, e.Status, e.BlockedBy, e.Err)
			}
		}
	}
}

// r2 is a small per-node delay, fixed per name, to vary interleavings.
func r2(n string) int {
	h := 0
	for _, c := range n {
		h = h*31 + int(c)
	}
	return h % 3
}
