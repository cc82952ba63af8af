// Package rehearse runs an environment's real configuration through the
// real engine against the sandbox (go run mage.go rehearse env=prod): its
// names, its policies at that environment's levels, its protections and
// its imports, with no credentials and its own state under
// .state/rehearsal/<env>. The sequence is the life of an environment:
// deploy from empty, a no-op deploy, drift, import:check, destroy.
package rehearse

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/clustera/infra/internal/engine/importcheck"
	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/engine/session"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/stackrun"
)

// Request is one rehearsal.
type Request struct {
	Root, StateDir, Env string
	Out                 io.Writer
	TTY                 bool
	Hard                <-chan struct{}
	Parallel            int
}

// Step is the outcome of one step.
type Step struct {
	Name string
	Exit int
	// OK tells whether the step went as the real environment needs: a
	// clean exit, or, for prod's destroy, a refusal by protection.
	OK   bool
	Note string
}

// Result is a whole rehearsal.
type Result struct {
	Env   string
	Steps []Step
	// TakeOvers are the existing objects the deploy overwrote (the real
	// APIs' create is an upsert for them): a real deploy takes them over.
	TakeOvers []string
}

// ExitCode is the exit code of the first step that did not go as needed,
// as the real operation gives it; 0 when every step did.
func (r *Result) ExitCode() int {
	for _, s := range r.Steps {
		if !s.OK {
			if s.Exit == 0 {
				return report.ExitFailed
			}
			return s.Exit
		}
	}
	return report.ExitOK
}

// Run rehearses req.Env. An error means the rehearsal could not start.
func Run(ctx context.Context, req Request) (*Result, error) {
	settings, err := environment.Load(req.Root, req.Env)
	if err != nil {
		return nil, err
	}
	if req.StateDir == "" {
		req.StateDir = req.Root + "/.state"
	}
	// From empty: a rehearsal never builds on an earlier one.
	if err := os.RemoveAll(session.RehearsalDir(req.StateDir, req.Env)); err != nil {
		return nil, fmt.Errorf("clearing the previous rehearsal: %w", err)
	}
	res := &Result{Env: req.Env}
	if _, err := seed(ctx, req.Root, req.StateDir, req.Env, req.Out); err != nil {
		res.Steps = append(res.Steps, Step{Name: "seed adopted objects", Exit: report.ExitFailed, Note: err.Error()})
		return res, nil
	}
	run := func(op runner.Op, confirm string) (*report.Report, error) {
		fmt.Fprintf(req.Out, "\n== rehearsal of %s: %s\n", req.Env, op)
		return orchestrate.Run(ctx, orchestrate.Request{
			Root: req.Root, StateDir: req.StateDir, Env: req.Env, Op: op, Parallel: req.Parallel, Confirm: confirm,
			Out: req.Out, TTY: req.TTY, Command: "infra rehearse " + req.Env, Hard: req.Hard, Rehearsal: true,
		})
	}
	add := func(s Step) bool {
		res.Steps = append(res.Steps, s)
		return s.OK && ctx.Err() == nil
	}
	step := func(name string, op runner.Op, check func(*report.Report) Step) bool {
		rep, err := run(op, "")
		if err != nil {
			return add(Step{Name: name, Exit: report.ExitFailed, Note: err.Error()})
		}
		s := check(rep)
		s.Name = name
		return add(s)
	}
	clean := func(rep *report.Report) Step {
		return Step{Exit: rep.ExitCode, OK: rep.ExitCode == report.ExitOK, Note: failures(rep)}
	}
	if !step("deploy from empty", runner.Deploy, clean) {
		return res, nil
	}
	// Objects the deploy created over existing ones of the same name (a
	// Worker upload, a cron trigger...) are what a real deploy would take
	// over from whoever made them.
	if took, err := sandbox.OpenCloud(filepath.Join(session.RehearsalDir(req.StateDir, req.Env), "sandbox")).TakeOvers(); err == nil && len(took) > 0 {
		var names []string
		for _, o := range took {
			names = append(names, fmt.Sprintf("%s %s", o.Type, o.Name))
		}
		res.TakeOvers = names
		fmt.Fprintf(req.Out, "rehearsal: the deploy would take over %d existing object(s): %s\n", len(names), strings.Join(names, ", "))
	}
	if !step("no-op deploy", runner.Deploy, func(rep *report.Report) Step {
		s := clean(rep)
		for _, row := range rep.Rows {
			if row.Changes.Any() {
				s.OK = false
				s.Note = strings.TrimSpace(s.Note + fmt.Sprintf(" %s changed on a redeploy (%+v): the configuration does not converge", row.Project, row.Changes))
			}
		}
		return s
	}) {
		return res, nil
	}
	if !step("drift", runner.Drift, clean) {
		return res, nil
	}
	fmt.Fprintf(req.Out, "\n== rehearsal of %s: import-check\n", req.Env)
	ic, err := importcheck.Run(ctx, importcheck.Request{Root: req.Root, StateDir: req.StateDir, Env: req.Env, Out: req.Out,
		TTY: req.TTY, Command: "infra rehearse " + req.Env, Rehearsal: true})
	if err != nil {
		add(Step{Name: "import-check", Exit: report.ExitFailed, Note: err.Error()})
		return res, nil
	}
	ic.Write(req.Out)
	note := "no project configures imports in " + req.Env
	if !ic.Nothing {
		note = "every adopted object is in the state and matches the code"
	}
	s := Step{Name: "import-check", OK: ic.OK(), Note: note}
	if !s.OK {
		s.Exit, s.Note = report.ExitFailed, "an import would change or miss a live object (see above)"
	}
	if !add(s) {
		return res, nil
	}
	rep, err := run(runner.Destroy, req.Env)
	if err != nil {
		add(Step{Name: "destroy", Exit: report.ExitFailed, Note: err.Error()})
		return res, nil
	}
	add(destroyStep(settings.IsProd(), rep))
	return res, nil
}

// destroyStep judges the destroy: it must empty every stack, except in
// prod, where protection must refuse it; the protected objects are listed.
func destroyStep(prod bool, rep *report.Report) Step {
	s := Step{Name: "destroy", Exit: rep.ExitCode}
	var protected []string
	for _, row := range rep.Rows {
		for _, m := range protectedRe.FindAllStringSubmatch(row.Error, -1) {
			protected = append(protected, row.Project+": "+stackrun.ShortType(urnType(m[1]))+" "+stackrun.URNName(m[1]))
		}
	}
	switch {
	case !prod:
		s.OK, s.Note = rep.ExitCode == report.ExitOK, failures(rep)
	case len(protected) > 0:
		s.OK = true
		s.Note = "refused by protection, as prod needs:\n  " + strings.Join(protected, "\n  ")
	case rep.ExitCode == report.ExitOK:
		s.Note = "prod's destroy went through: its objects are not protected"
	default:
		s.Note = "prod's destroy failed, but not because of protection: " + failures(rep)
	}
	return s
}

// protectedRe matches the engine's refusal to delete a protected resource
// (pkg/resource/deploy/step.go, deleteProtectedError).
var protectedRe = regexp.MustCompile(`resource "([^"]+)" cannot be deleted\s+because it is protected`)

// urnType returns the type of a URN (urn:pulumi:stack::project::type::name).
func urnType(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	t := parts[2]
	if i := strings.LastIndex(t, "$"); i >= 0 {
		t = t[i+1:]
	}
	return t
}

func failures(rep *report.Report) string {
	var out []string
	for _, row := range rep.Rows {
		if row.Result == report.Failed || row.Result == report.Blocked {
			msg := row.Label()
			if row.Error != "" {
				msg += ": " + firstLine(row.Error)
			}
			out = append(out, row.Project+" "+msg)
		}
	}
	return strings.Join(out, "; ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Write prints the steps and the one-line verdict.
func (r *Result) Write(w io.Writer) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tEXIT\tRESULT\tNOTE")
	for _, s := range r.Steps {
		verdict := "ok"
		if !s.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Name, s.Exit, verdict, s.Note)
	}
	_ = tw.Flush()
	for _, t := range r.TakeOvers {
		fmt.Fprintf(w, "take-over: %s (it existed before the deploy, which overwrote it)\n", t)
	}
	verdict := "passed"
	if r.ExitCode() != 0 {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "REHEARSAL of %s on the sandbox (its real configuration, policies, protections and imports; no real cloud touched): %s · exit %d\n",
		r.Env, verdict, r.ExitCode())
}
