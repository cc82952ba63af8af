package program_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/kafka-data-plane/program"
	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/topics"
)

const project = contracts.KafkaDataPlaneProject

// declared loads the committed kafka-topics.yaml of the project (in the
// repository, or the copy INFRA_ROOT points at) with the data plane
// defaults: the expectations of the tests follow the YAML file, so adding a
// topic changes no test. It returns the topics by logical name.
func declared(t *testing.T) map[string]topics.Topic {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	src, err := topics.ReadSource(filepath.Join(root, topicFile), topicFile)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := topics.Load([]topics.Source{src}, topics.Options{Stack: "test", Defaults: topics.DataPlane, Limits: topics.Limits{MaxPartitions: 1 << 20, Brokers: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]topics.Topic{}
	for _, tp := range ts {
		out[tp.Logical] = tp
	}
	return out
}

// configInputs are the config inputs a topic's settings send to Aiven,
// without the unset ones.
func configInputs(c topics.Config) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		"retentionMs": c.RetentionMs, "retentionBytes": c.RetentionBytes, "maxMessageBytes": c.MaxMessageBytes,
		"compressionType": c.CompressionType, "cleanupPolicy": c.CleanupPolicy, "minInsyncReplicas": c.MinInsyncReplicas,
		"deleteRetentionMs": c.DeleteRetentionMs, "minCompactionLagMs": c.MinCompactionLagMs, "segmentMs": c.SegmentMs,
		"messageTimestampType": c.MessageTimestampType,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// prodImports are the topics prod adopts from the previous stack.
var prodImports = []string{"cerebras", "http-requests-lake", "http-responses-lake", "ingestion-control", "raw-records",
	"runtime", "sse-requests-lake", "sse-responses-lake", "websocket-requests", "websocket-responses"}

func run(t *testing.T, stack string, opts mocktest.Options) *mocktest.Result {
	t.Helper()
	res, err := mocktest.RunContract(project, stack, program.Deploy, opts)
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return res
}

func TestTopicsPerStack(t *testing.T) {
	want := declared(t)
	for _, stack := range []string{"local", "staging", "steve1", "prod"} {
		t.Run(stack, func(t *testing.T) {
			res := run(t, stack, mocktest.Options{})
			comps := res.OfType(program.ComponentType)
			if len(comps) != 1 {
				t.Fatalf("components = %d", len(comps))
			}
			got := res.OfType(aiven.KafkaTopicType)
			if len(got) != len(want) {
				t.Fatalf("%d topics, want the %d of %s", len(got), len(want), topicFile)
			}
			prod := stack == "prod"
			var imported []string
			for _, r := range got {
				w, ok := want[r.Name]
				if !ok {
					t.Errorf("unexpected topic %s", r.Name)
					continue
				}
				for path, v := range map[string]string{
					"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": stack + "-" + r.Name,
					"tags[0].key": "env", "tags[0].value": stack, "tags[1].key": "managed-by", "tags[1].value": "pulumi",
					"tags[2].key": "project", "tags[2].value": project, "topicDescription": w.Description,
				} {
					if got := r.String(path); got != v {
						t.Errorf("%s: %s = %q, want %q", r.Name, path, got, v)
					}
				}
				cfg := map[string]string{}
				for k, v := range r.Get("config").ObjectValue() {
					cfg[string(k)] = v.StringValue()
				}
				if wc := configInputs(w.Config); !reflect.DeepEqual(cfg, wc) {
					t.Errorf("%s: config = %v, want %v", r.Name, cfg, wc)
				}
				if r.Number("partitions") != float64(w.Partitions) || r.Number("replication") != float64(w.Replication) {
					t.Errorf("%s: partitions %v replication %v, want %d and %d", r.Name, r.Number("partitions"), r.Number("replication"), w.Partitions, w.Replication)
				}
				if r.String("topicDescription") == "" {
					t.Errorf("%s: no description", r.Name)
				}
				if v := r.Get("terminationProtection"); !v.IsBool() || v.BoolValue() != prod {
					t.Errorf("%s: terminationProtection = %v, want %v", r.Name, v, prod)
				}
				if r.Protect != prod {
					t.Errorf("%s: protect = %v, want %v", r.Name, r.Protect, prod)
				}
				if r.Parent != "urn:pulumi:"+stack+"::kafka-data-plane::"+program.ComponentType+"::data-plane" {
					t.Errorf("%s: parent = %q", r.Name, r.Parent)
				}
				if r.ImportID != "" {
					if want := "clustera-creators/kafka-clustera/" + stack + "-" + r.Name; r.ImportID != want {
						t.Errorf("%s: import ID %q, want %q", r.Name, r.ImportID, want)
					}
					imported = append(imported, r.Name)
				}
			}
			// The design's defaults and partition counts, on committed
			// topics that keep them.
			for name, partitions := range map[string]float64{"runtime": 10, "cerebras": 10, "ingestion-control": 10, "raw-records": 1} {
				r, ok := res.Find(aiven.KafkaTopicType, name)
				if !ok {
					t.Fatalf("no topic %s", name)
				}
				cfg := r.Get("config").ObjectValue()
				if r.Number("partitions") != partitions || r.Number("replication") != 3 || len(cfg) != 3 ||
					r.String("config.retentionMs") != "604800000" || r.String("config.maxMessageBytes") != "26214400" || r.String("config.compressionType") != "snappy" {
					t.Errorf("%s: partitions %v replication %v config %v, want %v, 3 and the three defaults", name, r.Number("partitions"), r.Number("replication"), cfg, partitions)
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
			names, _ := res.Exports["topicNames"].(map[string]any)
			if len(names) != len(want) {
				t.Errorf("topicNames = %v, want the %d topics", res.Exports["topicNames"], len(want))
			}
			for logical := range want {
				if names[logical] != stack+"-"+logical {
					t.Errorf("topicNames[%s] = %v", logical, names[logical])
				}
			}
			if res.Exports["aivenProject"] != "clustera-creators" || res.Exports["kafkaService"] != "kafka-clustera" {
				t.Errorf("exports = %v", res.Exports)
			}
			if len(res.StackRefs) != 0 {
				t.Errorf("reads stacks %v; kafka-data-plane has no upstream", res.StackRefs)
			}
		})
	}
}

func TestNameOverrides(t *testing.T) {
	res := run(t, "prod", mocktest.Options{Config: map[string]string{
		"kafka-data-plane:names":        `{"runtime":"runtime-v1"}`,
		"kafka-data-plane:importTopics": `["runtime"]`,
	}})
	r, ok := res.Find(aiven.KafkaTopicType, "runtime")
	if !ok || r.String("topicName") != "runtime-v1" || r.ImportID != "clustera-creators/kafka-clustera/runtime-v1" {
		t.Fatalf("runtime: name %q import %q", r.String("topicName"), r.ImportID)
	}
	if names := res.Exports["topicNames"].(map[string]any); names["runtime"] != "runtime-v1" {
		t.Fatalf("topicNames = %v", names)
	}
}

const topicFile = "projects/kafka-data-plane/kafka-topics.yaml"

// TestTopicAsTheOldReadmeDescribes appends a topic to the file exactly as
// the old repository's README ("Adding New Topics", "For Data Plane") tells
// people to, and changes nothing else: it is declared on local.
func TestTopicAsTheOldReadmeDescribes(t *testing.T) {
	before := run(t, "local", mocktest.Options{})
	configtest.CommittedRoot(t, project, configtest.Edit(topicFile, configtest.Append(`  - name: "{stack}-my-new-topic"
    partitions: 1
    replication: 3
    retention_ms: "604800000"      # 7 days
    retention_bytes: "-1"          # unlimited
`)))
	after := run(t, "local", mocktest.Options{})
	if n, m := len(before.OfType(aiven.KafkaTopicType)), len(after.OfType(aiven.KafkaTopicType)); m != n+1 || m != len(declared(t)) {
		t.Fatalf("topics %d → %d, want one more", n, m)
	}
	r, ok := after.Find(aiven.KafkaTopicType, "my-new-topic")
	if !ok {
		t.Fatal("no my-new-topic")
	}
	for path, v := range map[string]string{
		"topicName": "local-my-new-topic", "config.retentionMs": "604800000", "config.retentionBytes": "-1",
		"config.maxMessageBytes": "26214400", "config.compressionType": "snappy",
	} {
		if got := r.String(path); got != v {
			t.Errorf("%s = %q, want %q", path, got, v)
		}
	}
	if r.Number("partitions") != 1 || r.Number("replication") != 3 {
		t.Errorf("partitions %v replication %v", r.Number("partitions"), r.Number("replication"))
	}
	if names := after.Exports["topicNames"].(map[string]any); names["my-new-topic"] != "local-my-new-topic" {
		t.Errorf("topicNames = %v", names)
	}
}

func TestConfigRejects(t *testing.T) {
	// One replication problem per committed topic.
	committed := declared(t)
	cases := []struct {
		name  string
		stack string
		cfg   map[string]string
		edit  configtest.Change
		want  []string
	}{
		{name: "override without environment", stack: "dev", cfg: map[string]string{"kafka-data-plane:names": `{"runtime":"legacy-runtime"}`},
			want: []string{"projects/kafka-data-plane/Pulumi.dev.yaml: kafka-data-plane:names:", `does not contain the environment "dev"`}},
		{name: "unused override", stack: "dev", cfg: map[string]string{"kafka-data-plane:names": `{"runtim":"dev-runtime-v2"}`},
			want: []string{"kafka-data-plane:names: overrides for topics that are not declared: [runtim]"}},
		{name: "import unknown topic", stack: "staging", cfg: map[string]string{"kafka-data-plane:importTopics": `["runtime","staging-runtime"]`},
			want: []string{"projects/kafka-data-plane/Pulumi.staging.yaml: kafka-data-plane:importTopics[1]:", `"staging-runtime" is not a declared topic`}},
		{name: "import not a list", stack: "staging", cfg: map[string]string{"kafka-data-plane:importTopics": `"runtime"`},
			want: []string{"kafka-data-plane:importTopics: cannot be read"}},
		{name: "names not a map", stack: "staging", cfg: map[string]string{"kafka-data-plane:names": `["runtime"]`},
			want: []string{"kafka-data-plane:names: cannot be read"}},
		{name: "partitions above environment limit", stack: "dev",
			edit: configtest.Edit(topicFile, configtest.Replace("partitions: 10", "partitions: 100")),
			want: []string{topicFile + ":18:17: topics[0].partitions: 100 is above the limit of 64 partitions (aiven.maxPartitions in environments/dev.yaml)"}},
		{name: "default replication above brokers", stack: "testing",
			edit: configtest.Edit("environments/testing.yaml", configtest.Replace("brokers: 3", "brokers: 2")),
			want: []string{fmt.Sprintf("(%d problems)", len(committed)), topicFile + ":16:5: topics[0].replication: 3 is above the 2 brokers of the Kafka service (the default of the data plane topics)"}},
		{name: "environment without brokers", stack: "staging",
			edit: configtest.Edit("environments/staging.yaml", configtest.Replace("  brokers: 3\n", "")),
			want: []string{"environments/staging.yaml: aiven.brokers: is missing"}},
		{name: "environment without kafka service", stack: "local",
			edit: configtest.Edit("environments/local.yaml", configtest.Replace("  kafkaService: kafka-clustera\n", "")),
			want: []string{"environments/local.yaml: aiven.kafkaService: is missing"}},
		{name: "unknown key in topic file", stack: "dev",
			edit: configtest.Edit(topicFile, configtest.Replace("    partitions: 10\n", "    partitions: 10\n    retentionMs: \"1\"\n")),
			want: []string{topicFile + ":19:5: topics[0].retentionMs: unknown key; fix: did you mean retention_ms?"}},
		{name: "topic file missing", stack: "dev",
			edit: configtest.Remove(topicFile),
			want: []string{topicFile + ": topics: cannot be read", "no such file"}},
		{name: "topic file empty", stack: "dev",
			edit: configtest.Write(topicFile, "# nothing\n"),
			want: []string{topicFile + ": topics: the file is empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.edit != nil {
				configtest.CommittedRoot(t, project, c.edit)
			}
			_, err := mocktest.RunContract(project, c.stack, program.Deploy, mocktest.Options{Config: c.cfg})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestNoResourceBeforeValidation(t *testing.T) {
	res, err := mocktest.RunContract(project, "dev", program.Deploy, mocktest.Options{Config: map[string]string{
		"kafka-data-plane:importTopics": `["nope"]`,
	}})
	if err == nil {
		t.Fatal("accepted")
	}
	if len(res.Resources) != 0 {
		t.Fatalf("registered %d resources before failing", len(res.Resources))
	}
}

func TestEveryStackFileLoads(t *testing.T) {
	for _, stack := range []string{"local", "dev", "testing", "staging", "prod", "steve1"} {
		if _, err := mocktest.RunContract(project, stack, program.Deploy, mocktest.Options{}); err != nil {
			t.Errorf("%s: %v", stack, err)
		}
	}
}
