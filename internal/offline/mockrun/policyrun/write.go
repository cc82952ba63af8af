package policyrun

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/clustera/infra/policies/enforcement"
)

// Write prints the report for people: each project's violations
// (mandatory first) or why it did not run, the cross-stack findings, a
// summary table and the verdict.
func (r *Report) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Offline policy check of environment %s: %d policies, %s by default%s; every program run under mocks (no cloud, no CLI)\n",
		r.Env, r.Policies, r.Level, overrides(r.Overrides, r.Env))
	for _, p := range r.Projects {
		ew.printf("\n%s: %s\n", p.Name, headline(p))
		if p.Error != "" {
			ew.printf("%s\n", indent(p.Error, "    "))
		}
		for _, v := range p.Violations {
			ew.printf("  %-9s %s  %s\n", strings.ToUpper(v.Level), v.Policy, v.Resource)
			ew.printf("%s\n", indent(v.Problem+". Fix: "+v.Fix+".", "            "))
		}
	}
	ew.printf("\ncross-stack checks: %s\n", crossHeadline(len(r.CrossStack)))
	for _, f := range r.CrossStack {
		ew.printf("  %-9s %s  %s\n", strings.ToUpper(f.Level), f.Check, f.Subject)
		ew.printf("%s\n", indent(f.Problem+". Fix: "+f.Fix+".", "            "))
	}
	ew.printf("\nSummary (%s)\n", r.Env)
	width := len("cross-stack")
	for _, p := range r.Projects {
		width = max(width, len(p.Name))
	}
	row := func(name, status, resources, mandatory, advisory string) {
		ew.printf("  %-*s  %-8s  %9s  %9s  %8s\n", width, name, status, resources, mandatory, advisory)
	}
	row("project", "status", "resources", "mandatory", "advisory")
	for _, p := range r.Projects {
		row(p.Name, p.Status, fmt.Sprint(p.Resources), fmt.Sprint(p.Mandatory), fmt.Sprint(p.Advisory))
	}
	status := StatusOK
	if len(r.CrossStack) > 0 {
		status = "violated"
	}
	row("cross-stack", status, "-", fmt.Sprint(len(r.CrossStack)), "-")
	ew.printf("\n%s\n", r.verdict())
	return ew.err
}

// overrides describes the per-policy levels of environments/<env>.yaml.
func overrides(o map[string]string, env string) string {
	if len(o) == 0 {
		return ""
	}
	names := make([]string, 0, len(o))
	for n := range o {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = n + " " + o[n]
	}
	return fmt.Sprintf(" (overridden in environments/%s.yaml: %s)", env, strings.Join(names, ", "))
}

func headline(p ProjectReport) string {
	switch p.Status {
	case StatusFailed:
		return "FAILED: the program did not run to the end"
	case StatusBlocked:
		return "BLOCKED: not run"
	}
	if len(p.Violations) == 0 {
		return fmt.Sprintf("ok, %d resources, no violations", p.Resources)
	}
	return fmt.Sprintf("%d resources, %d mandatory and %d advisory violations", p.Resources, p.Mandatory, p.Advisory)
}

func crossHeadline(n int) string {
	if n == 0 {
		return "ok, no findings"
	}
	return fmt.Sprintf("%d findings (%s)", n, enforcement.Mandatory)
}

// verdict is the last line: what blocks, or PASS.
func (r *Report) verdict() string {
	if r.ExitCode == 0 {
		if r.Advisory > 0 {
			return fmt.Sprintf("PASS: no mandatory violations (%d advisory); exit 0", r.Advisory)
		}
		return "PASS: no violations; exit 0"
	}
	var why []string
	if r.Mandatory > 0 {
		why = append(why, fmt.Sprintf("%d mandatory violations", r.Mandatory))
	}
	if r.Failed > 0 {
		var names []string
		for _, p := range r.Projects {
			if p.Status != StatusOK {
				names = append(names, p.Name+" "+p.Status)
			}
		}
		why = append(why, fmt.Sprintf("%d programs did not run (%s)", r.Failed, strings.Join(names, ", ")))
	}
	return fmt.Sprintf("FAIL: %s; exit %d", strings.Join(why, ", "), r.ExitCode)
}

// WriteJSON prints the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + strings.TrimLeft(l, " \t")
	}
	return strings.Join(lines, "\n")
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
