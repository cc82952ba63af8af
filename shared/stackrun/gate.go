package stackrun

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// gate holds back the program's reads of the upstreams in a task's Await
// until the orchestrator reports, on r, that each one finished.
type gate struct {
	awaited map[string]bool
	notify  func(string) // progress while waiting

	mu      sync.Mutex
	settled map[string]Upstream
	closed  bool          // r ended: nothing more will come
	change  chan struct{} // closed and replaced on every change
	waited  time.Duration
	// passed holds the awaited upstreams the program got past (their wait
	// returned nil).
	passed map[string]bool
}

// newGate starts reading Upstream lines from r for the awaited projects.
func newGate(r io.Reader, awaited []string, notify func(string)) *gate {
	g := &gate{awaited: map[string]bool{}, settled: map[string]Upstream{}, passed: map[string]bool{}, change: make(chan struct{}), notify: notify}
	for _, a := range awaited {
		g.awaited[a] = true
	}
	go g.read(r)
	return g
}

func (g *gate) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var u Upstream
		if json.Unmarshal(sc.Bytes(), &u) != nil || u.Project == "" {
			continue
		}
		g.mu.Lock()
		g.settled[u.Project] = u
		g.signal()
		g.mu.Unlock()
	}
	g.mu.Lock()
	g.closed = true
	g.signal()
	g.mu.Unlock()
}

// signal wakes every waiter; g.mu is held.
func (g *gate) signal() {
	close(g.change)
	g.change = make(chan struct{})
}

// wait returns once upstream finished: nil when it succeeded. An upstream
// not awaited returns at once.
func (g *gate) wait(ctx context.Context, upstream string) error {
	if !g.awaited[upstream] {
		return nil
	}
	start := time.Now()
	defer func() {
		g.mu.Lock()
		g.waited += time.Since(start)
		g.mu.Unlock()
	}()
	told := false
	for {
		g.mu.Lock()
		u, ok := g.settled[upstream]
		closed, change := g.closed, g.change
		g.mu.Unlock()
		switch {
		case ok && u.OK:
			g.mu.Lock()
			g.passed[upstream] = true
			g.mu.Unlock()
			return nil
		case ok:
			return &UpstreamError{Project: upstream, Status: u.Status}
		case closed:
			return &UpstreamError{Project: upstream, Status: "unknown: the orchestrator stopped before it finished"}
		}
		if !told && g.notify != nil {
			g.notify("waiting for " + upstream)
			told = true
		}
		select {
		case <-change:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", upstream, context.Cause(ctx))
		}
	}
}

// Waited is the time spent waiting so far.
func (g *gate) Waited() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waited
}

// UpstreamError is a program's failure because an upstream it awaited did
// not succeed: the project is blocked, not broken.
type UpstreamError struct {
	Project string
	Status  string
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("not run: upstream %s %s", e.Project, e.Status)
}

// failed returns the error of the first awaited upstream that did not
// succeed, or nil.
func (g *gate) failed() *UpstreamError {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, 0, len(g.awaited))
	for a := range g.awaited {
		names = append(names, a)
	}
	sort.Strings(names) // the same upstream named on every run
	for _, a := range names {
		if u, ok := g.settled[a]; ok && !u.OK {
			return &UpstreamError{Project: a, Status: u.Status}
		}
	}
	return nil
}

// notPassed returns the first awaited upstream, by name, that the program
// has not got past (it never read it, or is still waiting), or "": an
// interrupted program that had not got past them all declared nothing.
func (g *gate) notPassed() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var names []string
	for a := range g.awaited {
		if !g.passed[a] {
			names = append(names, a)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// stoppedAtGate is the result of a program that stopped at its first read
// of an upstream, before declaring anything: blocked by a failed upstream
// (Failed, with the upstream's error, which the orchestrator reports as
// blocked) or cancelled while waiting (Skipped). A stack this run created
// for it holds at most its root resource, and is removed, so no empty
// dependent stack is left behind.
func stoppedAtGate(ctx context.Context, t Task, stack auto.Stack, cmd auto.PulumiCommand, res Result, log io.Writer) Result {
	if t.Exists || t.Op != Deploy {
		return res
	}
	dep, err := stack.Export(ctx)
	if err != nil {
		fmt.Fprintf(log, "keeping stack %s: cannot read it: %v\n", t.Stack, err)
		return res
	}
	var state struct {
		Resources []struct {
			Type string `json:"type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		fmt.Fprintf(log, "keeping stack %s: %v\n", t.Stack, err)
		return res
	}
	for _, r := range state.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			fmt.Fprintf(log, "keeping stack %s: it holds a %s\n", t.Stack, r.Type)
			return res
		}
	}
	// Not Workspace.RemoveStack: `stack rm` deletes Pulumi.<stack>.yaml, the
	// committed configuration, unless told to preserve it.
	env := make([]string, 0, len(t.Env))
	for k, v := range t.Env {
		env = append(env, k+"="+v)
	}
	if _, stderr, _, err := cmd.Run(ctx, t.Dir, nil, nil, nil, env, "stack", "rm", "--yes", "--force", "--preserve-config", t.Stack); err != nil {
		fmt.Fprintf(log, "removing the empty stack %s: %v: %s\n", t.Stack, err, stderr)
		return res
	}
	fmt.Fprintf(log, "removed the empty stack %s this run created: %s\n", t.Stack, res.Note+res.Error)
	return res
}
