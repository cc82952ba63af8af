package orchestrate

import (
	"context"
	"fmt"
	"time"

	"github.com/clustera/infra/internal/engine/progress"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/shared/stackrun"
)

// Hooks let a caller follow a prepared run as it executes; any may be nil.
type Hooks struct {
	// Steps receives each project's engine steps (the resources that touch
	// a cloud object: op, type, name, URN, diffs, import mismatches) as
	// the project finishes, from its process over the channel: nothing is
	// read back from the event files. Setting it makes every task ask its
	// process for them. It is called once for every project whose task
	// ran, with no steps for one that failed before the engine reported
	// any (a dependent started early that stopped at a failed upstream
	// included); never for one blocked or skipped before it started; and
	// concurrently for projects that finish together.
	Steps func(project string, steps []stackrun.Step)
}

// Execute runs the prepared plan with the live board and returns the
// report. Failures of single projects are in the report.
func (p *Prepared) Execute(ctx context.Context, h Hooks) *report.Report {
	req := p.req
	if p.empty() {
		fmt.Fprintf(req.Out, "%s: nothing to do in %s (no project selected)\n", req.Op, req.Env)
		rep := &report.Report{Env: req.Env, Operation: string(req.Op), Started: time.Now()}
		rep.Finish()
		return rep
	}
	s, plan := p.session, p.plan
	fmt.Fprintf(req.Out, "%s · env %s · %d project(s) · parallel %d · state %s\n  logs: %s\n", req.Op, req.Env,
		len(plan.Order), p.parallel, s.BackendURL, rel(req.Root, p.runDir))
	switch {
	case s.Rehearsal:
		fmt.Fprintf(req.Out, "  rehearsal of %s: its real configuration and policies against the in-process sandbox (a test double); nothing leaves this machine\n", req.Env)
	case s.IsLocal():
		fmt.Fprintln(req.Out, "  local environment: the cloud is the in-process sandbox (a test double); nothing leaves this machine")
	}

	board := progress.New(req.Out, string(req.Op), plan.Order, req.TTY)
	p.runner.Observe = board.Update
	rep := Execute(ctx, hooked(plan, h), withHooks(p.runner, h), p.parallel, board)
	board.Stop()
	rep.RunDir = p.runDir
	// Each project process masks its stack's secrets in what it reports;
	// the credentials of this environment are masked once more here.
	rep.Masker = stackrun.EnvSecrets()
	return rep
}

// hooked returns the plan with its tasks asking for what the hooks need.
func hooked(plan *Plan, h Hooks) *Plan {
	if h.Steps == nil {
		return plan
	}
	out := *plan
	out.Tasks = make(map[string]runner.Task, len(plan.Tasks))
	for n, t := range plan.Tasks {
		t.Steps = true
		out.Tasks[n] = t
	}
	return &out
}

// withHooks returns exec with each outcome handed to the hooks.
func withHooks(exec Executor, h Hooks) Executor {
	if h.Steps == nil {
		return exec
	}
	return hookedExecutor{exec, h}
}

type hookedExecutor struct {
	exec  Executor
	hooks Hooks
}

func (e hookedExecutor) Run(ctx context.Context, t runner.Task) runner.Outcome {
	out := e.exec.Run(ctx, t)
	e.hooks.Steps(t.Project, out.Steps)
	return out
}
