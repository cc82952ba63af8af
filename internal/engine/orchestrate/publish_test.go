package orchestrate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/engine/runner"
)

// publishFixture is a deploy with one failure (its log on disk), one
// project with outputs, and one interrupted project.
func publishFixture(t *testing.T, hard <-chan struct{}) (*Prepared, *report.Report, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	runDir := filepath.Join(root, ".state", "runs", "staging", "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(runDir, "dns.log")
	if err := os.WriteFile(log, []byte("first\n\nresource x: boom\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	plan, err := MakePlan("staging", runner.Deploy, projectGraph(t), Selection{}, everything, "")
	if err != nil {
		t.Fatal(err)
	}
	p := &Prepared{req: Request{Root: root, Env: "staging", Op: runner.Deploy, Out: &out, Hard: hard}, plan: plan, runDir: runDir}
	rep := &report.Report{Env: "staging", Operation: "deploy", Interrupted: hard != nil, Rows: []report.Row{
		{Project: "dns", Operation: "deploy", Result: report.Failed, Error: "boom", Log: log},
		{Project: "cloudflare-storage", Operation: "deploy", Result: report.Changed, Outputs: map[string]any{"bucket": "b1", "count": 2}},
		{Project: "kafka-data-plane", Operation: "deploy", Result: report.Interrupted, Error: "killed"},
	}}
	rep.Finish()
	return p, rep, &out
}

// Publish prints the table, each failure with its log's last lines, the
// outputs, what a second Ctrl-C left, and the report's path; it writes
// report.json and the GitHub step summary.
func TestPublish(t *testing.T) {
	hard := make(chan struct{})
	close(hard)
	p, rep, out := publishFixture(t, hard)
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	if err := p.Publish(rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n✗ dns failed: boom\n",
		"  last lines of .state/runs/staging/run/dns.log:\n  │ first\n  │ resource x: boom\n",
		"  full log: .state/runs/staging/run/dns.log\n",
		"\nOutputs:\n  cloudflare-storage\n    bucket:              b1\n    count:               2\n",
		"aborted: the projects running were killed (kafka-data-plane): ",
		"report: .state/runs/staging/run/report.json\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	data, err := os.ReadFile(filepath.Join(p.runDir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(data, &back); err != nil || len(back.Rows) != len(rep.Rows) {
		t.Fatalf("report.json: %v, %d rows", err, len(back.Rows))
	}
	if md, err := os.ReadFile(summary); err != nil || !strings.Contains(string(md), "dns") {
		t.Fatalf("step summary: %v %q", err, md)
	}
}

// Outputs print as JSON with -json; a run without interrupt says nothing
// of one; a report that cannot be written is an error.
func TestPublishJSONAndErrors(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	p, rep, out := publishFixture(t, nil)
	p.req.JSON = true
	if err := p.Publish(rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "{\n  \"cloudflare-storage\": {\n    \"bucket\": \"b1\",") {
		t.Errorf("outputs not as JSON:\n%s", out.String())
	}
	if strings.Contains(out.String(), "interrupted: in-flight") || strings.Contains(out.String(), "aborted: ") {
		t.Errorf("an uninterrupted run speaks of an interrupt:\n%s", out.String())
	}
	p.runDir = filepath.Join(p.runDir, "report.json") // a file, not a folder
	if err := p.Publish(rep); err == nil {
		t.Fatal("publishing into a file as the run folder succeeded")
	}
}
