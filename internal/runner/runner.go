// Package runner runs one engine operation (deploy, preview, refresh,
// destroy, drift, outputs) on one project's stack through the Automation
// API, with the program compiled into this process. Each run writes the
// engine's text output to <run dir>/<project>.log and its JSON event stream
// to <run dir>/<project>.events.jsonl, and reports progress as one short
// status message at a time.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clustera/infra/internal/report"
	"github.com/clustera/infra/internal/session"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Op is an engine operation.
type Op string

// The operations.
const (
	Deploy  Op = "deploy"
	Preview Op = "preview"
	Refresh Op = "refresh"
	Destroy Op = "destroy"
	Drift   Op = "drift"
	Outputs Op = "outputs"
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
	Program pulumi.RunFunc
	// Placeholders lists upstream projects whose stacks do not exist yet;
	// a preview reads unknown placeholder values for them.
	Placeholders []string
	// Exists reports whether the project's stack exists in the backend.
	Exists bool
}

// Outcome is the result of a task.
type Outcome struct {
	Result       report.Result
	Changes      report.Changes
	Outputs      auto.OutputMap
	Drift        []string
	Violations   []string
	Placeholders []string
	Log, Events  string
	Note         string
	Err          error
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

	once       sync.Once
	policyPath string
	policyErr  error
}

// Run runs a task. It never panics on engine errors: they are in the
// Outcome.
func (r *Runner) Run(ctx context.Context, t Task) Outcome {
	out := Outcome{
		Log:    filepath.Join(r.RunDir, t.Project+".log"),
		Events: filepath.Join(r.RunDir, t.Project+".events.jsonl"),
	}
	logf, err := os.Create(out.Log)
	if err != nil {
		out.Result, out.Err = report.Failed, err
		return out
	}
	defer logf.Close()
	evf, err := os.Create(out.Events)
	if err != nil {
		out.Result, out.Err = report.Failed, err
		return out
	}
	defer evf.Close()

	if !t.Exists && t.Op != Deploy && t.Op != Preview {
		out.Result, out.Note = report.Skipped, "no stack in this environment; nothing to "+string(t.Op)
		fmt.Fprintln(logf, out.Note)
		return out
	}
	r.observe(t.Project, "opening stack")
	stack, err := r.S.Stack(ctx, t.Project, t.Program, t.Op == Deploy || t.Op == Preview)
	if err != nil {
		if errors.Is(err, session.ErrNoStack) {
			out.Result, out.Note = report.Skipped, "no stack in this environment; nothing to "+string(t.Op)
			return out
		}
		out.Result, out.Err = report.Failed, err
		fmt.Fprintln(logf, err)
		return out
	}

	pack, cfg, err := r.policy()
	if err != nil {
		out.Result, out.Err = report.Failed, err
		return out
	}
	var violations []string
	run := func(op Op, f func(ch chan<- events.EngineEvent) (map[string]int, error)) (map[string]int, *collector, error) {
		col := newCollector(evf, func(msg string) { r.observe(t.Project, msg) })
		ch := make(chan events.EngineEvent)
		done := make(chan struct{})
		go func() { col.consume(ch); close(done) }()
		counts, err := f(ch)
		// The Automation API closes the event channel once the CLI's event
		// log is drained; the timeout only guards paths where it never
		// opened it.
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		violations = append(violations, col.violations...)
		return counts, col, err
	}
	preview := func(refresh bool) func(ch chan<- events.EngineEvent) (map[string]int, error) {
		return func(ch chan<- events.EngineEvent) (map[string]int, error) {
			opts := []optpreview.Option{optpreview.ProgressStreams(logf), optpreview.ErrorProgressStreams(logf),
				optpreview.EventStreams(ch), optpreview.Color("never"), optpreview.SuppressProgress(), optpreview.Diff()}
			if refresh {
				opts = append(opts, optpreview.Refresh())
			}
			if pack != "" {
				opts = append(opts, optpreview.PolicyPacks(pack), optpreview.PolicyPackConfigs(cfg))
			}
			res, err := stack.Preview(ctx, opts...)
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

	var counts map[string]int
	var col *collector
	var runErr error
	switch t.Op {
	case Deploy:
		if r.PreviewFirst {
			// Stack policies only run once a program has finished, which in
			// an update is after its resources changed: a preview with the
			// pack first stops every mandatory violation before anything.
			r.observe(t.Project, "previewing with the policy pack")
			fmt.Fprintln(logf, "== preview (policy check before the update)")
			if _, col, runErr = run(Preview, preview(false)); runErr != nil {
				break
			}
			fmt.Fprintln(logf, "\n== update")
		}
		counts, col, runErr = run(Deploy, func(ch chan<- events.EngineEvent) (map[string]int, error) {
			// ShowSecrets(false): the update summary is read without
			// decrypting the stack's secrets.
			opts := []optup.Option{optup.ProgressStreams(logf), optup.ErrorProgressStreams(logf), optup.EventStreams(ch),
				optup.Color("never"), optup.SuppressProgress(), optup.ShowSecrets(false)}
			if pack != "" {
				opts = append(opts, optup.PolicyPacks(pack), optup.PolicyPackConfigs(cfg))
			}
			res, err := stack.Up(ctx, opts...)
			if err != nil {
				return nil, err
			}
			out.Outputs = res.Outputs
			return derefCounts(res.Summary.ResourceChanges), nil
		})
	case Preview, Drift:
		if len(t.Placeholders) > 0 {
			release := contracts.UsePlaceholders(t.Project, r.S.Settings.Name, t.Placeholders)
			defer release()
			out.Placeholders = t.Placeholders
		}
		counts, col, runErr = run(t.Op, preview(t.Op == Drift))
	case Refresh:
		counts, col, runErr = run(Refresh, func(ch chan<- events.EngineEvent) (map[string]int, error) {
			res, err := stack.Refresh(ctx, optrefresh.ProgressStreams(logf), optrefresh.ErrorProgressStreams(logf),
				optrefresh.EventStreams(ch), optrefresh.Color("never"), optrefresh.SuppressProgress(), optrefresh.ShowSecrets(false))
			if err != nil {
				return nil, err
			}
			return derefCounts(res.Summary.ResourceChanges), nil
		})
	case Destroy:
		counts, col, runErr = run(Destroy, func(ch chan<- events.EngineEvent) (map[string]int, error) {
			res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(logf), optdestroy.ErrorProgressStreams(logf),
				optdestroy.EventStreams(ch), optdestroy.Color("never"), optdestroy.SuppressProgress(), optdestroy.ShowSecrets(false))
			if err != nil {
				return nil, err
			}
			return derefCounts(res.Summary.ResourceChanges), nil
		})
	case Outputs:
		r.observe(t.Project, "reading outputs")
		col = newCollector(evf, nil)
		outs, err := stack.Outputs(ctx)
		runErr, out.Outputs = err, outs
	default:
		col = newCollector(evf, nil)
		runErr = fmt.Errorf("unsupported operation %q", t.Op)
	}

	out.Violations = dedupe(violations)
	if t.Op == Drift {
		out.Drift = col.changed()
	}
	if runErr != nil {
		out.Result = report.Failed
		out.Err = col.explain(ctx, runErr)
		fmt.Fprintf(logf, "\nerror: %v\n", runErr)
		return out
	}
	out.Changes = report.ChangesFrom(counts)
	switch {
	case t.Op == Outputs:
		out.Result = report.Succeeded
	case t.Op == Refresh:
		// Refresh reports drifted resources as updates of the state.
		out.Result = report.NoOp
		if out.Changes.Any() {
			out.Result = report.Changed
		}
	case t.Op == Drift:
		out.Result = report.NoOp
		if len(out.Drift) > 0 {
			out.Result = report.Changed
		}
	case out.Changes.Any():
		out.Result = report.Changed
	default:
		out.Result = report.NoOp
	}
	return out
}

func derefCounts(m *map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return *m
}

func (r *Runner) observe(project, msg string) {
	if r.Observe != nil {
		r.Observe(project, msg)
	}
}

// policy writes the policy config once per run and returns the pack and
// config paths ("" when the session runs without policies).
func (r *Runner) policy() (string, string, error) {
	if r.S.PolicyPack == "" {
		return "", "", nil
	}
	r.once.Do(func() {
		r.policyPath = filepath.Join(r.RunDir, "policy-config.json")
		r.policyErr = os.WriteFile(r.policyPath, r.S.PolicyConfig, 0o644)
	})
	return r.S.PolicyPack, r.policyPath, r.policyErr
}

// collector consumes the engine's event stream.
type collector struct {
	w          *json.Encoder
	observe    func(string)
	done       int
	errs       []string
	violations []string
	steps      map[string]string // urn -> op of steps that change something
	started    time.Time
}

func newCollector(f *os.File, observe func(string)) *collector {
	if observe == nil {
		observe = func(string) {}
	}
	return &collector{w: json.NewEncoder(f), observe: observe, steps: map[string]string{}, started: time.Now()}
}

var changingOps = map[apitype.OpType]bool{
	apitype.OpCreate: true, apitype.OpUpdate: true, apitype.OpDelete: true, apitype.OpReplace: true,
	apitype.OpCreateReplacement: true, apitype.OpDeleteReplaced: true, apitype.OpImport: true,
	apitype.OpImportReplacement: true,
}

func (c *collector) consume(ch <-chan events.EngineEvent) {
	for ev := range ch {
		_ = c.w.Encode(ev.EngineEvent)
		switch {
		case ev.ResourcePreEvent != nil:
			m := ev.ResourcePreEvent.Metadata
			if m.Type == "pulumi:pulumi:Stack" {
				continue
			}
			if changingOps[m.Op] {
				detail := ""
				if len(m.Diffs) > 0 {
					detail = " (" + strings.Join(m.Diffs, ", ") + ")"
				}
				c.steps[m.URN] = fmt.Sprintf("%s %s %s%s", m.Op, m.Type, URNName(m.URN), detail)
			}
			c.observe(fmt.Sprintf("%d done · %s %s %s", c.done, verb(m.Op), ShortType(m.Type), URNName(m.URN)))
		case ev.ResOutputsEvent != nil:
			c.done++
		case ev.PolicyEvent != nil:
			p := ev.PolicyEvent
			c.violations = append(c.violations, fmt.Sprintf("[%s] %s: %s %s", p.EnforcementLevel, p.PolicyName, URNName(p.ResourceURN), firstLine(p.Message)))
		case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.Severity == "error":
			msg := strings.TrimSpace(ev.DiagnosticEvent.Message)
			if msg != "" {
				if u := ev.DiagnosticEvent.URN; u != "" {
					msg = URNName(u) + ": " + msg
				}
				c.errs = append(c.errs, msg)
			}
		}
	}
}

// changed returns the steps that would change something, sorted.
func (c *collector) changed() []string {
	var out []string
	for _, s := range c.steps {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// explain turns an engine failure into a short error: the engine's error
// diagnostics when there are any, otherwise the tail of the CLI's stderr.
func (c *collector) explain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if len(c.errs) > 0 {
		return errors.New(strings.Join(dedupe(c.errs), "\n"))
	}
	msg := err.Error()
	if i := strings.Index(msg, "stderr:"); i >= 0 {
		msg = strings.TrimSpace(msg[i+len("stderr:"):])
	}
	return errors.New(lastLines(msg, 6))
}

func verb(op apitype.OpType) string {
	switch op {
	case apitype.OpCreate:
		return "creating"
	case apitype.OpUpdate:
		return "updating"
	case apitype.OpDelete, apitype.OpDeleteReplaced:
		return "deleting"
	case apitype.OpReplace, apitype.OpCreateReplacement:
		return "replacing"
	case apitype.OpRefresh, apitype.OpRead:
		return "reading"
	case apitype.OpSame:
		return "checking"
	}
	return string(op)
}

// URNName returns the logical name of a URN (its last part).
func URNName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// ShortType shortens cloudflare:index/dnsRecord:DnsRecord to DnsRecord.
func ShortType(t string) string {
	if i := strings.LastIndex(t, ":"); i >= 0 {
		return t[i+1:]
	}
	return t
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
