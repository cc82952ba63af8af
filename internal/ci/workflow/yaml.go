package workflow

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// The typed model of a GitHub Actions workflow: only the keys the generator
// uses, marshalled with github.com/goccy/go-yaml. Struct fields come out in
// declaration order and Map keeps insertion order, so the output is
// deterministic without sorting, and reads in the order of GitHub's
// documentation (name, needs, if, runs-on, … steps).

// Workflow is one workflow file.
type Workflow struct {
	Name        string       `yaml:"name"`
	On          Triggers     `yaml:"on"`
	Permissions Map          `yaml:"permissions,omitempty"`
	Concurrency *Concurrency `yaml:"concurrency,omitempty"`
	Defaults    *Defaults    `yaml:"defaults,omitempty"`
	Jobs        Jobs         `yaml:"jobs"`
	// Comments are written above the given top-level paths ("concurrency",
	// "on.push"); jobs, steps and Map entries carry their own.
	Comments map[string]string `yaml:"-"`
}

// Triggers is the on: key.
type Triggers struct {
	Push             *BranchFilter `yaml:"push,omitempty"`
	PullRequest      *BranchFilter `yaml:"pull_request,omitempty"`
	Schedule         []Cron        `yaml:"schedule,omitempty"`
	WorkflowDispatch *struct{}     `yaml:"workflow_dispatch,omitempty"`
}

// BranchFilter is a push or pull_request trigger.
type BranchFilter struct {
	Branches []string `yaml:"branches"`
}

// Cron is one schedule entry.
type Cron struct {
	Cron string `yaml:"cron"`
}

// Concurrency is a concurrency group; CancelInProgress is a bool or an
// expression.
type Concurrency struct {
	Group            string `yaml:"group"`
	CancelInProgress any    `yaml:"cancel-in-progress"`
}

// Defaults are the defaults of every run: step.
type Defaults struct {
	Run RunDefaults `yaml:"run"`
}

// RunDefaults sets the shell of run: steps.
type RunDefaults struct {
	Shell string `yaml:"shell"`
}

// Jobs are the jobs of a workflow, in the order they are written.
type Jobs []*Job

// MarshalYAML writes the jobs as a mapping from ID to job.
func (js Jobs) MarshalYAML() (any, error) {
	out := yaml.MapSlice{}
	for _, j := range js {
		out = append(out, yaml.MapItem{Key: j.ID, Value: j})
	}
	return out, nil
}

// Job is one job.
type Job struct {
	ID             string       `yaml:"-"`
	Name           string       `yaml:"name"`
	Needs          []string     `yaml:"needs,omitempty,flow"`
	If             string       `yaml:"if,omitempty"`
	RunsOn         string       `yaml:"runs-on"`
	TimeoutMinutes int          `yaml:"timeout-minutes"`
	Strategy       *Strategy    `yaml:"strategy,omitempty"`
	Concurrency    *Concurrency `yaml:"concurrency,omitempty"`
	Permissions    Map          `yaml:"permissions,omitempty"`
	Environment    string       `yaml:"environment,omitempty"`
	Outputs        Map          `yaml:"outputs,omitempty"`
	Env            Map          `yaml:"env,omitempty"`
	Steps          []*Step      `yaml:"steps"`
	// Comment is written above the job.
	Comment string `yaml:"-"`
}

// Strategy is a job's matrix.
type Strategy struct {
	FailFast bool   `yaml:"fail-fast"`
	Matrix   Matrix `yaml:"matrix"`
}

// Matrix lists the combinations explicitly (include:).
type Matrix struct {
	Include []Map `yaml:"include"`
}

// Step is one step: Uses (an action) or Run (a script).
type Step struct {
	Name string  `yaml:"name"`
	ID   string  `yaml:"id,omitempty"`
	If   string  `yaml:"if,omitempty"`
	Uses *Action `yaml:"uses,omitempty"`
	With Map     `yaml:"with,omitempty"`
	Env  Map     `yaml:"env,omitempty"`
	Run  string  `yaml:"run,omitempty"`
	// Comment is written above the step.
	Comment string `yaml:"-"`
}

// Action is an action pinned by full commit SHA; Version is written next to
// it for people (and for tools that update pins).
type Action struct {
	Repo, SHA, Version string
}

// MarshalYAML writes owner/repo@sha.
func (a *Action) MarshalYAML() (any, error) { return a.Repo + "@" + a.SHA, nil }

// Map is an ordered mapping (env:, with:, outputs:, permissions:, a matrix
// combination); keys come out in insertion order.
type Map []Entry

// Entry is one key of a Map. Value is a string, a bool or an int. Comment
// goes at the end of the line, Head above it.
type Entry struct {
	Key     string
	Value   any
	Comment string
	Head    string
}

// MarshalYAML writes the entries as a mapping, in order.
func (m Map) MarshalYAML() (any, error) {
	out := make(yaml.MapSlice, 0, len(m))
	for _, e := range m {
		out = append(out, yaml.MapItem{Key: e.Key, Value: e.Value})
	}
	return out, nil
}

// Set adds or replaces key.
func (m Map) Set(key string, value any) Map {
	for i := range m {
		if m[i].Key == key {
			m[i].Value = value
			return m
		}
	}
	return append(m, Entry{Key: key, Value: value})
}

// Get returns the value of key.
func (m Map) Get(key string) (any, bool) {
	for _, e := range m {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

// Marshal renders w as YAML after the header: two-space indentation,
// indented sequences, multi-line strings as literal blocks, the comments of
// the model, and a blank line between top-level keys and between jobs.
func (w *Workflow) Marshal(header string) ([]byte, error) {
	comments, err := w.commentMap()
	if err != nil {
		return nil, err
	}
	out, err := yaml.MarshalWithOptions(w,
		yaml.Indent(2),
		yaml.IndentSequence(true),
		yaml.UseLiteralStyleIfMultiline(true),
		yaml.WithComment(comments),
	)
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	return append([]byte(header), spaced(out)...), nil
}

// path is a YAML path: string keys, int indexes.
type path []any

func (p path) String() string {
	b := (&yaml.PathBuilder{}).Root()
	for _, e := range p {
		switch e := e.(type) {
		case string:
			b = b.Child(e)
		case int:
			b = b.Index(uint(e))
		}
	}
	return b.Build().String()
}

func (p path) with(e ...any) path { return append(append(path(nil), p...), e...) }

// commentMap collects the comments of the model by path.
func (w *Workflow) commentMap() (yaml.CommentMap, error) {
	cm := yaml.CommentMap{}
	head := func(p path, text string) {
		if text != "" {
			cm[p.String()] = append(cm[p.String()], yaml.HeadComment(commentLines(text)...))
		}
	}
	line := func(p path, text string) {
		if text != "" {
			cm[p.String()] = append(cm[p.String()], yaml.LineComment(" "+text))
		}
	}
	entries := func(p path, m Map) {
		for _, e := range m {
			head(p.with(e.Key), e.Head)
			line(p.with(e.Key), e.Comment)
		}
	}
	for k, text := range w.Comments {
		var p path
		for _, s := range strings.Split(k, ".") {
			p = append(p, s)
		}
		head(p, text)
	}
	entries(path{"permissions"}, w.Permissions)
	seen := map[string]bool{}
	for _, j := range w.Jobs {
		if j.ID == "" || seen[j.ID] {
			return nil, fmt.Errorf("workflow: job ID %q is empty or repeated", j.ID)
		}
		seen[j.ID] = true
		jp := path{"jobs", j.ID}
		head(jp, j.Comment)
		entries(jp.with("permissions"), j.Permissions)
		entries(jp.with("outputs"), j.Outputs)
		entries(jp.with("env"), j.Env)
		for i, s := range j.Steps {
			sp := jp.with("steps", i)
			head(sp, s.Comment)
			if s.Uses != nil {
				line(sp.with("uses"), s.Uses.Version)
			}
			entries(sp.with("with"), s.With)
			entries(sp.with("env"), s.Env)
		}
	}
	return cm, nil
}

// commentWidth is where comment lines wrap.
const commentWidth = 72

// commentLines turns text into comment lines ("#" is added by the printer
// before each), wrapping lines longer than commentWidth at blanks.
func commentLines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		cur := ""
		for _, word := range strings.Fields(l) {
			if cur != "" && len(cur)+1+len(word) > commentWidth {
				out = append(out, " "+cur)
				cur = ""
			}
			if cur != "" {
				cur += " "
			}
			cur += word
		}
		out = append(out, strings.TrimRight(" "+cur, " "))
	}
	return out
}

// spaced puts a blank line before every top-level key but the first and
// before every job but the first (with the comment lines above them), and
// trims trailing blanks (lines of a literal block that are only
// indentation, which YAML reads as empty lines anyway). Block scalar
// contents are indented deeper than their key, so a line at indentation 0,
// or 2 under jobs:, is always a key or its comment.
func spaced(in []byte) []byte {
	lines := strings.Split(strings.TrimRight(string(in), "\n"), "\n")
	starts := map[int]bool{}
	inJobs, firstJob := false, true
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		var level int
		switch {
		case indentOf(l) == 0 && !strings.HasPrefix(l, "#"):
			level = 0
			inJobs = l == "jobs:"
		case inJobs && indentOf(l) == 2 && !strings.HasPrefix(strings.TrimSpace(l), "#"):
			level = 2
		default:
			continue
		}
		if level == 2 && firstJob {
			firstJob = false
			continue
		}
		start := i
		for start > 0 && indentOf(lines[start-1]) == level && strings.HasPrefix(strings.TrimSpace(lines[start-1]), "#") {
			start--
		}
		if start > 0 {
			starts[start] = true
		}
	}
	var b bytes.Buffer
	for i, l := range lines {
		if starts[i] {
			b.WriteByte('\n')
		}
		if strings.TrimSpace(l) != "" {
			b.WriteString(l)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
