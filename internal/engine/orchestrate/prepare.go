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
	if base := req.Selection.AffectedBase; base != "" {
		files, err := affected.ChangedFiles(ctx, req.Root, base)
		if err != nil {
			return nil, err
		}
		sel, err := affected.Affected(ctx, req.Root, g, req.Env, files)
		if err != nil {
			return nil, err
		}
		req.Selection.Affected = sel.Projects
		PrintAffected(req.Out, base, sel)
	}

	// Lock the selected projects first, so a second run on the same
	// environment and project fails at once, naming the holder, before it
	// starts anything.
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
	if req.Op != runner.Outputs {
		var names []string
		for _, n := range selected {
			names = append(names, req.scope()+"/"+n)
		}
		if p.locks, err = lock.AcquireAll(filepath.Join(req.StateDir, "locks"), names, req.Command); err != nil {
			return nil, err
		}
	}

	policies := !req.NoPolicy && (req.Op == runner.Deploy || req.Op == runner.Preview || req.Op == runner.Drift)
	p.runDir = filepath.Join(req.StateDir, "runs", req.scope(), time.Now().Format("20060102-150405.000")+"-"+string(req.Op))
	if err := os.MkdirAll(p.runDir, 0o755); err != nil {
		return nil, err
	}

	// The selected projects' binaries build while the session starts the
	// CLI, the policy pack and the providers. A project that does not
	// compile fails alone; refresh, destroy and outputs run no program and
	// build nothing.
	var bins map[string]string
	var buildErrs map[string]error
	built := make(chan struct{})
	go func() {
		defer close(built)
		var names []string
		if req.Op.RunsProgram() {
			names = selected
		}
		bins, buildErrs = runner.Build(ctx, req.Root, names, p.logOf, req.Out)
	}()
	s, err := session.Open(ctx, session.Options{Root: req.Root, Env: req.Env, StateDir: req.StateDir, Out: req.Out,
		Engine: true, Policies: policies, Rehearsal: req.Rehearsal})
	<-built
	if err != nil {
		return nil, err
	}
	p.session = s

	if req.Op != runner.Outputs {
		// Outputs takes no orchestrator lock, so it may not judge locks:
		// another run may be working on these stacks.
		notes, err := s.ClearStaleLocks(selected)
		if err != nil {
			return nil, err
		}
		for _, line := range notes {
			fmt.Fprintln(req.Out, "note: "+line)
		}
	}
	inv, err := s.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	if p.plan, err = MakePlan(req.Env, req.Op, g, req.Selection, inv, req.Confirm); err != nil {
		return nil, err
	}
	if p.empty() {
		ready = true
		return p, nil
	}

	p.parallel = req.Parallel
	if p.parallel <= 0 {
		p.parallel = p.plan.Graph.Width()
	}
	p.runner = &runner.Runner{S: s, RunDir: p.runDir, PreviewFirst: policies && anyMandatory(s.Settings),
		Binaries: bins, Failed: map[string]error{}, Hard: req.Hard, Timeout: req.Timeout}
	for n, err := range buildErrs {
		p.runner.Failed[n] = err
	}
	if req.ClearPendingCreates {
		for n, t := range p.plan.Tasks {
			t.ClearPendingCreates = true
			p.plan.Tasks[n] = t
		}
	}
	if req.Op.RunsProgram() {
		// Every selected project's configuration is checked, each in its
		// own process, before any of them runs: all problems are listed up
		// front; a project with invalid configuration fails, its
		// dependents are blocked, the others run.
		for n, err := range p.runner.CheckConfig(ctx, p.plan.Order, max(p.parallel, 2)) {
			p.runner.Failed[n] = err
		}
	}
	printPreflight(req.Out, req.Root, p.plan.Order, p.runner.Failed, p.logOf)
	ready = true
	return p, nil
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
