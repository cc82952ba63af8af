package program_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	dataplane "github.com/clustera/infra/projects/kafka-data-plane/program"
	"github.com/clustera/infra/projects/kafka-integrations/program"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
)

const project = contracts.KafkaIntegrationsProject

var integrations = []string{"circle", "distribution", "gmail", "google-drive", "shared", "slack", "zoom"}

// wantTopics maps every logical topic name to its integration folder.
func wantTopics() map[string]string {
	m := map[string]string{"integrations-incoming-records": "shared", "integrations-errors": "shared"}
	for _, in := range integrations {
		if in != "shared" {
			m["integrations-worker-"+in] = in
			m["integrations-worker-"+in+"-dlq"] = in
		}
	}
	return m
}

var prodImports = []string{"integrations-errors", "integrations-incoming-records", "integrations-worker-distribution",
	"integrations-worker-gmail", "integrations-worker-slack", "integrations-worker-zoom"}

// upstream runs kafka-data-plane's Deploy for stack and returns its
// resolved contract, as the StackReference would deliver it.
func upstream(t *testing.T, stack string) map[string]map[string]any {
	t.Helper()
	res, err := mocktest.RunContract(contracts.KafkaDataPlaneProject, stack, dataplane.Deploy, mocktest.Options{})
	if err != nil {
		t.Fatalf("kafka-data-plane %s: %v", stack, err)
	}
	return map[string]map[string]any{contracts.KafkaDataPlaneProject: res.Exports}
}

func run(t *testing.T, stack string, opts mocktest.Options) *mocktest.Result {
	t.Helper()
	if opts.Upstreams == nil {
		opts.Upstreams = upstream(t, stack)
	}
	res, err := mocktest.RunContract(project, stack, program.Deploy, opts)
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return res
}

// TestContractFromDataPlane checks the StackReference edge
// kafka-data-plane → kafka-integrations with the producer's real outputs.
func TestContractFromDataPlane(t *testing.T) {
	for _, stack := range []string{"local", "staging"} {
		up := upstream(t, stack)
		up[contracts.KafkaDataPlaneProject]["aivenProject"] = "from-the-contract"
		up[contracts.KafkaDataPlaneProject]["kafkaService"] = "kafka-from-the-contract"
		res := run(t, stack, mocktest.Options{Upstreams: up})
		if want := []string{"organization/kafka-data-plane/" + stack}; !reflect.DeepEqual(res.StackRefs, want) {
			t.Fatalf("StackRefs = %v, want %v", res.StackRefs, want)
		}
		for _, r := range res.OfType(aiven.KafkaTopicType) {
			if r.String("project") != "from-the-contract" || r.String("serviceName") != "kafka-from-the-contract" {
				t.Errorf("%s %s: project %q service %q do not come from the kafka-data-plane contract", stack, r.Name, r.String("project"), r.String("serviceName"))
			}
		}
	}
}

func TestTopicsPerStack(t *testing.T) {
	for _, stack := range []string{"local", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			res := run(t, stack, mocktest.Options{})
			var comps []string
			for _, c := range res.OfType(program.ComponentType) {
				comps = append(comps, c.Name)
			}
			if !reflect.DeepEqual(comps, integrations) {
				t.Fatalf("components %v, want %v", comps, integrations)
			}
			want := wantTopics()
			got := res.OfType(aiven.KafkaTopicType)
			if len(got) != len(want) {
				t.Fatalf("%d topics, want %d", len(got), len(want))
			}
			prod := stack == "prod"
			var imported []string
			for _, r := range got {
				folder, ok := want[r.Name]
				if !ok {
					t.Errorf("unexpected topic %s", r.Name)
					continue
				}
				if r.Parent != "urn:pulumi:"+stack+"::kafka-integrations::"+program.ComponentType+"::"+folder {
					t.Errorf("%s: parent %q, want the %s component", r.Name, r.Parent, folder)
				}
				retentionBytes := "629145600"
				if folder == "shared" {
					retentionBytes = ""
				}
				for path, v := range map[string]string{
					"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": stack + "-" + r.Name,
					"config.retentionMs": "259200000", "config.retentionBytes": retentionBytes,
					"config.maxMessageBytes": "26214400", "config.compressionType": "snappy",
					"tags[0].value": stack, "tags[1].value": "pulumi", "tags[2].value": project,
				} {
					if got := r.String(path); got != v {
						t.Errorf("%s: %s = %q, want %q", r.Name, path, got, v)
					}
				}
				wantReplication := 2.0
				if prod {
					wantReplication = 3 // defaultReplication in Pulumi.prod.yaml
				}
				if r.Number("partitions") != 1 || r.Number("replication") != wantReplication {
					t.Errorf("%s: partitions %v replication %v", r.Name, r.Number("partitions"), r.Number("replication"))
				}
				if v := r.Get("terminationProtection"); !v.IsBool() || v.BoolValue() != prod || r.Protect != prod {
					t.Errorf("%s: terminationProtection %v protect %v, want %v", r.Name, v, r.Protect, prod)
				}
				if r.ImportID != "" {
					if r.ImportID != "clustera-creators/kafka-clustera/"+stack+"-"+r.Name {
						t.Errorf("%s: import ID %q", r.Name, r.ImportID)
					}
					imported = append(imported, r.Name)
				}
			}
			sort.Strings(imported)
			var wantImports []string
			if prod {
				wantImports = prodImports
			}
			if !reflect.DeepEqual(imported, wantImports) {
				t.Errorf("imported %v, want %v", imported, wantImports)
			}
			if res.Exports["gmailWorkerTopic"] != stack+"-integrations-worker-gmail" {
				t.Errorf("gmailWorkerTopic = %v", res.Exports["gmailWorkerTopic"])
			}
			names, _ := res.Exports["topicNames"].(map[string]any)
			if len(names) != len(want) || names["integrations-worker-google-drive-dlq"] != stack+"-integrations-worker-google-drive-dlq" {
				t.Errorf("topicNames = %v", res.Exports["topicNames"])
			}
		})
	}
}

const (
	removeFile = "\x00remove"
	removeDir  = "\x00removeall"
)

// tempRoot points INFRA_ROOT at a copy of the environments and of this
// project's folder, after applying edit (path relative to the copy →
// function of the old content; a missing file reads as ""). Tests never
// write into the repository.
func tempRoot(t *testing.T, edit map[string]func(string) string) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, dir := range []string{"environments", filepath.Join("projects", project)} {
		err := filepath.WalkDir(filepath.Join(src, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			if !strings.HasSuffix(path, ".yaml") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for rel, f := range edit {
		path := filepath.Join(dst, rel)
		b, _ := os.ReadFile(path)
		switch out := f(string(b)); out {
		case removeFile:
			err = os.Remove(path)
		case removeDir:
			err = os.RemoveAll(path)
		default:
			if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
				err = os.WriteFile(path, []byte(out), 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(layout.EnvRoot, dst)
	return dst
}

func set(content string) func(string) string { return func(string) string { return content } }

func TestNewIntegrationFolderIsDiscovered(t *testing.T) {
	up := upstream(t, "dev")
	before := run(t, "dev", mocktest.Options{Upstreams: up})
	tempRoot(t, map[string]func(string) string{
		"projects/kafka-integrations/integrations/notion/kafka-topics.yaml": set(`topics:
  - name: "{stack}-integrations-worker-notion"
    partitions: 3
  - name: "{stack}-integrations-worker-notion-dlq"
`),
		// A README next to the folders is not an integration.
		"projects/kafka-integrations/integrations/README.yaml": set("# not a folder\n"),
	})
	after := run(t, "dev", mocktest.Options{Upstreams: up})
	if n, m := len(before.OfType(aiven.KafkaTopicType)), len(after.OfType(aiven.KafkaTopicType)); m != n+2 {
		t.Fatalf("topics %d → %d, want two more", n, m)
	}
	if _, ok := after.Find(program.ComponentType, "notion"); !ok {
		t.Fatal("no notion component")
	}
	r, ok := after.Find(aiven.KafkaTopicType, "integrations-worker-notion")
	if !ok || r.String("topicName") != "dev-integrations-worker-notion" || r.Number("partitions") != 3 ||
		r.String("config.retentionBytes") != "629145600" || !strings.HasSuffix(r.Parent, "::notion") {
		t.Fatalf("notion worker: %v parent %q", r.Inputs, r.Parent)
	}
	if names := after.Exports["topicNames"].(map[string]any); names["integrations-worker-notion-dlq"] != "dev-integrations-worker-notion-dlq" {
		t.Fatalf("topicNames = %v", names)
	}
}

func TestConfigRejects(t *testing.T) {
	const dir = "projects/kafka-integrations/integrations"
	cases := []struct {
		name  string
		stack string
		cfg   map[string]string
		edit  map[string]func(string) string
		want  []string
	}{
		{name: "folder without topic file", edit: map[string]func(string) string{dir + "/notion/notes.txt": set("x")},
			want: []string{dir + "/notion/kafka-topics.yaml: topics: is missing"}},
		{name: "invalid folder name", edit: map[string]func(string) string{dir + "/Notion_App/kafka-topics.yaml": set("topics: []\n")},
			want: []string{dir + "/Notion_App: (folder): is not a valid integration name"}},
		{name: "missing dead-letter topic", edit: map[string]func(string) string{dir + "/zoom/kafka-topics.yaml": set("topics:\n  - name: \"{stack}-integrations-worker-zoom\"\n")},
			want: []string{dir + `/zoom/kafka-topics.yaml: topics: the zoom integration declares no topic "{stack}-integrations-worker-zoom-dlq"`}},
		{name: "worker of another integration", edit: map[string]func(string) string{dir + "/zoom/kafka-topics.yaml": func(s string) string {
			return s + "  - name: \"{stack}-integrations-worker-zoomx\"\n"
		}}, want: []string{dir + `/zoom/kafka-topics.yaml:10: name: worker queue "{stack}-integrations-worker-zoomx" does not belong to the zoom integration`}},
		{name: "worker in shared", edit: map[string]func(string) string{dir + "/shared/kafka-topics.yaml": func(s string) string {
			return s + "  - name: \"{stack}-integrations-worker-misc\"\n"
		}}, want: []string{dir + `/shared/kafka-topics.yaml:12: name: worker queue "{stack}-integrations-worker-misc" is declared in the shared folder`}},
		{name: "not an integration topic", edit: map[string]func(string) string{dir + "/shared/kafka-topics.yaml": func(s string) string {
			return s + "  - name: \"{stack}-runtime\"\n"
		}}, want: []string{dir + `/shared/kafka-topics.yaml:12: name: topic "{stack}-runtime" is not an integration topic`}},
		{name: "gmail removed", edit: map[string]func(string) string{dir + "/gmail": set(removeDir)},
			want: []string{dir + "/gmail: (folder): is missing", "gcp-gmail reads its worker topic"}},
		{name: "no integrations folder", edit: map[string]func(string) string{dir: set(removeDir)},
			want: []string{dir + ": (folder): does not exist"}},
		{name: "duplicate across folders", edit: map[string]func(string) string{dir + "/slack/kafka-topics.yaml": func(s string) string {
			return s + "  - name: \"{stack}-integrations-errors\"\n"
		}}, want: []string{dir + `/slack/kafka-topics.yaml:10:11: topics[2].name: topic "{stack}-integrations-errors" is already declared at ` + dir + "/shared/kafka-topics.yaml:10"}},
		{name: "replication above brokers", edit: map[string]func(string) string{"environments/dev.yaml": func(s string) string {
			return strings.Replace(s, "brokers: 3", "brokers: 1", 1)
		}}, want: []string{"(14 problems)", dir + "/circle/kafka-topics.yaml:6:5: topics[0].replication: 2 is above the 1 brokers"}},
		{name: "unknown key", edit: map[string]func(string) string{dir + "/gmail/kafka-topics.yaml": func(s string) string {
			return strings.Replace(s, "    description: Work queue", "    retention: \"1\"\n    description: Work queue", 1)
		}}, want: []string{dir + "/gmail/kafka-topics.yaml:7:5: retention: unknown key"}},
		{name: "empty topic file", edit: map[string]func(string) string{dir + "/circle/kafka-topics.yaml": set("")},
			want: []string{dir + "/circle/kafka-topics.yaml: topics: the file is empty"}},
		{name: "import unknown topic", cfg: map[string]string{"kafka-integrations:importTopics": `["integrations-worker-gmial"]`},
			want: []string{"projects/kafka-integrations/Pulumi.dev.yaml: kafka-integrations:importTopics[0]:", `"integrations-worker-gmial" is not a declared topic`}},
		{name: "override without environment", cfg: map[string]string{"kafka-integrations:names": `{"integrations-errors":"integrations-errors"}`},
			want: []string{"kafka-integrations:names:", `does not contain the environment "dev"`}},
		{name: "default replication below Aiven's minimum", cfg: map[string]string{"kafka-integrations:defaultReplication": "1"},
			want: []string{"projects/kafka-integrations/Pulumi.dev.yaml: kafka-integrations:defaultReplication: 1 is below 2"}},
		{name: "default replication above brokers", cfg: map[string]string{"kafka-integrations:defaultReplication": "4"},
			want: []string{"replication: 4 is above the 3 brokers"}},
		{name: "unused override", cfg: map[string]string{"kafka-integrations:names": `{"errors":"dev-errors"}`},
			want: []string{"kafka-integrations:names: overrides for topics that are not declared: [errors]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := c.stack
			if stack == "" {
				stack = "dev"
			}
			up := upstream(t, stack)
			if c.edit != nil {
				tempRoot(t, c.edit)
			}
			res, err := mocktest.RunContract(project, stack, program.Deploy, mocktest.Options{Config: c.cfg, Upstreams: up})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if len(res.Resources) != 0 || len(res.StackRefs) != 0 {
				t.Errorf("registered %d resources and %d stack references before failing", len(res.Resources), len(res.StackRefs))
			}
		})
	}
}

func TestMissingUpstreamStackFails(t *testing.T) {
	_, err := mocktest.RunContract(project, "testing", program.Deploy, mocktest.Options{Upstreams: map[string]map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), `unknown stack "organization/kafka-data-plane/testing"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryStackFileLoads(t *testing.T) {
	for _, stack := range []string{"local", "dev", "testing", "staging", "prod", "steve1"} {
		run(t, stack, mocktest.Options{})
	}
}
