package walk

import (
	"context"
	"sort"
)

// Upstreams is what the fn of a node started early (Options.Early) learns
// of its upstreams: those still running when it started, and their results
// as each settles. An fn that depends on their work waits for them here,
// and gives up when one did not succeed.
type Upstreams struct {
	// Pending names the upstreams not settled when fn started, sorted.
	Pending []string
	// Settled delivers one Result per Pending upstream, as each settles.
	Settled <-chan Result
}

type upstreamsKey struct{}

// UpstreamsOf returns the Upstreams of the node whose fn got ctx; ok is
// false outside an early walk.
func UpstreamsOf(ctx context.Context) (u Upstreams, ok bool) {
	u, ok = ctx.Value(upstreamsKey{}).(Upstreams)
	return u, ok
}

// startedEarly records that n started: a dependent whose upstreams have all
// started is ready. It returns the context for n's fn, carrying n's
// pending upstreams.
func (w *walker) startedEarly(n string) context.Context {
	for _, d := range w.g.Downstreams(n) {
		w.unstarted[d]--
		if w.unstarted[d] == 0 && !w.started[d] && !w.queued[d] && w.waiting[d] > 0 &&
			len(w.failedRoots(d)) == 0 && !w.anySkipped(d) {
			w.enqueue(d)
		}
	}
	var pending []string
	for _, u := range w.g.Upstreams(n) {
		if r := w.results[u]; r == nil || r.Status == "" {
			pending = append(pending, u)
		}
	}
	sort.Strings(pending)
	ch := make(chan Result, len(pending))
	for _, u := range pending {
		w.listeners[u] = append(w.listeners[u], ch)
	}
	return context.WithValue(w.ctx, upstreamsKey{}, Upstreams{Pending: pending, Settled: ch})
}

// tell delivers the result of n to the early dependents waiting for it.
// Each channel has room for every upstream it waits for, so this never
// blocks.
func (w *walker) tell(n string, r Result) {
	for _, ch := range w.listeners[n] {
		ch <- r
	}
	delete(w.listeners, n)
}
