// Package runner runs one engine operation on one project's stack in a
// process of its own: the project's binary (bin/projects/<name>, built by
// Build) for operations that run the program, the orchestrator's own binary
// for refresh, destroy and outputs, which never do. It speaks the channel of
// shared/stackrun, forwards interrupts, and turns a crash (a panic, a kill)
// into a failed Outcome after ending the crashed process's Pulumi CLIs
// cleanly, so no lock is left behind.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/shared/procid"
	"github.com/clustera/infra/shared/stackrun"
)

// Op is an engine operation.
type Op = stackrun.Op

// The operations.
const (
	Deploy  = stackrun.Deploy
	Preview = stackrun.Preview
	Refresh = stackrun.Refresh
	Destroy = stackrun.Destroy
	Drift   = stackrun.Drift
	Outputs = stackrun.Outputs
)

// ParseOp parses an operation name.
func ParseOp(s string) (Op, error) {
	switch op := Op(s); op {
	case Deploy, Preview, Refresh, Destroy, Drift, Outputs:
		return op, nil
	}
	return "", fmt.Errorf("unknown operation %q (deploy, preview, refresh, destroy, drift, outputs)", s)
}

// Task is one operation on one project.
type Task struct {
	Project string
	Op      Op
	// Placeholders lists upstream projects whose stacks do not exist yet;
	// a preview reads unknown placeholder values for them.
	Placeholders []string
	// Exists reports whether the project's stack exists in the backend.
	Exists bool
	// ClearPendingCreates: a refresh drops pending creates.
	ClearPendingCreates bool
	// Await lists upstreams still running when the task starts; Settled
	// delivers one Upstream per entry as each finishes, which the process
	// gets on its stdin (its program's reads of them wait for it).
	Await   []string
	Settled <-chan stackrun.Upstream
	// Steps asks the process for the engine's steps (Outcome.Steps).
	Steps bool
}

// Outcome is the result of a task.
type Outcome struct {
	Result       report.Result
	Changes      report.Changes
	Outputs      map[string]any // secrets are [secret]
	Drift        []string
	Violations   []string
	Placeholders []string
	Log, Events  string
	Note         string
	Err          error
	// Waited is how long the program waited for its upstreams.
	Waited time.Duration
	// Steps are the engine's steps of the project's cloud objects, when
	// the task asked for them.
	Steps []stackrun.Step
}

// Runner runs tasks for a session.
type Runner struct {
	S      *session.Session
	RunDir string
	// Observe receives short progress messages; may be nil.
	Observe func(project, msg string)
	// PreviewFirst makes every deploy run a preview with the policy pack
	// first and stop on its failure; the orchestrator sets it where
	// policies are mandatory.
	PreviewFirst bool
	// Binaries maps a project to its built binary (Build).
	Binaries map[string]string
	// Host runs the operations that need no program; default: this
	// executable.
	Host string
	// Failed holds projects that cannot run (compile error, invalid
	// configuration): they fail at once with that error.
	Failed map[string]error
	// Hard, when closed, kills every running project process and its CLIs
	// at once (a second Ctrl-C).
	Hard <-chan struct{}
	// Timeout, when positive, bounds each project's operation: a project
	// still running then is interrupted (its CLI saves the stack and
	// unlocks) and fails, naming the deadline; the others go on. One still
	// running TimeoutGrace after that interrupt (a provider that never
	// answers) is killed.
	Timeout, TimeoutGrace time.Duration
}

// Run runs a task. Failures are in the Outcome.
func (r *Runner) Run(ctx context.Context, t Task) Outcome {
	out := Outcome{
		Log:    filepath.Join(r.RunDir, t.Project+".log"),
		Events: filepath.Join(r.RunDir, t.Project+".events.jsonl"),
	}
	if err := r.Failed[t.Project]; err != nil {
		out.Result, out.Err = report.Failed, err
		if _, statErr := os.Stat(out.Log); statErr != nil {
			_ = os.WriteFile(out.Log, []byte(err.Error()+"\n"), 0o644)
		}
		return out
	}
	if !t.Exists && t.Op != Deploy && t.Op != Preview {
		out.Result, out.Note = report.Skipped, "no stack in this environment; nothing to "+string(t.Op)
		_ = os.WriteFile(out.Log, []byte(out.Note+"\n"), 0o644)
		return out
	}
	bin := r.Host
	if t.Op.RunsProgram() {
		bin = r.Binaries[t.Project]
		if bin == "" {
			out.Result, out.Err = report.Failed, fmt.Errorf("%s was not built", t.Project)
			return out
		}
	} else if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			out.Result, out.Err = report.Failed, err
			return out
		}
		bin = exe
	}
	task, err := r.task(t, out)
	if err != nil {
		out.Result, out.Err = report.Failed, err
		return out
	}
	last := "starting"
	p := &process{
		bin: bin, task: task, hard: r.Hard, settled: t.Settled,
		observe: func(msg string) { last = msg; r.observe(t.Project, msg) },
	}
	runCtx := ctx
	if r.Timeout > 0 {
		// The deadline counts from the moment the last awaited upstream
		// finished: waiting for a slow upstream is not this project's
		// fault.
		var cancel context.CancelFunc
		runCtx, cancel = context.WithCancel(ctx)
		defer cancel()
		p.opened = make(chan struct{})
		go func() {
			select {
			case <-p.opened:
			case <-runCtx.Done():
				return
			}
			select {
			case <-time.After(r.Timeout):
				cancel()
			case <-runCtx.Done():
			}
		}()
		p.killAfter = r.TimeoutGrace
		if p.killAfter <= 0 {
			p.killAfter = time.Minute
		}
	}
	res, crash := p.run(runCtx)
	if ctx.Err() == nil && runCtx.Err() != nil {
		// Our own deadline, not the user's Ctrl-C: a failure.
		out = outcomeOf(out, res)
		out.Result = report.Failed
		what := last
		if _, steps, ok := strings.Cut(res.Note, "in flight when interrupted: "); ok {
			what = steps
		}
		how := "the CLI was interrupted and saved the stack"
		if p.killed {
			how = fmt.Sprintf("it did not stop within %s of its interrupt and was killed: the stack stays locked until the next run proves the lock stale and clears it", p.killAfter)
		}
		out.Err = fmt.Errorf("timed out after %s (-timeout) while %s; %s; a provider or the network did not answer in time (raise -timeout, or see the log)", r.Timeout, what, how)
		return out
	}
	if p.killed {
		// A second Ctrl-C: nothing saved; say what is left behind.
		out.Result = report.Interrupted
		msg := fmt.Sprintf("aborted (second Ctrl-C) while %s: its process and CLI were killed; the stack may stay locked until the next run, which clears a lock it proves stale", last)
		if pending, err := r.pendingOperations(t.Project); err == nil && len(pending) > 0 {
			msg += "\n" + pendingNote(t.Project, r.S.Settings.Name, pending)
		}
		out.Err = errors.New(msg)
		return out
	}
	if crash != nil {
		out.Result, out.Err = report.Failed, r.afterCrash(crash, t.Project)
		return out
	}
	return outcomeOf(out, res)
}

// task builds the channel task of t.
func (r *Runner) task(t Task, out Outcome) (stackrun.Task, error) {
	dir, err := r.S.WorkDir(t.Project)
	if err != nil {
		return stackrun.Task{}, err
	}
	st := stackrun.Task{
		Project: t.Project, Stack: r.S.Settings.Name, Op: t.Op, Root: r.S.Root, Dir: dir,
		CLI: r.S.Cmd.Path(), CLIVersion: r.S.Cmd.Version().String(), Env: r.S.EnvVars(), Passphrase: r.S.UsesPassphrase(),
		PreviewFirst: r.PreviewFirst && t.Op == Deploy, Placeholders: t.Placeholders, Log: out.Log, Events: out.Events,
		Exists: t.Exists, ClearPendingCreates: t.ClearPendingCreates,
		Owners: procid.OwnersDir(r.S.EnvDir), Steps: t.Steps,
	}
	if t.Op.RunsProgram() && t.Settled != nil {
		st.Await = t.Await
	}
	if r.S.PolicyPack != "" && (t.Op == Deploy || t.Op == Preview || t.Op == Drift) {
		path, err := r.S.PolicyConfigFile(r.RunDir)
		if err != nil {
			return st, err
		}
		st.PolicyPack, st.PolicyConfig = r.S.PolicyPack, path
	}
	return st, nil
}

func outcomeOf(out Outcome, res stackrun.Result) Outcome {
	out.Changes = report.ChangesFrom(res.Changes)
	out.Outputs, out.Drift, out.Violations, out.Placeholders, out.Note = res.Outputs, res.Drift, res.Violations, res.Placeholders, res.Note
	out.Waited = time.Duration(res.Waited * float64(time.Second))
	out.Steps = res.Steps
	switch res.Status {
	case stackrun.Succeeded:
		out.Result = report.Succeeded
	case stackrun.Changed:
		out.Result = report.Changed
	case stackrun.NoOp:
		out.Result = report.NoOp
	case stackrun.Interrupted:
		out.Result = report.Interrupted
	case stackrun.Skipped:
		out.Result = report.Skipped
	default:
		out.Result = report.Failed
	}
	if res.Error != "" {
		out.Err = fmt.Errorf("%s", res.Error)
	}
	return out
}

func (r *Runner) observe(project, msg string) {
	if r.Observe != nil {
		r.Observe(project, msg)
	}
}

// CheckConfig runs the config check of each named project in its own
// process (its binary's validate mode, under mocks, no engine), at most
// parallel at once, and returns the projects whose configuration is
// invalid, or whose check crashed, with the error.
func (r *Runner) CheckConfig(ctx context.Context, names []string, parallel int) map[string]error {
	if parallel < 1 {
		parallel = 1
	}
	var mu sync.Mutex
	errs := map[string]error{}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, n := range names {
		bin := r.Binaries[n]
		if bin == "" || r.Failed[n] != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t := stackrun.Task{Project: n, Stack: r.S.Settings.Name, Op: stackrun.Validate, Root: r.S.Root,
				Dir: r.S.ProjectDir(n), Log: filepath.Join(r.RunDir, n+".log")}
			p := &process{bin: bin, task: t, hard: r.Hard, observe: func(string) {}}
			res, c := p.run(ctx)
			var err error
			switch {
			case c != nil:
				err = r.afterCrash(c, n)
			case res.Status != stackrun.Succeeded:
				err = errors.New(res.Error)
			}
			if err != nil {
				mu.Lock()
				errs[n] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}
