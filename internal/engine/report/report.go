// Package report turns the results of one orchestrator run into the summary
// table, the JSON report, the Markdown step summary and the exit code.
//
// Exit codes are a contract (covered by tests):
//
//	0    success
//	1    any project failed or was blocked
//	2    changes pending: a preview or a drift check found differences
//	130  interrupted (Ctrl-C, SIGTERM): running projects end Interrupted
//	     with their state saved, projects not started end Skipped
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/clustera/infra/shared/redact"
)

// Result is the outcome of one project.
type Result string

// The results a project can have.
const (
	Succeeded Result = "succeeded" // finished; the operation reports no change counts
	Changed   Result = "changed"   // finished and changed something (or, for preview/drift, would)
	NoOp      Result = "no-op"     // finished and nothing changed
	Failed    Result = "failed"
	Blocked   Result = "blocked" // shown as blocked-by-<project>
	Skipped   Result = "skipped" // not run: interrupted, or nothing to do (no stack)
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitChanges = 2
)

// Changes counts resource operations.
type Changes struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
	Same    int `json:"same"`
	// Import counts existing objects adopted into the stack.
	Import int `json:"import,omitempty"`
}

// Any reports whether anything was (or would be) created, updated,
// replaced or deleted.
func (c Changes) Any() bool { return c.Create+c.Update+c.Replace+c.Delete+c.Import > 0 }

// ChangesFrom converts the engine's per-operation counts (keys such as
// "create", "update", "same", "replace", "create-replacement", "delete").
func ChangesFrom(m map[string]int) Changes {
	var c Changes
	for op, n := range m {
		switch op {
		case "create":
			c.Create += n
		case "import":
			c.Import += n
		case "update":
			c.Update += n
		case "replace":
			c.Replace += n
		case "delete", "discard":
			c.Delete += n
		case "same", "read", "refresh":
			c.Same += n
		}
	}
	return c
}

// Row is one project's line of the report.
type Row struct {
	Project      string         `json:"project"`
	Operation    string         `json:"operation"`
	Result       Result         `json:"result"`
	BlockedBy    []string       `json:"blockedBy,omitempty"`
	Changes      Changes        `json:"changes"`
	Seconds      float64        `json:"durationSeconds"`
	Error        string         `json:"error,omitempty"`
	Log          string         `json:"log,omitempty"`
	Events       string         `json:"events,omitempty"`
	Placeholders []string       `json:"placeholders,omitempty"`
	Drift        []string       `json:"drift,omitempty"`
	Violations   []string       `json:"policyViolations,omitempty"`
	Outputs      map[string]any `json:"outputs,omitempty"`
	Note         string         `json:"note,omitempty"`
	// Waited is the part of the duration the program spent waiting for
	// upstreams still deploying (a dependent starts early).
	Waited float64 `json:"waitedSeconds,omitempty"`
}

// Label returns the result as shown: blocked results name their cause.
func (r Row) Label() string {
	if r.Result == Blocked && len(r.BlockedBy) > 0 {
		return "blocked-by-" + strings.Join(r.BlockedBy, ",")
	}
	return string(r.Result)
}

// Duration returns the row's duration.
func (r Row) Duration() time.Duration { return time.Duration(r.Seconds * float64(time.Second)) }

// Busy returns the row's duration less its wait for upstreams: the time
// the project itself took.
func (r Row) Busy() time.Duration {
	return time.Duration((r.Seconds - min(r.Waited, r.Seconds)) * float64(time.Second))
}

// Report is one run.
type Report struct {
	Env          string    `json:"env"`
	Operation    string    `json:"operation"`
	Started      time.Time `json:"started"`
	Finished     time.Time `json:"finished"`
	WallSeconds  float64   `json:"wallSeconds"`
	SumSeconds   float64   `json:"sumOfProjectSeconds"` // Busy, not waiting for upstreams
	CriticalPath []string  `json:"criticalPath,omitempty"`
	CriticalSecs float64   `json:"criticalPathSeconds"`
	Parallel     int       `json:"parallel"`
	Interrupted  bool      `json:"interrupted,omitempty"`
	RunDir       string    `json:"runDir,omitempty"`
	Rows         []Row     `json:"projects"`
	ExitCode     int       `json:"exitCode"`
	// Masker, when set, masks secrets in every row's text inside
	// WriteTable, WriteJSON, Markdown and AppendGitHubSummary; the report
	// itself is not changed.
	Masker *redact.Masker `json:"-"`
}

// Redact masks the secrets m knows in every free-text field of every row:
// Error, Note, Drift, Violations and the string values of Outputs (nested
// ones too). Outputs maps and slices are replaced, not changed in place.
func (r *Report) Redact(m *redact.Masker) {
	if m == nil {
		return
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		row.Error = m.String(row.Error)
		row.Note = m.String(row.Note)
		row.Drift = m.Strings(row.Drift)
		row.Violations = m.Strings(row.Violations)
		if row.Outputs != nil {
			row.Outputs = redactValue(m, row.Outputs).(map[string]any)
		}
	}
}

// redactValue masks the strings of a decoded JSON-like value.
func redactValue(m *redact.Masker, v any) any {
	switch v := v.(type) {
	case string:
		return m.String(v)
	case []string:
		return m.Strings(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = redactValue(m, e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = redactValue(m, e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(v))
		for k, e := range v {
			out[k] = m.String(e)
		}
		return out
	}
	return v
}

// masked returns the report as the writers show it: r itself without a
// Masker, else a copy with its rows redacted.
func (r *Report) masked() *Report {
	if r.Masker == nil {
		return r
	}
	c := *r
	c.Rows = append([]Row(nil), r.Rows...)
	c.Redact(r.Masker)
	return &c
}

// pending reports whether the operation's "changed" means changes pending.
func pending(op string) bool { return op == "preview" || op == "drift" }

// Exit computes the exit code of the rows.
func Exit(op string, rows []Row, interrupted bool) int {
	if interrupted {
		return ExitInterrupted
	}
	changes := false
	for _, r := range rows {
		switch r.Result {
		case Failed, Blocked:
			return ExitFailed
		case Changed:
			changes = true
		}
	}
	if changes && pending(op) {
		return ExitChanges
	}
	return ExitOK
}

// Finish fills the totals and the exit code.
func (r *Report) Finish() {
	if r.Finished.IsZero() {
		r.Finished = time.Now()
	}
	r.WallSeconds = r.Finished.Sub(r.Started).Seconds()
	r.SumSeconds = 0
	for _, row := range r.Rows {
		r.SumSeconds += row.Busy().Seconds()
	}
	r.ExitCode = Exit(r.Operation, r.Rows, r.Interrupted)
}

// WriteTable prints the summary table, secrets masked (see Masker).
func (r *Report) WriteTable(w io.Writer) {
	r = r.masked()
	imports := false
	for _, row := range r.Rows {
		imports = imports || row.Changes.Import > 0
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "PROJECT\tOPERATION\tRESULT\tCREATE\tUPDATE\tREPLACE\tDELETE\tSAME"
	if imports {
		head += "\tIMPORT"
	}
	fmt.Fprintln(tw, head+"\tDURATION")
	for _, row := range r.Rows {
		c := row.Changes
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d", row.Project, row.Operation, row.Label(),
			c.Create, c.Update, c.Replace, c.Delete, c.Same)
		if imports {
			fmt.Fprintf(tw, "\t%d", c.Import)
		}
		fmt.Fprintf(tw, "\t%s\n", fmtDur(row.Duration()))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nenv %s · %s · wall %s · sum of projects %s", r.Env, r.Operation,
		fmtDur(time.Duration(r.WallSeconds*float64(time.Second))), fmtDur(time.Duration(r.SumSeconds*float64(time.Second))))
	if len(r.CriticalPath) > 0 {
		fmt.Fprintf(w, " · critical path %s (%s)", strings.Join(r.CriticalPath, " → "), fmtDur(time.Duration(r.CriticalSecs*float64(time.Second))))
	}
	fmt.Fprintf(w, " · exit %d\n", r.ExitCode)
	for _, row := range r.Rows {
		if len(row.Placeholders) > 0 {
			fmt.Fprintf(w, "note: %s was previewed with PLACEHOLDER (unknown) outputs of %s, whose stack does not exist yet; it cannot be deployed until they are\n",
				row.Project, strings.Join(row.Placeholders, ", "))
		}
		if row.Note != "" {
			fmt.Fprintf(w, "note: %s: %s\n", row.Project, row.Note)
		}
		for _, d := range row.Drift {
			fmt.Fprintf(w, "drift: %s: %s\n", row.Project, d)
		}
		for _, v := range row.Violations {
			fmt.Fprintf(w, "policy: %s: %s\n", row.Project, v)
		}
	}
}

// WriteJSON writes the report to path, secrets masked (see Masker).
func (r *Report) WriteJSON(path string) error {
	r = r.masked()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Markdown renders the report as a GitHub-flavoured Markdown summary,
// secrets masked (see Masker).
func (r *Report) Markdown() string {
	r = r.masked()
	var b strings.Builder
	icon := map[int]string{ExitOK: "✅", ExitFailed: "❌", ExitChanges: "📝", ExitInterrupted: "⏹️"}[r.ExitCode]
	fmt.Fprintf(&b, "### %s `%s` on `%s` (exit %d)\n\n", icon, r.Operation, r.Env, r.ExitCode)
	b.WriteString("| Project | Operation | Result | Create | Update | Replace | Delete | Same | Duration |\n")
	b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range r.Rows {
		c := row.Changes
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %s |\n", row.Project, row.Operation, row.Label(),
			c.Create, c.Update, c.Replace, c.Delete, c.Same, fmtDur(row.Duration()))
	}
	fmt.Fprintf(&b, "\nWall time %s; sum of project times %s.\n", fmtDur(time.Duration(r.WallSeconds*float64(time.Second))),
		fmtDur(time.Duration(r.SumSeconds*float64(time.Second))))
	var notes []string
	for _, row := range r.Rows {
		if len(row.Placeholders) > 0 {
			notes = append(notes, fmt.Sprintf("**%s** previewed with placeholder outputs of %s (stack not deployed yet)", row.Project, strings.Join(row.Placeholders, ", ")))
		}
		for _, d := range row.Drift {
			notes = append(notes, fmt.Sprintf("**%s** drift: `%s`", row.Project, d))
		}
		for _, v := range row.Violations {
			notes = append(notes, fmt.Sprintf("**%s** policy: %s", row.Project, v))
		}
		if row.Result == Failed && row.Error != "" {
			notes = append(notes, fmt.Sprintf("**%s** failed: %s", row.Project, firstLine(row.Error)))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
	}
	return b.String()
}

// AppendGitHubSummary appends the Markdown summary to $GITHUB_STEP_SUMMARY
// when it is set, and reports whether it wrote.
func (r *Report) AppendGitHubSummary() (bool, error) {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	defer f.Close()
	_, err = io.WriteString(f, r.Markdown()+"\n")
	return err == nil, err
}

// SortRows orders rows as given by order (e.g. topological order).
func (r *Report) SortRows(order []string) {
	idx := map[string]int{}
	for i, n := range order {
		idx[n] = i
	}
	sort.SliceStable(r.Rows, func(i, j int) bool { return idx[r.Rows[i].Project] < idx[r.Rows[j].Project] })
}

func fmtDur(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
