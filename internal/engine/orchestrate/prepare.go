package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clustera/infra/internal/affected"
	"github.com/clustera/infra/internal/engine/lock"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
)

// Prepared is a run ready to execute: its projects locked, its binaries
// built, its session open, its plan made and checked. Close it when done.
type Prepared struct {
	req      Request
	selected []string // the projects locked, in topological order
	plan     *Plan
	runDir   string
	parallel int
	locks    lock.Set
	session  *session.Session
	runner   *runner.Runner // nil when the plan has no task
}

// Prepare checks the request and readies the run. An error means the run
// cannot start (bad input, a lock held, preflight refusal); a project that
// does not compile or whose configuration is invalid fails alone when the
// run executes, and is listed here first.
func Prepare(ctx context.Context, req Request) (*Prepared, error) {
	if req.Out == nil {
		req.Out = os.Stdout
	}
	if req.StateDir == "" {
		req.StateDir = filepath.Join(req.Root, ".state")
	}
	if _, err := environment.KindOf(req.Env); err != nil {
		return nil, err
	}
	if err := confirmDestroy(req.Env, req.Op, req.Confirm); err != nil {
		return nil, err
	}
	g, err := graph.Projects()
	if err != nil {
		return nil, err
	}
	if err := resolveAffected(ctx, &req, g); err != nil {
		return nil, err
	}
	selected, err := Selected(g, req.Selection)
	if err != nil {
		return nil, err
	}
	p := &Prepared{req: req, selected: selected}
	ready := false
	defer func() {
		if !ready {
			p.Close()
		}
	}()
	// Lock the selected projects first, so a second run on the same
	// environment and project fails at once, naming the holder, before it
	// starts anything.
	if err := p.lock(); err != nil {
		return nil, err
	}
	p.runDir = filepath.Join(req.StateDir, "runs", req.scope(), time.Now().Format("20060102-150405.000")+"-"+string(req.Op))
	if err := os.MkdirAll(p.runDir, 0o755); err != nil {
		return nil, err
	}
	policies := !req.NoPolicy && (req.Op == runner.Deploy || req.Op == runner.Preview || req.Op == runner.Drift)
	bins, buildErrs, err := p.buildAndOpen(ctx, policies)
	if err != nil {
		return nil, err
	}
	if err := p.makePlan(ctx, g); err != nil {
		return nil, err
	}
	if !p.empty() {
		p.checkProjects(ctx, bins, buildErrs, policies)
	}
	ready = true
	return p, nil
}

// resolveAffected resolves an affected selection (-affected) into
// req.Selection.Affected and prints it with its reasons.
func resolveAffected(ctx context.Context, req *Request, g *graph.Graph) error {
	base := req.Selection.AffectedBase
	if base == "" {
		return nil
	}
	files, err := affected.ChangedFiles(ctx, req.Root, base)
	if err != nil {
		return err
	}
	sel, err := affected.Affected(ctx, req.Root, g, req.Env, files)
	if err != nil {
		return err
	}
	req.Selection.Affected = sel.Projects
	PrintAffected(req.Out, base, sel)
	return nil
}

// lock takes the orchestrator's lock of every selected project; outputs
// takes none.
func (p *Prepared) lock() error {
	if p.req.Op == runner.Outputs {
		return nil
	}
	var names []string
	for _, n := range p.selected {
		names = append(names, p.req.scope()+"/"+n)
	}
	var err error
	p.locks, err = lock.AcquireAll(filepath.Join(p.req.StateDir, "locks"), names, p.req.Command)
	return err
}

// buildAndOpen builds the selected projects' binaries while the session
// starts the CLI, the policy pack and the providers. A project that does
// not compile fails alone (buildErrs); refresh, destroy and outputs run no
// program and build nothing.
func (p *Prepared) buildAndOpen(ctx context.Context, policies bool) (bins map[string]string, buildErrs map[string]error, err error) {
	req := p.req
	built := make(chan struct{})
	go func() {
		defer close(built)
		var names []string
		if req.Op.RunsProgram() {
			names = p.selected
		}
		bins, buildErrs = runner.Build(ctx, req.Root, names, p.logOf, req.Out)
	}()
	s, err := session.Open(ctx, session.Options{Root: req.Root, Env: req.Env, StateDir: req.StateDir, Out: req.Out,
		Engine: true, Policies: policies, Rehearsal: req.Rehearsal})
	<-built
	if err != nil {
		return nil, nil, err
	}
	p.session = s
	return bins, buildErrs, nil
}

// makePlan clears the stale stack locks of the selection, reads the
// environment's stacks and makes the plan.
func (p *Prepared) makePlan(ctx context.Context, g *graph.Graph) error {
	req, s := p.req, p.session
	if req.Op != runner.Outputs {
		// Outputs takes no orchestrator lock, so it may not judge locks:
		// another run may be working on these stacks.
		notes, err := s.ClearStaleLocks(p.selected)
		if err != nil {
			return err
		}
		for _, line := range notes {
			fmt.Fprintln(req.Out, "note: "+line)
		}
	}
	inv, err := s.Inventory(ctx)
	if err != nil {
		return err
	}
	p.plan, err = MakePlan(req.Env, req.Op, g, req.Selection, inv, req.Confirm)
	return err
}

// checkProjects sets up the runner, marks the projects that did not build
// or whose configuration is invalid as failed, and prints the preflight.
func (p *Prepared) checkProjects(ctx context.Context, bins map[string]string, buildErrs map[string]error, policies bool) {
	req, plan := p.req, p.plan
	p.parallel = req.Parallel
	if p.parallel <= 0 {
		p.parallel = plan.Graph.Width()
	}
	p.runner = &runner.Runner{S: p.session, RunDir: p.runDir, PreviewFirst: policies && anyMandatory(p.session.Settings),
		Binaries: bins, Failed: map[string]error{}, Hard: req.Hard, Timeout: req.Timeout}
	for n, err := range buildErrs {
		p.runner.Failed[n] = err
	}
	if req.ClearPendingCreates {
		for n, t := range plan.Tasks {
			t.ClearPendingCreates = true
			plan.Tasks[n] = t
		}
	}
	if req.Op.RunsProgram() {
		// Every selected project's configuration is checked, each in its
		// own process, before any of them runs: all problems are listed up
		// front; a project with invalid configuration fails, its
		// dependents are blocked, the others run.
		for n, err := range p.runner.CheckConfig(ctx, plan.Order, max(p.parallel, 2)) {
			p.runner.Failed[n] = err
		}
	}
	printPreflight(req.Out, req.Root, plan.Order, p.runner.Failed, p.logOf)
}

// Close closes the session and releases the locks.
func (p *Prepared) Close() {
	if p.session != nil {
		p.session.Close()
		p.session = nil
	}
	p.locks.Release()
	p.locks = nil
}

// empty reports whether the plan has nothing to run.
func (p *Prepared) empty() bool { return len(p.plan.Tasks) == 0 }

// logOf returns the path of a project's log in the run directory.
func (p *Prepared) logOf(project string) string { return filepath.Join(p.runDir, project+".log") }

// anyMandatory reports whether any policy blocks in the environment; deploys
// then preview with the pack first (runner.Runner.PreviewFirst).
func anyMandatory(s *environment.Settings) bool {
	if s.PolicyLevel() == "mandatory" {
		return true
	}
	for _, level := range s.Policy.Overrides {
		if level == "mandatory" {
			return true
		}
	}
	return false
}

// PrintAffected prints an affected selection with its reasons.
func PrintAffected(w io.Writer, base string, sel *affected.Selection) {
	if len(sel.Projects) == 0 {
		fmt.Fprintf(w, "affected since %s: none\n", base)
		return
	}
	fmt.Fprintf(w, "affected since %s: %s\n", base, strings.Join(sel.Projects, ", "))
	for _, p := range sel.Projects {
		for _, why := range sel.Reasons[p] {
			fmt.Fprintf(w, "  %s: %s\n", p, why)
		}
	}
}

// printPreflight lists, before anything runs, the projects that cannot run
// (compile errors, invalid configuration) with every problem.
func printPreflight(w io.Writer, root string, order []string, failed map[string]error, logOf func(string) string) {
	n := 0
	for _, p := range order {
		if failed[p] != nil {
			n++
		}
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "preflight: %d of %d project(s) cannot run; they fail, their dependents are blocked, the others run:\n", n, len(order))
	for _, p := range order {
		if err := failed[p]; err != nil {
			fmt.Fprintf(w, "  ✗ %s: %s\n", p, indent(err.Error(), "    "))
			var be *runner.BuildError
			if errors.As(err, &be) {
				fmt.Fprintf(w, "    compiler output: %s\n", rel(root, logOf(p)))
			}
		}
	}
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+prefix)
}
