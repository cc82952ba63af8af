package stackrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blang/semver"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/procid"
	"github.com/clustera/infra/shared/pulumicmd"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Hooks receive what a running task reports; any may be nil.
type Hooks struct {
	// Upstreams delivers the orchestrator's Upstream lines for the task's
	// Await (the process's stdin); without it nothing is awaited.
	Upstreams io.Reader
	Progress  func(text string)
	CLIStart  func(pid int)
	CLIExit   func(pid int)
}

// drainTimeout bounds the wait for the engine's event stream after an
// operation returned; the Automation API closes it once the CLI's event log
// is drained, and only a path where it never opened it needs the bound.
const drainTimeout = 10 * time.Second

// Execute runs the task with the project's program and returns its result.
// ctx cancels cleanly (one interrupt per CLI); hard kills the CLIs at once.
func Execute(ctx context.Context, hard <-chan struct{}, t Task, p Project, h Hooks) Result {
	progress := func(s string) {
		if h.Progress != nil {
			h.Progress(s)
		}
	}
	if t.Root != "" {
		// Programs find the repository (environment files, topic files)
		// through it.
		_ = os.Setenv(layout.EnvRoot, t.Root)
	}
	// The program runs in this process, not in the CLI that t.Env is
	// for: the session's INFRA_* variables (the sandbox's artifact store,
	// INFRA_ARTIFACTS_*) are meant for it.
	for k, v := range t.Env {
		if strings.HasPrefix(k, "INFRA_") {
			_ = os.Setenv(k, v)
		}
	}
	if t.Op == Validate {
		return validate(t, p)
	}
	logf, err := os.OpenFile(t.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Result{Status: Failed, Error: fmt.Sprintf("opening the log: %v", err)}
	}
	defer logf.Close()
	evf, err := os.Create(t.Events)
	if err != nil {
		return Result{Status: Failed, Error: fmt.Sprintf("opening the event log: %v", err)}
	}
	defer evf.Close()

	v, err := semver.ParseTolerant(t.CLIVersion)
	if err != nil {
		return Result{Status: Failed, Error: fmt.Sprintf("CLI version %q: %v", t.CLIVersion, err)}
	}
	cmd := pulumicmd.NewCommand(t.CLI, v)
	cmd.Hard = hard
	var mu sync.Mutex
	owners := map[int]func(){}
	cmd.OnStart = func(pid int) {
		// The owner record proves later that this CLI is dead, should it
		// leave its stack lock behind (shared/procid).
		if id, err := procid.Of(pid); err == nil && t.Owners != "" {
			if remove, err := procid.WriteOwner(t.Owners, id); err == nil {
				mu.Lock()
				owners[pid] = remove
				mu.Unlock()
			}
		}
		if h.CLIStart != nil {
			h.CLIStart(pid)
		}
	}
	cmd.OnExit = func(pid int, clean bool) {
		mu.Lock()
		remove := owners[pid]
		delete(owners, pid)
		mu.Unlock()
		// A CLI that succeeded released its lock; the record of any other
		// stays, to prove a lock it may have left stale (pruned later).
		if remove != nil && clean {
			remove()
		}
		if h.CLIExit != nil {
			h.CLIExit(pid)
		}
	}
	skip := skipper(t)
	var running atomic.Pointer[run]
	cmd.Skip = func(args []string) (string, bool) {
		if out, ok := skip(args); ok {
			return out, true
		}
		if r := running.Load(); r != nil {
			return r.outputsFromUpdate(args)
		}
		return "", false
	}
	program := p.Program
	if program == nil {
		if t.Op.RunsProgram() {
			return Result{Status: Failed, Error: fmt.Sprintf("%s needs the program of %s: run it from the project's own binary", t.Op, t.Project)}
		}
		// refresh and destroy never run the program.
		program = func(*pulumi.Context) error { return nil }
	}

	var g *gate
	if len(t.Await) > 0 && h.Upstreams != nil && t.Op.RunsProgram() {
		g = newGate(h.Upstreams, t.Await, progress)
		release := contracts.AwaitUpstreams(func(upstream string) error { return g.wait(ctx, upstream) })
		defer release()
	}

	progress("opening stack")
	stack, err := openStack(ctx, t, cmd, program)
	if err != nil {
		fmt.Fprintln(logf, err)
		switch {
		case ctx.Err() != nil && g != nil:
			// Started early and interrupted before its program ran.
			return Result{Status: Skipped, Note: "interrupted before it read " + g.notPassed() + ": nothing declared"}
		case ctx.Err() != nil:
			return Result{Status: Interrupted, Error: err.Error()}
		}
		return Result{Status: Failed, Error: stateHint(t.Project, t.Stack, err.Error())}
	}
	envSecrets := EnvSecrets()
	r := &run{ctx: ctx, t: t, stack: stack, logw: masked(logf, envSecrets), evw: masked(evf, envSecrets), progress: progress}
	r.steps = newStepLog(t)
	running.Store(r)
	res := r.do(ctx)
	res.Steps = r.steps.list()
	res.Error = stateHint(t.Project, t.Stack, res.Error)
	if res.Status == Failed && ctx.Err() != nil {
		res.Status = Interrupted
	}
	if g != nil {
		// Stopped at its first read of an upstream: nothing declared.
		res.Waited = g.Waited().Seconds()
		if up := g.failed(); up != nil && res.Status == Failed {
			res = stoppedAtGate(context.WithoutCancel(ctx), t, stack, cmd, Result{Status: Failed, Error: up.Error(), Waited: res.Waited}, logf)
		} else if at := g.notPassed(); at != "" && ctx.Err() != nil {
			res = stoppedAtGate(context.WithoutCancel(ctx), t, stack, cmd, Result{Status: Skipped, Note: "interrupted while waiting for " + at + ": nothing declared", Waited: res.Waited}, logf)
		}
	}
	if res.Error != "" || len(res.Violations) > 0 {
		mask(context.WithoutCancel(ctx), stack, &res)
	}
	return res
}

func openStack(ctx context.Context, t Task, cmd auto.PulumiCommand, program pulumi.RunFunc) (auto.Stack, error) {
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(t.Dir), auto.Pulumi(cmd), auto.EnvVars(t.Env)}
	if t.Passphrase {
		opts = append(opts, auto.SecretsProvider("passphrase"))
	}
	var st auto.Stack
	var err error
	if t.Op == Deploy || t.Op == Preview {
		st, err = auto.UpsertStackInlineSource(ctx, t.Stack, t.Project, program, opts...)
	} else {
		st, err = auto.SelectStackInlineSource(ctx, t.Stack, t.Project, program, opts...)
	}
	if err != nil {
		return st, fmt.Errorf("stack %s/%s: %w", t.Project, t.Stack, err)
	}
	return st, nil
}

// run is one task's engine work.
type run struct {
	ctx        context.Context
	t          Task
	stack      auto.Stack
	logw, evw  io.Writer // the log and the event stream, credentials masked
	progress   func(string)
	violations []string
	// updating is the collector of the update in flight, if any: the
	// outputs read right after it are served from its events.
	updating atomic.Pointer[collector]
	current  atomic.Pointer[collector] // the collector of the operation in flight
	steps    *stepLog                  // nil unless the task asks for its steps
}

func (r *run) do(ctx context.Context) Result {
	t := r.t
	var res Result
	var counts map[string]int
	var col *collector
	var err error
	switch t.Op {
	case Deploy:
		if t.PreviewFirst {
			// Stack policies only run once a program has finished, which in
			// an update is after its resources changed: a preview with the
			// pack first stops every mandatory violation before anything.
			r.progress("previewing with the policy pack")
			fmt.Fprintln(r.logw, "== preview (policy check before the update)")
			var pcounts map[string]int
			var pcol *collector
			if pcounts, pcol, err = r.engine(r.preview(ctx, false)); err != nil {
				col = newCollector(nil, nil)
				break
			}
			if outs, ok := nothingToUpdate(pcounts, pcol); ok {
				// The update would change nothing: no second engine run.
				fmt.Fprintln(r.logw, "\n== update skipped: the preview with the policy pack found nothing to change")
				counts, col, res.Outputs = pcounts, pcol, outs
				res.Note = "update skipped: the policy preview found nothing to change"
				break
			}
			fmt.Fprintln(r.logw, "\n== update")
		}
		counts, col, err = r.engine(func(ch chan<- events.EngineEvent) (map[string]int, error) {
			// ShowSecrets(false): the update summary is read without
			// decrypting the stack's secrets.
			opts := []optup.Option{optup.ProgressStreams(r.logw), optup.ErrorProgressStreams(r.logw), optup.EventStreams(ch),
				optup.Color("never"), optup.SuppressProgress(), optup.ShowSecrets(false)}
			if t.PolicyPack != "" {
				opts = append(opts, optup.PolicyPacks(t.PolicyPack), optup.PolicyPackConfigs(t.PolicyConfig))
			}
			r.updating.Store(r.current.Load())
			defer r.updating.Store(nil)
			up, err := r.stack.Up(ctx, opts...)
			if err != nil {
				return nil, err
			}
			res.Outputs = plainOutputs(up.Outputs)
			return derefCounts(up.Summary.ResourceChanges), nil
		})
	case Preview, Drift:
		if len(t.Placeholders) > 0 {
			release := contracts.UsePlaceholders(t.Project, t.Stack, t.Placeholders)
			defer release()
			res.Placeholders = t.Placeholders
		}
		counts, col, err = r.engine(r.preview(ctx, t.Op == Drift))
	case Refresh:
		counts, col, err = r.engine(func(ch chan<- events.EngineEvent) (map[string]int, error) {
			opts := []optrefresh.Option{optrefresh.ProgressStreams(r.logw), optrefresh.ErrorProgressStreams(r.logw),
				optrefresh.EventStreams(ch), optrefresh.Color("never"), optrefresh.SuppressProgress(), optrefresh.ShowSecrets(false)}
			if t.ClearPendingCreates {
				opts = append(opts, optrefresh.ClearPendingCreates())
			}
			out, err := r.stack.Refresh(ctx, opts...)
			if err != nil {
				return nil, err
			}
			return derefCounts(out.Summary.ResourceChanges), nil
		})
	case Destroy:
		counts, col, err = r.engine(func(ch chan<- events.EngineEvent) (map[string]int, error) {
			out, err := r.stack.Destroy(ctx, optdestroy.ProgressStreams(r.logw), optdestroy.ErrorProgressStreams(r.logw),
				optdestroy.EventStreams(ch), optdestroy.Color("never"), optdestroy.SuppressProgress(), optdestroy.ShowSecrets(false))
			if err != nil {
				return nil, err
			}
			return derefCounts(out.Summary.ResourceChanges), nil
		})
	case Outputs:
		r.progress("reading outputs")
		col = newCollector(nil, nil)
		var outs auto.OutputMap
		outs, err = r.stack.Outputs(ctx)
		res.Outputs = plainOutputs(outs)
	default:
		col = newCollector(nil, nil)
		err = fmt.Errorf("unsupported operation %q", t.Op)
	}

	res.Violations = dedupe(r.violations)
	if pending := col.pendingOps(); len(pending) > 0 {
		res.Note = "the engine found operations an interrupted earlier run left pending: " + strings.Join(pending, "; ")
		if strings.Contains(strings.Join(pending, " "), "interrupted while creating") {
			res.Note += fmt.Sprintf("; check those objects in the cloud: if they exist, import them, otherwise drop the pending creates with "+
				"bin/infra refresh -env %s -project %s -clear-pending-creates (docs/runbooks/failed-deploy.md)", t.Stack, t.Project)
		}
	}
	if ctx.Err() != nil {
		if steps := col.interruptedSteps(); len(steps) > 0 {
			res.Note = strings.TrimPrefix(res.Note+"; ", "; ") + "in flight when interrupted: " + strings.Join(steps, ", ")
		}
	}
	if t.Op == Drift {
		res.Drift = col.changed()
	}
	if err != nil {
		res.Status = Failed
		res.Error = col.explain(ctx, err).Error()
		fmt.Fprintf(r.logw, "\nerror: %v\n", err)
		return res
	}
	res.Changes = counts
	changed := false
	for op, n := range counts {
		if op != "same" && n > 0 {
			changed = true
		}
	}
	switch {
	case t.Op == Outputs:
		res.Status = Succeeded
	case t.Op == Drift:
		res.Status = NoOp
		if len(res.Drift) > 0 {
			res.Status = Changed
		}
	case changed:
		res.Status = Changed
	default:
		res.Status = NoOp
	}
	return res
}

// engine runs one engine operation with its event stream collected.
func (r *run) engine(f func(ch chan<- events.EngineEvent) (map[string]int, error)) (map[string]int, *collector, error) {
	col := newCollector(r.evw, r.progress)
	r.current.Store(col)
	col.record = r.steps
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() { col.consume(ch); close(done) }()
	go func() {
		select {
		case <-r.ctx.Done():
			col.freeze()
		case <-done:
		}
	}()
	counts, err := f(ch)
	select {
	case <-done:
	case <-time.After(drainTimeout):
	}
	// Events that still arrive are dropped: the event file is closed after
	// the task, and nothing reads the collector concurrently any more.
	col.stop()
	r.violations = append(r.violations, col.policyViolations()...)
	if err == nil && len(counts) == 0 {
		// The update's history is not read (skipper): its change counts
		// are the engine's summary event.
		counts = col.summaryCounts()
	}
	return counts, col, err
}

func (r *run) preview(ctx context.Context, refresh bool) func(ch chan<- events.EngineEvent) (map[string]int, error) {
	return func(ch chan<- events.EngineEvent) (map[string]int, error) {
		opts := []optpreview.Option{optpreview.ProgressStreams(r.logw), optpreview.ErrorProgressStreams(r.logw),
			optpreview.EventStreams(ch), optpreview.Color("never"), optpreview.SuppressProgress(), optpreview.Diff()}
		if refresh {
			opts = append(opts, optpreview.Refresh())
		}
		if r.t.PolicyPack != "" {
			opts = append(opts, optpreview.PolicyPacks(r.t.PolicyPack), optpreview.PolicyPackConfigs(r.t.PolicyConfig))
		}
		res, err := r.stack.Preview(ctx, opts...)
		if err != nil {
			return nil, err
		}
		counts := map[string]int{}
		for k, v := range res.ChangeSummary {
			counts[string(k)] = v
		}
		return counts, nil
	}
}

// skipper answers, without a CLI run, the commands the Automation API
// runs that this task needs no answer from: `stack select` of a stack the
// orchestrator listed a moment ago (every later command names the stack),
// and the one-entry `stack history` read after an update, whose change
// counts the engine's summary event already gave. Each CLI run costs
// about 0.2–0.5 s of CPU.
func skipper(t Task) func(args []string) (string, bool) {
	return func(args []string) (string, bool) {
		sub := subcommand(args)
		switch {
		case sub == "stack select" && t.Exists && !slices.Contains(args, "--create"):
			return "", true
		case sub == "stack history" && slices.Contains(args, "--page-size"):
			return "[]", true
		}
		return "", false
	}
}

// subcommand returns the first two words of args that are not flags.
func subcommand(args []string) string {
	var words []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			words = append(words, a)
			if len(words) == 2 {
				break
			}
		}
	}
	return strings.Join(words, " ")
}

func derefCounts(m *map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return *m
}

// plainOutputs turns stack outputs into plain values, secrets as [secret].
func plainOutputs(outs auto.OutputMap) map[string]any {
	if len(outs) == 0 {
		return nil
	}
	m := make(map[string]any, len(outs))
	for k, v := range outs {
		if v.Secret {
			m[k] = "[secret]"
		} else {
			m[k] = v.Value
		}
	}
	return m
}
