package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/shared/redact"
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
		{"interrupted", "deploy", []Row{row(NoOp)}, true, ExitInterrupted},
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

// leaky is a report whose provider errors echo a secret back, raw and
// JSON-escaped, as providers do.
func leaky(secret string) *Report {
	r := sample()
	escaped, _ := json.Marshal(secret)
	r.Rows[0].Error = "error: 401 for token " + secret + " (unauthorized)\nresponse: {\"token\":" + string(escaped) + "}"
	r.Rows[0].Note = "retried with " + secret
	r.Rows[1].Drift = []string{"secret changed from " + secret}
	r.Rows[1].Violations = []string{"value " + secret + " is not allowed"}
	r.Rows[1].Outputs = map[string]any{"url": "https://x/?t=" + secret, "n": 3.0,
		"nested": map[string]any{"list": []any{"a", secret}}}
	return r
}

func TestWritersMaskSecrets(t *testing.T) {
	const secret = `sk-live-123456"<&>`
	var m redact.Masker
	m.Add(secret)
	r := leaky(secret)
	r.Masker = &m
	leaks := func(where, text string) {
		t.Helper()
		escaped, _ := json.Marshal(secret)
		for _, form := range []string{secret, string(escaped[1 : len(escaped)-1]), "sk-live-123456"} {
			if strings.Contains(text, form) {
				t.Errorf("%s holds the secret (%q):\n%s", where, form, text)
			}
		}
		if !strings.Contains(text, redact.Mask) {
			t.Errorf("%s shows no mask:\n%s", where, text)
		}
	}

	path := filepath.Join(t.TempDir(), "report.json")
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	leaks("report.json", string(data))
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back.Rows[0].Project != "a" {
		t.Fatalf("report.json: %v", err)
	}

	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	if ok, err := r.AppendGitHubSummary(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	md, _ := os.ReadFile(summary)
	leaks("the step summary", string(md))

	var table bytes.Buffer
	r.WriteTable(&table)
	leaks("the table", table.String())

	// The writers mask a copy: the report itself keeps its text.
	if !strings.Contains(r.Rows[0].Error, secret) || !strings.Contains(r.Rows[1].Outputs["url"].(string), secret) {
		t.Fatal("the writers changed the report")
	}
}

func TestRedact(t *testing.T) {
	const secret = "hunter2-hunter2"
	var m redact.Masker
	m.Add(secret)
	r := leaky(secret)
	orig := r.Rows[1].Outputs
	r.Rows[1].Placeholders = []string{"kept"}
	r.Redact(&m)
	data, _ := json.Marshal(r)
	if strings.Contains(string(data), secret) {
		t.Fatalf("Redact left the secret:\n%s", data)
	}
	row := r.Rows[1]
	if row.Outputs["n"] != 3.0 || row.Outputs["nested"].(map[string]any)["list"].([]any)[1] != redact.Mask ||
		row.Placeholders[0] != "kept" || r.Rows[0].Note != "retried with "+redact.Mask {
		t.Fatalf("redacted row: %+v / %+v", r.Rows[0], row)
	}
	if !strings.Contains(orig["url"].(string), secret) {
		t.Fatal("Redact changed the original outputs map in place")
	}
	r.Redact(nil) // no masker: nothing to do
}
