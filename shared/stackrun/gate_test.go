package stackrun

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func send(t *testing.T, w io.Writer, u Upstream) {
	t.Helper()
	if err := json.NewEncoder(w).Encode(u); err != nil {
		t.Fatal(err)
	}
}

func TestGateWaitsForEachAwaitedUpstream(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	var notes []string
	g := newGate(r, []string{"a", "b"}, func(s string) { notes = append(notes, s) })
	ctx := context.Background()
	if err := g.wait(ctx, "not-awaited"); err != nil {
		t.Fatalf("an upstream not awaited waited: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- g.wait(ctx, "a") }()
	select {
	case err := <-done:
		t.Fatalf("returned before a finished: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	send(t, w, Upstream{Project: "a", OK: true})
	if err := <-done; err != nil {
		t.Fatalf("a succeeded: %v", err)
	}
	send(t, w, Upstream{Project: "b", Status: "failed"})
	err := g.wait(ctx, "b")
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Project != "b" || err.Error() != "not run: upstream b failed" {
		t.Fatalf("b failed: err = %v", err)
	}
	if f := g.failed(); f == nil || f.Project != "b" {
		t.Fatalf("failed() = %v", f)
	}
	if at := g.notPassed(); at != "b" {
		t.Fatalf("notPassed() = %q, want b (a was passed, b failed)", at)
	}
	if g.Waited() < 50*time.Millisecond {
		t.Fatalf("Waited = %s, want at least the 50ms a took", g.Waited())
	}
	if len(notes) != 1 || notes[0] != "waiting for a" {
		t.Fatalf("progress %q", notes)
	}
}

func TestGateGivesUpWhenTheOrchestratorGoesAway(t *testing.T) {
	g := newGate(strings.NewReader(""), []string{"a"}, nil)
	if err := g.wait(context.Background(), "a"); err == nil || !strings.Contains(err.Error(), "orchestrator stopped") {
		t.Fatalf("err = %v", err)
	}
}

func TestGateStopsOnCancel(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	g := newGate(r, []string{"a"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if err := g.wait(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
}
