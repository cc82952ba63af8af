package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExitCodes(t *testing.T) {
	row := func(r Result) Row { return Row{Project: "p", Result: r} }
	cases := []struct {
		name        string
		op          string
		rows        []Row
		interrupted bool
		want        int
	}{
		{"all no-op deploy", "deploy", []Row{row(NoOp), row(NoOp)}, false, ExitOK},
		{"deploy with changes is success", "deploy", []Row{row(Changed), row(NoOp)}, false, ExitOK},
		{"preview with changes", "preview", []Row{row(NoOp), row(Changed)}, false, ExitChanges},
		{"preview without changes", "preview", []Row{row(NoOp)}, false, ExitOK},
		{"drift found", "drift", []Row{row(Changed)}, false, ExitChanges},
		{"failure wins over changes", "preview", []Row{row(Changed), row(Failed)}, false, ExitFailed},
		{"blocked is a failure", "deploy", []Row{row(NoOp), row(Blocked)}, false, ExitFailed},
		{"skipped alone is fine", "refresh", []Row{row(Skipped), row(Succeeded)}, false, ExitOK},
		{"interrupted", "deploy", []Row{row(NoOp)}, true, ExitFailed},
		{"empty", "deploy", nil, false, ExitOK},
	}
	for _, c := range cases {
		if got := Exit(c.op, c.rows, c.interrupted); got != c.want {
			t.Errorf("%s: Exit = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestChangesFrom(t *testing.T) {
	c := ChangesFrom(map[string]int{"create": 2, "update": 1, "replace": 1, "delete": 3, "same": 5, "create-replacement": 1, "delete-replaced": 1, "import": 4})
	want := Changes{Create: 2, Update: 1, Replace: 1, Delete: 3, Same: 5, Import: 4}
	if c != want {
		t.Fatalf("ChangesFrom = %+v, want %+v", c, want)
	}
	if !c.Any() || (Changes{Same: 4}).Any() || !(Changes{Import: 1}).Any() {
		t.Fatal("Any wrong")
	}
}

func sample() *Report {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	r := &Report{Env: "staging", Operation: "deploy", Started: start, Finished: start.Add(12 * time.Second), Parallel: 3,
		CriticalPath: []string{"a", "b"}, CriticalSecs: 10}
	r.Rows = []Row{
		{Project: "b", Operation: "deploy", Result: Blocked, BlockedBy: []string{"a"}},
		{Project: "a", Operation: "deploy", Result: Failed, Seconds: 4, Error: "boom\nmore"},
		{Project: "c", Operation: "deploy", Result: Changed, Seconds: 6, Changes: Changes{Create: 3, Same: 1}, Placeholders: []string{"x"}},
	}
	r.SortRows([]string{"a", "c", "b"})
	r.Finish()
	return r
}

func TestTable(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	r.WriteTable(&b)
	out := b.String()
	for _, want := range []string{"PROJECT", "blocked-by-a", "failed", "changed", "exit 1", "critical path a → b", "PLACEHOLDER"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[1], "a ") || !strings.HasPrefix(lines[2], "c ") || !strings.HasPrefix(lines[3], "b ") {
		t.Errorf("rows not in the given order:\n%s", out)
	}
	if r.SumSeconds != 10 || r.WallSeconds != 12 {
		t.Errorf("totals: sum %v wall %v", r.SumSeconds, r.WallSeconds)
	}
}

func TestJSONAndMarkdown(t *testing.T) {
	r := sample()
	path := filepath.Join(t.TempDir(), "report.json")
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	var back Report
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &back); err != nil || back.ExitCode != 1 || len(back.Rows) != 3 || back.Rows[2].BlockedBy[0] != "a" {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	md := r.Markdown()
	for _, want := range []string{"| a | deploy | failed |", "blocked-by-a", "**a** failed: boom", "placeholder outputs of x"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	if ok, err := r.AppendGitHubSummary(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := r.AppendGitHubSummary(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	got, _ := os.ReadFile(summary)
	if strings.Count(string(got), "### ") != 2 {
		t.Fatalf("summary not appended twice:\n%s", got)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	if ok, _ := r.AppendGitHubSummary(); ok {
		t.Fatal("wrote without GITHUB_STEP_SUMMARY")
	}
}

func TestImportColumnOnlyWhenImporting(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	r.WriteTable(&b)
	if strings.Contains(b.String(), "IMPORT") {
		t.Fatal("IMPORT column without imports")
	}
	r.Rows[0].Changes.Import = 2
	b.Reset()
	r.WriteTable(&b)
	if !strings.Contains(b.String(), "IMPORT") {
		t.Fatalf("no IMPORT column:\n%s", b.String())
	}
}
