// Package walk runs a function over every node of a dependency graph with
// bounded concurrency: a node starts once all its upstreams succeeded (or,
// with Options.Early, once they all started; see early.go), a
// failure blocks everything that depends on it (and nothing else), and a
// cancelled context stops new starts while letting running nodes finish.
// It is the engine-free heart of the orchestrator's up, preview, refresh
// and destroy (on the reversed graph).
package walk

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/internal/graph"
)

// Status is the outcome of one node.
type Status string

// The outcomes of a node.
const (
	// Succeeded: fn ran and returned nil.
	Succeeded Status = "succeeded"
	// Failed: fn ran and returned an error (or panicked).
	Failed Status = "failed"
	// Blocked: never ran because an upstream failed or was blocked.
	Blocked Status = "blocked"
	// Skipped: never ran because the walk was interrupted first.
	Skipped Status = "skipped"
)

// ErrInterrupted is wrapped by the Err of every Skipped result.
var ErrInterrupted = errors.New("interrupted")

// BlockedError is the Err of a Blocked result.
type BlockedError struct {
	// By names the failed nodes that are the root cause, sorted.
	By []string
}

func (e *BlockedError) Error() string {
	noun := "upstream"
	if len(e.By) > 1 {
		noun = "upstreams"
	}
	return fmt.Sprintf("not run: %s %s failed", noun, strings.Join(e.By, ", "))
}

// Result is the outcome of one node.
type Result struct {
	Node   string
	Status Status
	// Err is fn's error for Failed, a *BlockedError for Blocked, and an
	// error wrapping ErrInterrupted for Skipped; nil for Succeeded.
	Err error
	// BlockedBy names, for Blocked, the failed node(s) that are the root
	// cause (not the blocked ones in between), sorted.
	BlockedBy []string
	// Started is when fn was called; zero for nodes that never ran.
	// Finished is when fn returned, or when the node was found blocked or
	// skipped.
	Started, Finished time.Time
}

// Duration is how long fn ran; zero for nodes that never ran.
func (r Result) Duration() time.Duration {
	if r.Started.IsZero() {
		return 0
	}
	return r.Finished.Sub(r.Started)
}

// Func does the work of one node. It gets the context of the walk; when that
// is cancelled it should stop soon and return an error.
type Func func(ctx context.Context, node string) error

// Options tune a walk.
type Options struct {
	// Parallel is the most fn calls running at once; <= 0 means the width
	// of the graph (the most that could ever run at once), at least 1.
	Parallel int
	// OnStart, when set, is called right before fn is called for node.
	OnStart func(node string)
	// Early starts a node as soon as every upstream has started, instead
	// of finished: its fn learns of them through UpstreamsOf(ctx) and must
	// wait there before it depends on their work (see early.go). A node
	// whose upstream fails before it starts never starts; one that started
	// and then fails while an upstream failed or was blocked is Blocked,
	// not Failed.
	Early bool
	// OnFinish, when set, is called once per node with its result, also for
	// blocked and skipped nodes.
	//
	// OnStart and OnFinish are called from the goroutine that called Walk,
	// never concurrently with each other, so they need no locking; they
	// delay scheduling while they run, so they should be quick.
	OnFinish func(Result)
}

// Walk runs fn for every node of g once all its upstreams in g succeeded, at
// most Parallel at a time. Among ready nodes, the one heading the longest
// chain of dependents starts first (g.CriticalFirst: the slowest chain
// starts first), ties in g.TopoSort() order.
//
// A failed node marks all its transitive dependents Blocked (never run) with
// BlockedBy naming the root failure(s); nodes that do not depend on it
// continue. A blocked node is reported once all its upstreams are settled,
// so BlockedBy names every failure it depends on.
//
// When ctx is cancelled, nodes not yet started are Skipped (Err wraps
// ErrInterrupted and the context's cause); running ones get the cancelled
// ctx and their fn's error decides their status. A node with a failed
// upstream is Blocked even if another upstream was skipped.
//
// A panic in fn is recovered and makes the node Failed. Walk returns when
// every node is settled and no fn is running, with one Result per node in
// g.TopoSort() order.
func Walk(ctx context.Context, g *graph.Graph, fn Func, opts Options) []Result {
	w := newWalker(ctx, g, fn, opts)
	w.run()
	out := make([]Result, len(w.order))
	for i, n := range w.order {
		out[i] = *w.results[n]
	}
	return out
}

// Counts returns how many results have each status.
func Counts(results []Result) map[Status]int {
	c := make(map[Status]int, 4)
	for _, r := range results {
		c[r.Status]++
	}
	return c
}

// OK reports whether every result succeeded.
func OK(results []Result) bool {
	for _, r := range results {
		if r.Status != Succeeded {
			return false
		}
	}
	return true
}

// walker is the state of one walk. Only the goroutine running run touches
// it; workers report back over done.
type walker struct {
	ctx      context.Context
	g        *graph.Graph
	fn       Func
	opts     Options
	parallel int

	order   []string       // g.TopoSort()
	rank    map[string]int // node -> index in g.CriticalFirst(): the start priority
	waiting map[string]int // node -> upstreams not yet settled
	results map[string]*Result
	ready   []string // sorted by rank
	running int
	done    chan finished

	// Early mode (early.go).
	queued    map[string]bool            // in ready
	started   map[string]bool            // fn called
	unstarted map[string]int             // node -> upstreams not yet started
	listeners map[string][]chan<- Result // upstream -> its early dependents
	held      map[string]finished        // fn returned before its upstreams settled
}

type finished struct {
	node string
	err  error
	at   time.Time
}

func newWalker(ctx context.Context, g *graph.Graph, fn Func, opts Options) *walker {
	p := opts.Parallel
	if p <= 0 {
		p = max(g.Width(), 1)
	}
	w := &walker{
		ctx: ctx, g: g, fn: fn, opts: opts, parallel: p,
		order:   g.TopoSort(),
		rank:    make(map[string]int, g.Len()),
		waiting: make(map[string]int, g.Len()),
		results: make(map[string]*Result, g.Len()),
		done:    make(chan finished, g.Len()),

		queued:    map[string]bool{},
		started:   map[string]bool{},
		unstarted: map[string]int{},
		listeners: map[string][]chan<- Result{},
		held:      map[string]finished{},
	}
	for i, n := range g.CriticalFirst() {
		w.rank[n] = i
	}
	for _, n := range w.order {
		w.waiting[n] = len(g.Upstreams(n))
		w.unstarted[n] = len(g.Upstreams(n))
		if w.waiting[n] == 0 {
			w.enqueue(n)
		}
	}
	return w
}

func (w *walker) run() {
	cancelled := w.ctx.Done()
	for {
		if w.ctx.Err() != nil {
			// Nothing new starts once the walk is interrupted.
			for len(w.ready) > 0 {
				n := w.ready[0]
				w.ready = w.ready[1:]
				w.queued[n] = false
				w.settle(n, Skipped, w.interrupted(), nil)
			}
		}
		for w.running < w.parallel && len(w.ready) > 0 {
			n := w.ready[0]
			w.ready = w.ready[1:]
			w.queued[n] = false
			w.start(n)
		}
		if w.running == 0 {
			break
		}
		select {
		case f := <-w.done:
			w.running--
			w.results[f.node].Finished = f.at
			if w.waiting[f.node] > 0 {
				w.held[f.node] = f // early: settled once its upstreams are
				continue
			}
			w.conclude(f)
		case <-cancelled:
			cancelled = nil // seen; the loop head handles it from now on
		}
	}
	if len(w.results) != len(w.order) {
		// Every node is reachable from a ready node, so this cannot happen.
		panic(fmt.Sprintf("walk: %d of %d nodes settled", len(w.results), len(w.order)))
	}
}

func (w *walker) interrupted() error {
	return fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(w.ctx))
}

// start launches fn for n.
func (w *walker) start(n string) {
	if w.opts.OnStart != nil {
		w.opts.OnStart(n)
	}
	w.results[n] = &Result{Node: n, Started: time.Now()}
	w.running++
	w.started[n] = true
	ctx := w.ctx
	if w.opts.Early {
		ctx = w.startedEarly(n)
	}
	go func() {
		err := w.call(ctx, n)
		w.done <- finished{node: n, err: err, at: time.Now()}
	}()
}

// call runs fn, turning a panic into an error.
func (w *walker) call(ctx context.Context, n string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return w.fn(ctx, n)
}

// conclude settles a node whose fn returned and whose upstreams are all
// settled.
func (w *walker) conclude(f finished) {
	switch roots := w.failedRoots(f.node); {
	case f.err == nil:
		w.settle(f.node, Succeeded, nil, nil)
	case len(roots) > 0:
		// Started early; it stopped because an upstream failed.
		w.settle(f.node, Blocked, &BlockedError{By: roots}, append([]string(nil), roots...))
	default:
		w.settle(f.node, Failed, f.err, nil)
	}
}

// settle records the final status of n, reports it, and settles or readies
// the dependents whose upstreams are now all settled.
func (w *walker) settle(n string, status Status, err error, blockedBy []string) {
	r := w.results[n]
	if r == nil {
		r = &Result{Node: n}
		w.results[n] = r
	}
	r.Status, r.Err, r.BlockedBy = status, err, blockedBy
	if r.Finished.IsZero() {
		r.Finished = time.Now()
	}
	if w.opts.OnFinish != nil {
		w.opts.OnFinish(*r)
	}
	w.tell(n, *r)
	for _, d := range w.g.Downstreams(n) {
		w.waiting[d]--
		if status != Succeeded && w.queued[d] {
			w.unqueue(d) // queued early: it must not start now
		}
		if w.waiting[d] == 0 {
			w.upstreamsSettled(d)
		}
	}
}

// upstreamsSettled decides n once all its upstreams are settled: ready when
// all succeeded, blocked when any failed or was blocked, skipped otherwise.
// A node that started early is settled once its fn has returned too.
func (w *walker) upstreamsSettled(n string) {
	if w.started[n] {
		if f, ok := w.held[n]; ok {
			delete(w.held, n)
			w.conclude(f)
		}
		return
	}
	if w.queued[n] {
		return // queued early, all upstreams succeeded
	}
	by := w.failedRoots(n)
	switch {
	case len(by) > 0:
		w.settle(n, Blocked, &BlockedError{By: by}, append([]string(nil), by...))
	case w.anySkipped(n):
		w.settle(n, Skipped, w.interrupted(), nil)
	default:
		w.enqueue(n)
	}
}

// failedRoots returns the failed nodes, sorted, that the settled upstreams
// of n failed or were blocked by.
func (w *walker) failedRoots(n string) []string {
	roots := map[string]bool{}
	for _, u := range w.g.Upstreams(n) {
		r := w.results[u]
		if r == nil {
			continue
		}
		switch r.Status {
		case Failed:
			roots[u] = true
		case Blocked:
			for _, b := range r.BlockedBy {
				roots[b] = true
			}
		}
	}
	by := make([]string, 0, len(roots))
	for b := range roots {
		by = append(by, b)
	}
	sort.Strings(by)
	return by
}

func (w *walker) anySkipped(n string) bool {
	for _, u := range w.g.Upstreams(n) {
		if r := w.results[u]; r != nil && r.Status == Skipped {
			return true
		}
	}
	return false
}

// enqueue inserts n into ready, in rank order.
func (w *walker) enqueue(n string) {
	i := sort.Search(len(w.ready), func(i int) bool { return w.rank[w.ready[i]] > w.rank[n] })
	w.ready = append(w.ready, "")
	copy(w.ready[i+1:], w.ready[i:])
	w.ready[i] = n
	w.queued[n] = true
}

func (w *walker) unqueue(n string) {
	for i, r := range w.ready {
		if r == n {
			w.ready = append(w.ready[:i], w.ready[i+1:]...)
			break
		}
	}
	w.queued[n] = false
}
