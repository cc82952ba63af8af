package importcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/clustera/infra/internal/engine/orchestrate"
	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/clustera/infra/shared/stackrun"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Keys lists, per project, the stack-config keys (without the project
// namespace) that make the program adopt existing objects with
// pulumi.Import.
var Keys = map[string][]string{
	contracts.CloudflareStorageProject: {"imports"},        // logical name → ID after "<account_id>/" (prod only)
	contracts.KafkaDataPlaneProject:    {"importTopics"},   // logical topic names; ID <project>/<service>/<topic>
	contracts.KafkaIntegrationsProject: {"importTopics"},   // same
	contracts.GCPGmailProject:          {"importExisting"}, // true: topic, subscription and IAM member
}

// Configured returns the projects (sorted) whose Pulumi.<env>.yaml sets one
// of their import keys to a non-empty value (a map or list with entries,
// true, or a non-empty string).
func Configured(root, env string) ([]string, error) {
	var out []string
	for _, p := range contracts.Projects {
		keys := Keys[p]
		if len(keys) == 0 {
			continue
		}
		f, err := stackconfig.Load(root, p, env)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("import-check: %w", err)
		}
		for _, k := range keys {
			if set(f.Config[p+":"+k].Raw) {
				out = append(out, p)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func set(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "" && x != "false"
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

// Request is one check.
type Request struct {
	Root     string
	StateDir string
	Env      string
	// Projects to check; default those that configure imports (Configured).
	Projects []string
	// AllowCreate accepts the creation of objects that have no import ID
	// (new objects next to adopted ones); they are listed, not failed.
	AllowCreate bool
	Out         io.Writer
	TTY         bool
	Command     string
	// Rehearsal checks Env's rehearsal on the sandbox.
	Rehearsal bool
}

// Project is the result for one project.
type Project struct {
	Project  string   `json:"project"`
	Imports  int      `json:"imports"`
	Same     int      `json:"same"`
	Creates  int      `json:"creates"`
	Problems []string `json:"problems,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// Result is the result of a check.
type Result struct {
	Env      string    `json:"env"`
	Projects []Project `json:"projects"`
	// Nothing is true when no project configures imports.
	Nothing bool `json:"nothing,omitempty"`
}

// OK reports whether no project has a problem.
func (r *Result) OK() bool {
	for _, p := range r.Projects {
		if len(p.Problems) > 0 {
			return false
		}
	}
	return true
}

// Run previews the projects and checks their steps.
func Run(ctx context.Context, req Request) (*Result, error) {
	if req.Out == nil {
		req.Out = io.Discard
	}
	res := &Result{Env: req.Env}
	names := req.Projects
	if len(names) == 0 {
		var err error
		if names, err = Configured(req.Root, req.Env); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		res.Nothing = true
		return res, nil
	}
	run, err := orchestrate.Prepare(ctx, orchestrate.Request{
		Root: req.Root, StateDir: req.StateDir, Env: req.Env, Op: runner.Preview,
		Selection: orchestrate.Selection{Projects: names}, Out: req.Out, TTY: req.TTY, Command: req.Command,
		Rehearsal: req.Rehearsal,
	})
	if err != nil {
		return nil, err
	}
	defer run.Close()
	// Each project process reports its steps as it finishes.
	var mu sync.Mutex
	steps := map[string][]stackrun.Step{}
	rep := run.Execute(ctx, orchestrate.Hooks{Steps: func(project string, s []stackrun.Step) {
		mu.Lock()
		defer mu.Unlock()
		steps[project] = s
	}})
	if err := run.Publish(rep); err != nil {
		return nil, err
	}
	for _, row := range rep.Rows {
		s, reported := steps[row.Project]
		res.Projects = append(res.Projects, checkRow(row, s, reported, req.AllowCreate))
	}
	return res, nil
}

// checkRow judges one project's preview from its steps; reported tells
// whether its process reported them.
func checkRow(row report.Row, steps []stackrun.Step, reported, allowCreate bool) Project {
	p := Project{Project: row.Project}
	switch row.Result {
	case report.Failed:
		p.Problems = append(p.Problems, "the preview failed: "+firstLines(row.Error, 4)+
			" (an import ID that names no existing object fails here, and so does a live object the code cannot be reconciled with; see "+row.Log+")")
		return p
	case report.Blocked:
		p.Problems = append(p.Problems, "not previewed: blocked by "+strings.Join(row.BlockedBy, ", "))
		return p
	case report.Skipped:
		p.Problems = append(p.Problems, "not previewed: "+row.Note)
		return p
	}
	if len(row.Placeholders) > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("previewed with placeholder outputs of %s, whose stack is not deployed: import IDs built from them cannot be checked; deploy %s first, then check again",
			strings.Join(row.Placeholders, ", "), strings.Join(row.Placeholders, ", ")))
	}
	if !reported {
		p.Problems = append(p.Problems, "the preview reported no engine steps, so its imports cannot be checked; run the check again (see "+row.Log+")")
		return p
	}
	imported := map[string]bool{}
	for _, s := range steps {
		if apitype.OpType(s.Op) == apitype.OpImport {
			imported[s.URN] = true
		}
	}
	for _, s := range steps {
		what := fmt.Sprintf("%s %s", stackrun.ShortType(s.Type), s.Name)
		if imported[s.URN] && apitype.OpType(s.Op) != apitype.OpImport {
			// The engine imports an object whose inputs differ and then
			// updates (or replaces) it to match the code.
			p.Problems = append(p.Problems, fmt.Sprintf("import of %s would %s the live object: it differs from the code in %s; align the code (or the object) first",
				what, s.Op, orUnknown(s.Diffs)))
			continue
		}
		switch apitype.OpType(s.Op) {
		case apitype.OpSame, apitype.OpRead, apitype.OpRefresh:
			p.Same++
		case apitype.OpImport:
			if len(s.Diffs) > 0 || s.ImportMismatch {
				p.Problems = append(p.Problems, fmt.Sprintf("import of %s would fail: the live object differs from the code in %s; align the code (or the object) first",
					what, orUnknown(s.Diffs)))
				continue
			}
			p.Imports++
		case apitype.OpCreate:
			p.Creates++
			if allowCreate {
				p.Notes = append(p.Notes, fmt.Sprintf("creates %s (no import ID: a new object)", what))
				continue
			}
			p.Problems = append(p.Problems, fmt.Sprintf("would create %s: give it an import ID if it exists, or pass -allow-create if it is new", what))
		default:
			detail := ""
			if len(s.Diffs) > 0 {
				detail = " (" + strings.Join(s.Diffs, ", ") + ")"
			}
			p.Problems = append(p.Problems, fmt.Sprintf("would %s %s%s", s.Op, what, detail))
		}
	}
	return p
}

// Write prints the result table and every problem and note.
func (r *Result) Write(w io.Writer) {
	if r.Nothing {
		fmt.Fprintf(w, "import-check: no project of %s configures imports (keys: %s); nothing to check\n", r.Env, keyList())
		return
	}
	fmt.Fprintf(w, "\nimport-check · env %s\n", r.Env)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tIMPORT\tSAME\tCREATE\tPROBLEMS")
	for _, p := range r.Projects {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", p.Project, p.Imports, p.Same, p.Creates, len(p.Problems))
	}
	_ = tw.Flush()
	for _, p := range r.Projects {
		for _, n := range p.Notes {
			fmt.Fprintf(w, "note: %s: %s\n", p.Project, n)
		}
		for _, pr := range p.Problems {
			fmt.Fprintf(w, "✗ %s: %s\n", p.Project, pr)
		}
	}
	imports := 0
	for _, p := range r.Projects {
		imports += p.Imports
	}
	switch {
	case r.OK() && imports > 0:
		fmt.Fprintf(w, "result: the %d import ID(s) match the live objects and the code; the next deploy adopts them without changing them (exit 0)\n", imports)
	case r.OK():
		fmt.Fprintln(w, "result: every object is in the state and matches the code; nothing left to import (exit 0)")
	default:
		fmt.Fprintln(w, "result: not safe to deploy yet (exit 1)")
	}
}

func keyList() string {
	var out []string
	for _, p := range contracts.Projects {
		for _, k := range Keys[p] {
			out = append(out, p+":"+k)
		}
	}
	return strings.Join(out, ", ")
}

func orUnknown(diffs []string) string {
	if len(diffs) == 0 {
		return "properties the engine reported"
	}
	return strings.Join(diffs, ", ")
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, " / ")
}
