package program_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	dataplane "github.com/clustera/infra/projects/kafka-data-plane/program"
	"github.com/clustera/infra/projects/kafka-integrations/config"
	"github.com/clustera/infra/projects/kafka-integrations/program"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/topics"
)

const project = contracts.KafkaIntegrationsProject

// wantTopic is a topic a committed topic file declares, with the settings
// it resolves to, and the folder of its integration.
type wantTopic struct {
	folder string
	topics.Topic
}

// declared reads integrations/*/kafka-topics.yaml of the project (in the
// repository, or the copy INFRA_ROOT points at) and resolves every topic
// with the integrations' defaults and the given default replication: the
// expectations of the tests follow the YAML files, so adding an integration
// folder or a topic changes no test. It returns the folders, sorted, and the
// topics by logical name.
func declared(t *testing.T, replication int) ([]string, map[string]wantTopic) {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "projects", project, config.Dir, "*", topics.FileName))
	if err != nil || len(files) == 0 {
		t.Fatalf("no topic files: %v", err)
	}
	defaults := topics.Integrations
	defaults.Settings.Replication = replication
	var folders []string
	want := map[string]wantTopic{}
	for _, f := range files {
		folder := filepath.Base(filepath.Dir(f))
		src, err := topics.ReadSource(f, f)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := topics.Load([]topics.Source{src}, topics.Options{Stack: "test", Defaults: defaults, Limits: topics.Limits{MaxPartitions: 1 << 20, Brokers: 1 << 20}})
		if err != nil {
			t.Fatal(err)
		}
		folders = append(folders, folder)
		for _, tp := range ts {
			want[tp.Logical] = wantTopic{folder: folder, Topic: tp}
		}
	}
	sort.Strings(folders)
	return folders, want
}

// configInputs are the config inputs a topic's settings send to Aiven ("" =
// not sent).
func configInputs(c topics.Config) map[string]string {
	return map[string]string{
		"config.retentionMs": c.RetentionMs, "config.retentionBytes": c.RetentionBytes, "config.maxMessageBytes": c.MaxMessageBytes,
		"config.compressionType": c.CompressionType, "config.cleanupPolicy": c.CleanupPolicy, "config.minInsyncReplicas": c.MinInsyncReplicas,
		"config.deleteRetentionMs": c.DeleteRetentionMs, "config.minCompactionLagMs": c.MinCompactionLagMs, "config.segmentMs": c.SegmentMs,
		"config.messageTimestampType": c.MessageTimestampType,
	}
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
			prod := stack == "prod"
			replication := 2
			if prod {
				replication = 3 // defaultReplication in Pulumi.prod.yaml
			}
			folders, want := declared(t, replication)
			res := run(t, stack, mocktest.Options{})
			var comps []string
			for _, c := range res.OfType(program.ComponentType) {
				comps = append(comps, c.Name)
			}
			if !reflect.DeepEqual(comps, folders) {
				t.Fatalf("components %v, want one per folder %v", comps, folders)
			}
			got := res.OfType(aiven.KafkaTopicType)
			if len(got) != len(want) {
				t.Fatalf("%d topics, want the %d of the topic files", len(got), len(want))
			}
			var imported []string
			for _, r := range got {
				w, ok := want[r.Name]
				if !ok {
					t.Errorf("unexpected topic %s", r.Name)
					continue
				}
				if r.Parent != "urn:pulumi:"+stack+"::kafka-integrations::"+program.ComponentType+"::"+w.folder {
					t.Errorf("%s: parent %q, want the %s component", r.Name, r.Parent, w.folder)
				}
				inputs := configInputs(w.Config)
				for path, v := range map[string]string{
					"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": stack + "-" + r.Name,
					"tags[0].value": stack, "tags[1].value": "pulumi", "tags[2].value": project,
					"topicDescription": w.Description,
				} {
					inputs[path] = v
				}
				for path, v := range inputs {
					if got := r.String(path); got != v {
						t.Errorf("%s: %s = %q, want %q", r.Name, path, got, v)
					}
				}
				if r.Number("partitions") != float64(w.Partitions) || r.Number("replication") != float64(w.Replication) {
					t.Errorf("%s: partitions %v replication %v, want %d and %d", r.Name, r.Number("partitions"), r.Number("replication"), w.Partitions, w.Replication)
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
			// The design's defaults, on two committed topics that keep them:
			// a worker queue (600 MiB per partition) and a shared topic.
			for name, w := range map[string]map[string]string{
				"integrations-worker-gmail": {"config.retentionMs": "259200000", "config.retentionBytes": "629145600", "config.maxMessageBytes": "26214400", "config.compressionType": "snappy"},
				"integrations-errors":       {"config.retentionMs": "259200000", "config.retentionBytes": "", "config.maxMessageBytes": "26214400", "config.compressionType": "snappy"},
			} {
				r, ok := res.Find(aiven.KafkaTopicType, name)
				if !ok {
					t.Fatalf("no topic %s", name)
				}
				for path, v := range w {
					if got := r.String(path); got != v {
						t.Errorf("%s: %s = %q, want the default %q", name, path, got, v)
					}
				}
				if r.Number("partitions") != 1 || r.Number("replication") != float64(replication) {
					t.Errorf("%s: partitions %v replication %v", name, r.Number("partitions"), r.Number("replication"))
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
			if len(names) != len(want) {
				t.Errorf("topicNames = %v, want the %d topics", res.Exports["topicNames"], len(want))
			}
			for logical := range want {
				if names[logical] != stack+"-"+logical {
					t.Errorf("topicNames[%s] = %v", logical, names[logical])
				}
			}
		})
	}
}

func TestNewIntegrationFolderIsDiscovered(t *testing.T) {
	up := upstream(t, "dev")
	before := run(t, "dev", mocktest.Options{Upstreams: up})
	configtest.CommittedRoot(t, project,
		configtest.Write("projects/kafka-integrations/integrations/notion/kafka-topics.yaml", `topics:
  - name: "{stack}-integrations-worker-notion"
    partitions: 3
  - name: "{stack}-integrations-worker-notion-dlq"
`),
		// A README next to the folders is not an integration.
		configtest.Write("projects/kafka-integrations/integrations/README.yaml", "# not a folder\n"),
	)
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

// oldReadmeIntegration is the topic file of a new integration exactly as
// the old repository's README ("Adding New Topics", "For a New
// Integration") tells people to write it.
const oldReadmeIntegration = `# Notion Integration Kafka Topics

topics:
  - name: "{stack}-integrations-worker-notion"
    partitions: 1
    retention_ms: "259200000"      # 3 days
    retention_bytes: "629145600"   # 600 MB
`

// TestIntegrationAsTheOldReadmeDescribes adds one folder with one file, as
// the old README describes, and nothing else: the integration loads and is
// declared on local (and every other stack file loads with it).
func TestIntegrationAsTheOldReadmeDescribes(t *testing.T) {
	ups := map[string]map[string]map[string]any{}
	for _, stack := range []string{"local", "dev", "testing", "staging", "prod", "steve1"} {
		ups[stack] = upstream(t, stack)
	}
	before := run(t, "local", mocktest.Options{Upstreams: ups["local"]})
	configtest.CommittedRoot(t, project, configtest.Write("projects/kafka-integrations/integrations/notion/kafka-topics.yaml", oldReadmeIntegration))
	folders, want := declared(t, 2)
	if !slices.Contains(folders, "notion") || want["integrations-worker-notion"].folder != "notion" {
		t.Fatalf("the scratch folder is not in the copy: %v", folders)
	}
	after := run(t, "local", mocktest.Options{Upstreams: ups["local"]})
	if n, m := len(before.OfType(aiven.KafkaTopicType)), len(after.OfType(aiven.KafkaTopicType)); m != n+1 || m != len(want) {
		t.Fatalf("topics %d → %d, want one more (%d declared)", n, m, len(want))
	}
	if _, ok := after.Find(program.ComponentType, "notion"); !ok {
		t.Fatal("no notion component")
	}
	r, ok := after.Find(aiven.KafkaTopicType, "integrations-worker-notion")
	if !ok {
		t.Fatal("no notion worker topic")
	}
	if want := "urn:pulumi:local::kafka-integrations::" + program.ComponentType + "::notion"; r.Parent != want {
		t.Errorf("parent %q, want the notion component %q", r.Parent, want)
	}
	for path, v := range map[string]string{
		"topicName": "local-integrations-worker-notion", "project": "clustera-creators", "serviceName": "kafka-clustera",
		"config.retentionMs": "259200000", "config.retentionBytes": "629145600",
		"config.maxMessageBytes": "26214400", "config.compressionType": "snappy",
	} {
		if got := r.String(path); got != v {
			t.Errorf("%s = %q, want %q", path, got, v)
		}
	}
	if r.Number("partitions") != 1 || r.Number("replication") != 2 || r.Protect || r.ImportID != "" {
		t.Errorf("partitions %v replication %v protect %v import %q", r.Number("partitions"), r.Number("replication"), r.Protect, r.ImportID)
	}
	if names := after.Exports["topicNames"].(map[string]any); names["integrations-worker-notion"] != "local-integrations-worker-notion" {
		t.Errorf("topicNames = %v", names)
	}
	for stack, up := range ups {
		if _, err := mocktest.RunContract(project, stack, program.Deploy, mocktest.Options{Upstreams: up}); err != nil {
			t.Errorf("%s with the notion folder: %v", stack, err)
		}
	}
}

func TestConfigRejects(t *testing.T) {
	const dir = "projects/kafka-integrations/integrations"
	// One replication problem per committed topic.
	_, committed := declared(t, 2)
	cases := []struct {
		name  string
		stack string
		cfg   map[string]string
		edit  configtest.Change
		want  []string
	}{
		{name: "folder without topic file", edit: configtest.Write(dir+"/notion/notes.txt", "x"),
			want: []string{dir + "/notion/kafka-topics.yaml: topics: is missing"}},
		{name: "invalid folder name", edit: configtest.Write(dir+"/Notion_App/kafka-topics.yaml", "topics: []\n"),
			want: []string{dir + "/Notion_App: (folder): is not a valid integration name"}},
		{name: "missing worker queue", edit: configtest.Write(dir+"/zoom/kafka-topics.yaml", "topics:\n  - name: \"{stack}-integrations-worker-zoom-dlq\"\n"),
			want: []string{dir + `/zoom/kafka-topics.yaml: topics: the zoom integration declares no topic "{stack}-integrations-worker-zoom" (its worker queue)`}},
		{name: "worker of another integration", edit: configtest.Edit(dir+"/zoom/kafka-topics.yaml", configtest.Append("  - name: \"{stack}-integrations-worker-zoomx\"\n")),
			want: []string{dir + `/zoom/kafka-topics.yaml:10:5: name: worker queue "{stack}-integrations-worker-zoomx" does not belong to the zoom integration`}},
		{name: "worker in shared", edit: configtest.Edit(dir+"/shared/kafka-topics.yaml", configtest.Append("  - name: \"{stack}-integrations-worker-misc\"\n")),
			want: []string{dir + `/shared/kafka-topics.yaml:12:5: name: worker queue "{stack}-integrations-worker-misc" is declared in the shared folder`}},
		{name: "not an integration topic", edit: configtest.Edit(dir+"/shared/kafka-topics.yaml", configtest.Append("  - name: \"{stack}-runtime\"\n")),
			want: []string{dir + `/shared/kafka-topics.yaml:12:5: name: topic "{stack}-runtime" is not an integration topic`}},
		{name: "gmail removed", edit: configtest.Remove(dir + "/gmail"),
			want: []string{dir + "/gmail: (folder): is missing", "gcp-gmail reads its worker topic"}},
		{name: "no integrations folder", edit: configtest.Remove(dir),
			want: []string{dir + ": (folder): does not exist"}},
		{name: "duplicate across folders", edit: configtest.Edit(dir+"/slack/kafka-topics.yaml", configtest.Append("  - name: \"{stack}-integrations-errors\"\n")),
			want: []string{dir + `/slack/kafka-topics.yaml:10:11: topics[2].name: topic "{stack}-integrations-errors" is already declared at ` + dir + "/shared/kafka-topics.yaml:10"}},
		{name: "replication above brokers", edit: configtest.Edit("environments/dev.yaml", configtest.Replace("brokers: 3", "brokers: 1")),
			want: []string{fmt.Sprintf("(%d problems)", len(committed)), dir + "/circle/kafka-topics.yaml:6:5: topics[0].replication: 2 is above the 1 brokers"}},
		{name: "unknown key", edit: configtest.Edit(dir+"/gmail/kafka-topics.yaml", configtest.Replace("    description: Work queue", "    retention: \"1\"\n    description: Work queue")),
			want: []string{dir + "/gmail/kafka-topics.yaml:7:5: topics[0].retention: unknown key"}},
		{name: "camelCase key", edit: configtest.Edit(dir+"/gmail/kafka-topics.yaml", configtest.Replace("    description: Work queue", "    retentionMs: \"1\"\n    description: Work queue")),
			want: []string{dir + "/gmail/kafka-topics.yaml:7:5: topics[0].retentionMs: unknown key; fix: did you mean retention_ms?"}},
		{name: "empty topic file", edit: configtest.Write(dir+"/circle/kafka-topics.yaml", ""),
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
				configtest.CommittedRoot(t, project, c.edit)
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
