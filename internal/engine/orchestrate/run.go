package orchestrate

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
)

// Request is one orchestrator run.
type Request struct {
	Root      string
	StateDir  string // default <root>/.state
	Env       string
	Op        runner.Op
	Selection Selection
	Parallel  int    // <= 0: the width of the graph
	Confirm   string // destroy in prod needs "prod"
	NoPolicy  bool
	JSON      bool // outputs as JSON
	Out       io.Writer
	TTY       bool
	Command   string // how this run was invoked, for lock messages
	// Hard, when closed, aborts at once: every project process and CLI is
	// killed (a second Ctrl-C).
	Hard <-chan struct{}
	// Rehearsal runs Env's configuration against the sandbox, with its own
	// state (go run mage.go rehearse).
	Rehearsal bool
	// ClearPendingCreates makes a refresh drop the pending creates an
	// interrupted run left.
	ClearPendingCreates bool
	// Timeout bounds each project's operation (0: none).
	Timeout time.Duration
}

// Run runs the request and returns its report: Prepare, Execute, Publish.
// An error means the run could not start (bad input, preflight refusal) or
// its report could not be written; failures of single projects are in the
// report.
func Run(ctx context.Context, req Request) (*report.Report, error) {
	p, err := Prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rep := p.Execute(ctx, Hooks{})
	return rep, p.Publish(rep)
}

// closed reports whether c is closed (a nil channel never is).
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return c != nil
	default:
		return false
	}
}

// scope names the run's state: the environment, or its rehearsal.
func (req Request) scope() string {
	if req.Rehearsal {
		return "rehearsal-" + req.Env
	}
	return req.Env
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
