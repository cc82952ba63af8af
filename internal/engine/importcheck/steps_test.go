package importcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func writeEvents(t *testing.T, evs ...apitype.EngineEvent) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.events.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	return p
}

func pre(op apitype.OpType, typ, name string, custom bool, diffs ...string) apitype.EngineEvent {
	urn := "urn:pulumi:prod::kafka-data-plane::" + typ + "::" + name
	return apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
		Op: op, URN: urn, Type: typ, Diffs: diffs, New: &apitype.StepEventStateMetadata{Custom: custom},
	}}}
}

const topic = "aiven:index/kafkaTopic:KafkaTopic"

func TestCheckRow(t *testing.T) {
	events := writeEvents(t,
		pre(apitype.OpCreate, "pulumi:pulumi:Stack", "kafka-data-plane-prod", false),
		pre(apitype.OpCreate, "pulumi:providers:aiven", "default_6_58_0", true),
		pre(apitype.OpCreate, "clustera:kafka:DataPlane", "topics", false),
		pre(apitype.OpRead, "pulumi:pulumi:StackReference", "organization/x/prod", true),
		pre(apitype.OpImport, topic, "runtime", true),
		pre(apitype.OpImport, topic, "cerebras", true, "partitions"),
		pre(apitype.OpImport, topic, "raw-records", true),
		pre(apitype.OpSame, topic, "old", true),
		pre(apitype.OpCreate, topic, "nginx-requests", true),
		pre(apitype.OpUpdate, topic, "sse", true, "config"),
		pre(apitype.OpUpdate, topic, "runtime", true, "topicDescription"),
		pre(apitype.OpDelete, topic, "gone", true),
		apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning",
			URN:     "urn:pulumi:prod::kafka-data-plane::" + topic + "::raw-records",
			Message: "inputs to import do not match the existing resource; importing this resource will fail"}},
	)
	p := checkRow(report.Row{Project: "kafka-data-plane", Result: report.Changed, Events: events}, false)
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

	allowed := checkRow(report.Row{Project: "kafka-data-plane", Result: report.Changed, Events: events}, true)
	if len(allowed.Problems) != 5 || !reflect.DeepEqual(allowed.Notes, []string{"creates KafkaTopic nginx-requests (no import ID: a new object)"}) {
		t.Fatalf("allow-create: %+v", allowed)
	}

	clean := checkRow(report.Row{Project: "p", Result: report.Changed, Events: writeEvents(t,
		pre(apitype.OpImport, topic, "a", true), pre(apitype.OpSame, topic, "b", true))}, false)
	if len(clean.Problems) != 0 || clean.Imports != 1 || clean.Same != 1 {
		t.Fatalf("clean: %+v", clean)
	}

	for _, row := range []report.Row{
		{Project: "p", Result: report.Failed, Error: "resource 'x' does not exist", Log: "p.log"},
		{Project: "p", Result: report.Blocked, BlockedBy: []string{"up"}},
		{Project: "p", Result: report.Changed, Events: filepath.Join(t.TempDir(), "missing.jsonl")},
		{Project: "p", Result: report.Changed, Events: writeEvents(t), Placeholders: []string{"kafka-data-plane"}},
	} {
		if got := checkRow(row, false); len(got.Problems) != 1 {
			t.Errorf("row %+v: problems %q", row, got.Problems)
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
