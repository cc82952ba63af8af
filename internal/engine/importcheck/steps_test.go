package importcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/shared/stackrun"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func step(op apitype.OpType, name string, diffs ...string) stackrun.Step {
	return stackrun.Step{Op: string(op), Type: topic, Name: name, URN: "urn:pulumi:prod::kafka-data-plane::" + topic + "::" + name, Diffs: diffs}
}

const topic = "aiven:index/kafkaTopic:KafkaTopic"

// The steps are those a project process reports (shared/stackrun, Step):
// the stack, providers, components and StackReferences are already left
// out there.
func TestCheckRow(t *testing.T) {
	mismatch := step(apitype.OpImport, "raw-records")
	mismatch.ImportMismatch = true
	steps := []stackrun.Step{
		step(apitype.OpImport, "runtime"),
		step(apitype.OpImport, "cerebras", "partitions"),
		mismatch,
		step(apitype.OpSame, "old"),
		step(apitype.OpCreate, "nginx-requests"),
		step(apitype.OpUpdate, "sse", "config"),
		step(apitype.OpUpdate, "runtime", "topicDescription"),
		step(apitype.OpDelete, "gone"),
	}
	row := report.Row{Project: "kafka-data-plane", Result: report.Changed}
	p := checkRow(row, steps, true, false)
	if p.Imports != 1 || p.Same != 1 || p.Creates != 1 {
		t.Fatalf("counts %+v", p)
	}
	want := []string{
		"import of KafkaTopic cerebras would fail: the live object differs from the code in partitions",
		"import of KafkaTopic raw-records would fail",
		"would create KafkaTopic nginx-requests",
		"would update KafkaTopic sse (config)",
		"import of KafkaTopic runtime would update the live object: it differs from the code in topicDescription",
		"would delete KafkaTopic gone",
	}
	if len(p.Problems) != len(want) {
		t.Fatalf("problems %q", p.Problems)
	}
	for i, w := range want {
		if !strings.HasPrefix(p.Problems[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, p.Problems[i], w)
		}
	}

	allowed := checkRow(row, steps, true, true)
	if len(allowed.Problems) != 5 || !reflect.DeepEqual(allowed.Notes, []string{"creates KafkaTopic nginx-requests (no import ID: a new object)"}) {
		t.Fatalf("allow-create: %+v", allowed)
	}

	clean := checkRow(report.Row{Project: "p", Result: report.Changed},
		[]stackrun.Step{step(apitype.OpImport, "a"), step(apitype.OpSame, "b")}, true, false)
	if len(clean.Problems) != 0 || clean.Imports != 1 || clean.Same != 1 {
		t.Fatalf("clean: %+v", clean)
	}

	for _, c := range []struct {
		row      report.Row
		reported bool
	}{
		{report.Row{Project: "p", Result: report.Failed, Error: "resource 'x' does not exist", Log: "p.log"}, true},
		{report.Row{Project: "p", Result: report.Blocked, BlockedBy: []string{"up"}}, false},
		{report.Row{Project: "p", Result: report.Skipped, Note: "not run: interrupted"}, false},
		{report.Row{Project: "p", Result: report.Changed, Log: "p.log"}, false},
		{report.Row{Project: "p", Result: report.Changed, Placeholders: []string{"kafka-data-plane"}}, true},
	} {
		if got := checkRow(c.row, nil, c.reported, false); len(got.Problems) != 1 {
			t.Errorf("row %+v (steps reported: %v): problems %q", c.row, c.reported, got.Problems)
		}
	}
}

func TestConfigured(t *testing.T) {
	root := t.TempDir()
	write := func(project, stack, body string) {
		dir := filepath.Join(root, "projects", project)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kafka-data-plane", "prod", "config:\n  kafka-data-plane:importTopics:\n    - runtime\n")
	write("kafka-integrations", "prod", "config:\n  kafka-integrations:importTopics: []\n")
	write("gcp-gmail", "prod", "config:\n  gcp-gmail:importExisting: true\n")
	write("cloudflare-storage", "prod", "config:\n  cloudflare-storage:imports:\n    dome-meta: ac198406-1036-495e-b0f1-b61f7c9ecbdf\n")
	write("dns", "prod", "config:\n  dns:imports:\n    x: y\n")
	write("gcp-gmail", "dev", "config:\n  gcp-gmail:importExisting: false\n")
	got, err := Configured(root, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cloudflare-storage", "gcp-gmail", "kafka-data-plane"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("prod: %v, want %v", got, want)
	}
	if got, _ := Configured(root, "dev"); len(got) != 0 {
		t.Fatalf("dev: %v", got)
	}
	write("dns", "bad", "config: [\n")
	write("kafka-data-plane", "bad", "config: [\n")
	if _, err := Configured(root, "bad"); err == nil || !strings.Contains(err.Error(), "Pulumi.bad.yaml") {
		t.Fatalf("bad YAML: %v", err)
	}
}

// The committed prod stack files configure imports where the migration
// needs them.
func TestConfiguredInTheRepository(t *testing.T) {
	got, err := Configured(filepath.Join("..", "..", ".."), "prod")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cloudflare-storage", "gcp-gmail", "kafka-data-plane", "kafka-integrations"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("prod configures imports in %v, want %v", got, want)
	}
}
