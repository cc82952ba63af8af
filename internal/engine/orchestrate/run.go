package orchestrate

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/internal/affected"
	"github.com/clustera/infra/internal/engine/lock"
	"github.com/clustera/infra/internal/engine/progress"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/stackrun"
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

// Run runs the request and returns its report. An error means the run
// could not start (bad input, preflight refusal); failures of single
// projects are in the report.
func Run(ctx context.Context, req Request) (*report.Report, error) {
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
	if req.Op != runner.Outputs {
		var names []string
		for _, n := range selected {
			names = append(names, req.scope()+"/"+n)
		}
		locks, err := lock.AcquireAll(filepath.Join(req.StateDir, "locks"), names, req.Command)
		if err != nil {
			return nil, err
		}
		defer locks.Release()
	}

	policies := !req.NoPolicy && (req.Op == runner.Deploy || req.Op == runner.Preview || req.Op == runner.Drift)
	runDir := filepath.Join(req.StateDir, "runs", req.scope(), time.Now().Format("20060102-150405.000")+"-"+string(req.Op))
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	logOf := func(p string) string { return filepath.Join(runDir, p+".log") }

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
		bins, buildErrs = runner.Build(ctx, req.Root, names, logOf, req.Out)
	}()
	s, err := session.Open(ctx, session.Options{Root: req.Root, Env: req.Env, StateDir: req.StateDir, Out: req.Out,
		Engine: true, Policies: policies, Rehearsal: req.Rehearsal})
	<-built
	if err != nil {
		return nil, err
	}
	defer s.Close()

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
	plan, err := MakePlan(req.Env, req.Op, g, req.Selection, inv, req.Confirm)
	if err != nil {
		return nil, err
	}
	if len(plan.Tasks) == 0 {
		fmt.Fprintf(req.Out, "%s: nothing to do in %s (no project selected)\n", req.Op, req.Env)
		rep := &report.Report{Env: req.Env, Operation: string(req.Op), Started: time.Now()}
		rep.Finish()
		return rep, nil
	}

	parallel := req.Parallel
	if parallel <= 0 {
		parallel = plan.Graph.Width()
	}
	r := &runner.Runner{S: s, RunDir: runDir, PreviewFirst: policies && anyMandatory(s.Settings),
		Binaries: bins, Failed: map[string]error{}, Hard: req.Hard, Timeout: req.Timeout}
	for n, err := range buildErrs {
		r.Failed[n] = err
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
		for n, err := range r.CheckConfig(ctx, plan.Order, max(parallel, 2)) {
			r.Failed[n] = err
		}
	}
	printPreflight(req.Out, req.Root, plan.Order, r.Failed, logOf)

	fmt.Fprintf(req.Out, "%s · env %s · %d project(s) · parallel %d · state %s\n  logs: %s\n", req.Op, req.Env,
		len(plan.Order), parallel, s.BackendURL, rel(req.Root, runDir))
	switch {
	case s.Rehearsal:
		fmt.Fprintf(req.Out, "  rehearsal of %s: its real configuration and policies against the in-process sandbox (a test double); nothing leaves this machine\n", req.Env)
	case s.IsLocal():
		fmt.Fprintln(req.Out, "  local environment: the cloud is the in-process sandbox (a test double); nothing leaves this machine")
	}

	board := progress.New(req.Out, string(req.Op), plan.Order, req.TTY)
	r.Observe = board.Update
	rep := Execute(ctx, plan, r, parallel, board)
	board.Stop()
	rep.RunDir = runDir
	// Each project process masks its stack's secrets in what it reports;
	// the credentials of this environment are masked once more here.
	rep.Masker = stackrun.EnvSecrets()

	fmt.Fprintln(req.Out)
	rep.WriteTable(req.Out)
	printFailures(req.Out, req.Root, rep)
	if req.Op == runner.Deploy || req.Op == runner.Outputs {
		printOutputs(req.Out, rep, req.JSON)
	}
	if rep.Interrupted && req.Op != runner.Outputs && !closed(req.Hard) {
		// A CLI that died on its interrupt may have left its lock: clear the
		// ones whose holder is provably dead now, not on the next run.
		if notes, err := s.ClearStaleLocks(selected); err == nil {
			for _, line := range notes {
				fmt.Fprintln(req.Out, "note: "+line)
			}
		}
	}
	if rep.Interrupted {
		select {
		case <-req.Hard:
			var left []string
			for _, row := range rep.Rows {
				if row.Result == report.Interrupted && row.Error != "" {
					left = append(left, row.Project)
				}
			}
			fmt.Fprintf(req.Out, "aborted: the projects running were killed (%s): their stacks may stay locked and hold pending operations; "+
				"run the same command again: it clears the locks it proves stale and names any pending operation (docs/runbooks/state-locks.md)\n",
				strings.Join(left, ", "))
		default:
			fmt.Fprintln(req.Out, "interrupted: in-flight operations were cancelled and their stacks unlocked (each saved its state); run the same command again to continue")
		}
	}
	if err := rep.WriteJSON(filepath.Join(runDir, "report.json")); err != nil {
		return rep, err
	}
	if _, err := rep.AppendGitHubSummary(); err != nil {
		return rep, err
	}
	fmt.Fprintf(req.Out, "report: %s\n", rel(req.Root, filepath.Join(runDir, "report.json")))
	return rep, nil
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

func printFailures(w io.Writer, root string, rep *report.Report) {
	mask := rep.Masker
	for _, row := range rep.Rows {
		if row.Result != report.Failed {
			continue
		}
		fmt.Fprintf(w, "\n✗ %s failed: %s\n", row.Project, mask.String(row.Error))
		if row.Log != "" {
			if tail := mask.String(tailFile(row.Log, 15)); tail != "" {
				fmt.Fprintf(w, "  last lines of %s:\n", rel(root, row.Log))
				for _, l := range strings.Split(tail, "\n") {
					fmt.Fprintf(w, "  │ %s\n", l)
				}
			}
			fmt.Fprintf(w, "  full log: %s\n", rel(root, row.Log))
		}
	}
}

func printOutputs(w io.Writer, rep *report.Report, asJSON bool) {
	all := map[string]map[string]any{}
	for _, row := range rep.Rows {
		if len(row.Outputs) > 0 {
			all[row.Project] = row.Outputs
		}
	}
	if len(all) == 0 {
		return
	}
	if asJSON {
		data, _ := json.MarshalIndent(all, "", "  ")
		fmt.Fprintln(w, string(data))
		return
	}
	fmt.Fprintln(w, "\nOutputs:")
	for _, row := range rep.Rows {
		outs := all[row.Project]
		if len(outs) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s\n", row.Project)
		keys := make([]string, 0, len(outs))
		for k := range outs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := outs[k]
			s, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				s = string(b)
			}
			fmt.Fprintf(w, "    %-20s %s\n", k+":", s)
		}
	}
}

func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
