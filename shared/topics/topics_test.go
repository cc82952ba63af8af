package topics

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/problems"
)

var testLimits = Limits{MaxPartitions: 64, Brokers: 3, File: "environments/dev.yaml"}

func opts(d Defaults) Options {
	return Options{Stack: "dev", Defaults: d, Limits: testLimits}
}

// files builds sources named a.yaml, b.yaml, ... from their contents.
func files(contents ...string) []Source {
	var out []Source
	for i, c := range contents {
		out = append(out, Source{File: fmt.Sprintf("%c.yaml", 'a'+i), Data: []byte(c)})
	}
	return out
}

func byLogical(ts []Topic) map[string]Topic {
	m := map[string]Topic{}
	for _, t := range ts {
		m[t.Logical] = t
	}
	return m
}

func TestLoadResolvesDefaultsAndOverrides(t *testing.T) {
	ts, err := Load(files(`# data plane
topics:
  - name: "{stack}-runtime"
    description: Runtime messages
    partitions: 10
  - name: "{stack}-raw-records"
  - name: "{stack}-lake"
    retentionMs: -1
    retentionBytes: "-1"
    maxMessageBytes: "1048576"
    compressionType: zstd
    cleanupPolicy: "compact,delete"
    minInsyncReplicas: "2"
    replication: 3
`), opts(DataPlane))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0].Logical != "runtime" || ts[1].Logical != "raw-records" || ts[2].Logical != "lake" {
		t.Fatalf("order = %+v", ts)
	}
	m := byLogical(ts)
	want := map[string]Topic{
		"runtime": {Logical: "runtime", Name: "dev-runtime", Description: "Runtime messages", File: "a.yaml", Line: 3,
			Settings: Settings{Partitions: 10, Replication: 3, Config: Config{RetentionMs: "604800000", MaxMessageBytes: "26214400", CompressionType: "snappy"}}},
		"raw-records": {Logical: "raw-records", Name: "dev-raw-records", File: "a.yaml", Line: 6,
			Settings: Settings{Partitions: 1, Replication: 3, Config: Config{RetentionMs: "604800000", MaxMessageBytes: "26214400", CompressionType: "snappy"}}},
		"lake": {Logical: "lake", Name: "dev-lake", File: "a.yaml", Line: 7,
			Settings: Settings{Partitions: 1, Replication: 3, Config: Config{RetentionMs: "-1", RetentionBytes: "-1", MaxMessageBytes: "1048576",
				CompressionType: "zstd", CleanupPolicy: "compact,delete", MinInsyncReplicas: "2"}}},
	}
	for k, w := range want {
		if !reflect.DeepEqual(m[k], w) {
			t.Errorf("%s:\n got %+v\nwant %+v", k, m[k], w)
		}
	}
}

func TestIntegrationDefaultsLimitWorkerQueues(t *testing.T) {
	ts, err := Load(files(`topics:
  - name: "{stack}-integrations-incoming-records"
`, `topics:
  - name: "{stack}-integrations-worker-gmail"
  - name: "{stack}-integrations-worker-gmail-dlq"
    retentionMs: "604800000"
  - name: "{stack}-integrations-worker-zoom"
    retentionBytes: "-1"
`), Options{Stack: "staging", Defaults: Integrations, Limits: testLimits})
	if err != nil {
		t.Fatal(err)
	}
	m := byLogical(ts)
	base := Settings{Partitions: 1, Replication: 2, Config: Config{RetentionMs: "259200000", MaxMessageBytes: "26214400", CompressionType: "snappy"}}
	worker := base
	worker.Config.RetentionBytes = "629145600"
	dlq := worker
	dlq.Config.RetentionMs = "604800000"
	zoom := worker
	zoom.Config.RetentionBytes = "-1"
	for k, w := range map[string]Settings{
		"integrations-incoming-records": base, "integrations-worker-gmail": worker,
		"integrations-worker-gmail-dlq": dlq, "integrations-worker-zoom": zoom,
	} {
		if m[k].Settings != w {
			t.Errorf("%s = %+v, want %+v", k, m[k].Settings, w)
		}
		if m[k].Name != "staging-"+k {
			t.Errorf("%s name = %q", k, m[k].Name)
		}
	}
	if m["integrations-worker-gmail"].File != "b.yaml" {
		t.Errorf("file = %q", m["integrations-worker-gmail"].File)
	}
}

func TestNameFunctionAppliesOverrides(t *testing.T) {
	o := opts(DataPlane)
	o.Name = func(logical string) (string, error) {
		if logical == "runtime" {
			return "legacy-runtime", nil
		}
		return "dev-" + logical, nil
	}
	ts, err := Load(files("topics:\n  - name: \"{stack}-runtime\"\n  - name: \"{stack}-other\"\n"), o)
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].Name != "legacy-runtime" || ts[1].Name != "dev-other" {
		t.Fatalf("names = %q, %q", ts[0].Name, ts[1].Name)
	}
}

// wantIssue asserts err is an *Error with an issue at file:line for key
// whose message contains msg.
func wantIssue(t *testing.T, err error, file string, line int, key, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *topics.Error", err, err)
	}
	for _, i := range e.Issues {
		if i.File == file && i.Line == line && i.Key == key && strings.Contains(i.Msg, msg) {
			if !strings.Contains(err.Error(), fmt.Sprintf("%s:%d:", file, line)) && line > 0 {
				t.Fatalf("message does not name %s:%d: %v", file, line, err)
			}
			return
		}
	}
	t.Fatalf("no issue %s:%d %s %q in:\n%v", file, line, key, msg, err)
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		name   string
		files  []string
		limits *Limits
		file   string
		line   int
		key    string
		msg    string
	}{
		{"unknown key", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_ms: \"1\"\n"}, nil, "a.yaml", 3, "retention_ms", "unknown key"},
		{"unknown top-level key", []string{"topics:\n  - name: \"{stack}-a\"\ndefaults: {}\n"}, nil, "a.yaml", 3, "defaults", "unknown key"},
		{"duplicate across files", []string{"topics:\n  - name: \"{stack}-a\"\n", "# b\ntopics:\n  - name: \"{stack}-b\"\n  - name: \"{stack}-a\"\n"}, nil,
			"b.yaml", 4, "topics[1].name", `topic "{stack}-a" is already declared at a.yaml:2`},
		{"duplicate in one file", []string{"topics:\n  - name: \"{stack}-a\"\n  - name: \"{stack}-a\"\n"}, nil, "a.yaml", 3, "topics[1].name", "already declared at a.yaml:2"},
		{"no prefix", []string{"topics:\n  - name: dev-runtime\n"}, nil, "a.yaml", 2, "topics[0].name", `does not start with "{stack}-"`},
		{"prefix without dash", []string{"topics:\n  - name: \"{stack}runtime\"\n"}, nil, "a.yaml", 2, "topics[0].name", `does not start with "{stack}-"`},
		{"missing name", []string{"topics:\n  - partitions: 2\n"}, nil, "a.yaml", 2, "topics[0].name", "is missing"},
		{"placeholder inside", []string{"topics:\n  - name: \"{stack}-a-{stack}\"\n"}, nil, "a.yaml", 2, "topics[0].name", "placeholder or brace"},
		{"invalid characters", []string{"topics:\n  - name: \"{stack}-a b\"\n"}, nil, "a.yaml", 2, "topics[0].name", "invalid"},
		{"partitions zero", []string{"topics:\n  - name: \"{stack}-a\"\n    partitions: 0\n"}, nil, "a.yaml", 3, "topics[0].partitions", "at least 1"},
		{"partitions negative", []string{"topics:\n  - name: \"{stack}-a\"\n    partitions: -2\n"}, nil, "a.yaml", 3, "topics[0].partitions", "not a whole number"},
		{"partitions text", []string{"topics:\n  - name: \"{stack}-a\"\n    partitions: ten\n"}, nil, "a.yaml", 3, "topics[0].partitions", `"ten" is not a whole number`},
		{"partitions above limit", []string{"topics:\n  - name: \"{stack}-a\"\n    partitions: 65\n"}, nil, "a.yaml", 3, "topics[0].partitions", "65 is above the limit of 64 partitions (aiven.maxPartitions in environments/dev.yaml)"},
		{"replication one", []string{"topics:\n  - name: \"{stack}-a\"\n    replication: 1\n"}, nil, "a.yaml", 3, "topics[0].replication", "1 is below 2: Aiven refuses"},
		{"replication zero", []string{"topics:\n  - name: \"{stack}-a\"\n    replication: 0\n"}, nil, "a.yaml", 3, "topics[0].replication", "at least 1"},
		{"replication above brokers", []string{"topics:\n  - name: \"{stack}-a\"\n    replication: 4\n"}, nil, "a.yaml", 3, "topics[0].replication", "4 is above the 3 brokers"},
		{"default replication above brokers", []string{"topics:\n  - name: \"{stack}-a\"\n"}, &Limits{MaxPartitions: 64, Brokers: 2, File: "environments/x.yaml"},
			"a.yaml", 2, "topics[0].replication", "3 is above the 2 brokers of the Kafka service (the default of the data plane topics)"},
		{"retention not integer", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionMs: 7d\n"}, nil, "a.yaml", 3, "topics[0].retentionMs", `"7d" is not an integer string`},
		{"retention float", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionMs: \"1.5\"\n"}, nil, "a.yaml", 3, "topics[0].retentionMs", "not an integer string"},
		{"retention bytes below -1", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionBytes: \"-2\"\n"}, nil, "a.yaml", 3, "topics[0].retentionBytes", "must be positive"},
		{"retention bytes zero", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionBytes: \"0\"\n"}, nil, "a.yaml", 3, "topics[0].retentionBytes", "must be positive"},
		{"retention bytes empty", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionBytes: \"\"\n"}, nil, "a.yaml", 3, "topics[0].retentionBytes", `"" is not an integer string`},
		{"max message unlimited", []string{"topics:\n  - name: \"{stack}-a\"\n    maxMessageBytes: \"-1\"\n"}, nil, "a.yaml", 3, "topics[0].maxMessageBytes", "must be positive"},
		{"compression", []string{"topics:\n  - name: \"{stack}-a\"\n    compressionType: brotli\n"}, nil, "a.yaml", 3, "topics[0].compressionType", `"brotli" is not supported`},
		{"cleanup policy", []string{"topics:\n  - name: \"{stack}-a\"\n    cleanupPolicy: remove\n"}, nil, "a.yaml", 3, "topics[0].cleanupPolicy", `"remove" is not supported`},
		{"min insync above replication", []string{"topics:\n  - name: \"{stack}-a\"\n    replication: 2\n    minInsyncReplicas: \"3\"\n"}, nil, "a.yaml", 4, "topics[0].minInsyncReplicas", "not below the replication of 2"},
		{"min insync equal to replication", []string{"topics:\n  - name: \"{stack}-a\"\n    minInsyncReplicas: \"3\"\n"}, nil, "a.yaml", 3, "topics[0].minInsyncReplicas", "not below the replication of 3"},
		{"min insync zero", []string{"topics:\n  - name: \"{stack}-a\"\n    minInsyncReplicas: \"0\"\n"}, nil, "a.yaml", 3, "topics[0].minInsyncReplicas", "must be positive"},
		{"empty description", []string{"topics:\n  - name: \"{stack}-a\"\n    description: \"\"\n"}, nil, "a.yaml", 3, "topics[0].description", "is 0 characters"},
		{"list value", []string{"topics:\n  - name: \"{stack}-a\"\n    partitions: [1]\n"}, nil, "a.yaml", 3, "topics[0].partitions", "not a sequence"},
		{"empty file", []string{""}, nil, "a.yaml", 0, "topics", "the file is empty"},
		{"comments only", []string{"# nothing yet\n\n"}, nil, "a.yaml", 0, "topics", "the file is empty"},
		{"empty list", []string{"topics: []\n"}, nil, "a.yaml", 1, "topics", "declares no topics"},
		{"null list", []string{"topics:\n"}, nil, "a.yaml", 1, "topics", "declares no topics"},
		{"duplicate key", []string{"topics:\n  - name: \"{stack}-a\"\n    name: \"{stack}-b\"\n"}, nil, "a.yaml", 3, "name", "already defined"},
		{"decoder panic", []string{"topics:\n !0000000 000000000000"}, nil, "a.yaml", 0, "yaml", "cannot be parsed"},
		{"topics not a list", []string{"topics: 5\n"}, nil, "a.yaml", 1, "yaml", "sequence"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := opts(DataPlane)
			if c.limits != nil {
				o.Limits = *c.limits
			}
			_, err := Load(files(c.files...), o)
			if err == nil {
				t.Fatal("accepted")
			}
			wantIssue(t, err, c.file, c.line, c.key, c.msg)
		})
	}
}

func TestDefaultPartitionsAboveLimit(t *testing.T) {
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n"), Options{Stack: "dev", Defaults: Defaults{Group: "g", Settings: Settings{Partitions: 8, Replication: 2}},
		Limits: Limits{MaxPartitions: 4, Brokers: 3, File: "environments/dev.yaml"}})
	wantIssue(t, err, "a.yaml", 2, "topics[0].partitions", "8 is above the limit of 4 partitions (aiven.maxPartitions in environments/dev.yaml) (the default of the g topics)")
}

func TestUnknownKeySuggestsName(t *testing.T) {
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    max_message_bytes: \"1\"\n"), opts(DataPlane))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Issues[0].Fix, "did you mean maxMessageBytes?") {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := Load(files(
		"topics:\n  - name: \"{stack}-a\"\n    partitions: 100\n    replication: 9\n  - name: b\n    retentionMs: [1]\n",
		"",
		"topics:\n  - name: \"{stack}-a\"\n",
	), opts(DataPlane))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	var where []string
	for _, i := range e.Issues {
		where = append(where, i.Where()+" "+i.Key)
	}
	want := []string{"a.yaml:3:17 topics[0].partitions", "a.yaml:4:18 topics[0].replication", "a.yaml:5:11 topics[1].name", "a.yaml:6:18 topics[1].retentionMs", "b.yaml topics", "c.yaml:2:11 topics[0].name"}
	if !reflect.DeepEqual(where, want) {
		t.Fatalf("issues at %q, want %q\n%v", where, want, err)
	}
	if !strings.HasPrefix(err.Error(), "invalid Kafka topic files (6 problems):\n  - a.yaml:3:17: topics[0].partitions: 100 is above") {
		t.Fatalf("message:\n%v", err)
	}
}

func TestProblemsCarryLine(t *testing.T) {
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    partitions: 100\n"), opts(DataPlane))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	var list problems.List
	if !list.Merge(e.Problems()) {
		t.Fatal("Problems is not a *problems.Error")
	}
	got := list.Err().Error()
	if !strings.Contains(got, "a.yaml:3:17: topics[0].partitions: 100 is above the limit") {
		t.Fatalf("problems = %v", got)
	}
}

func TestLoadRejectsBadOptions(t *testing.T) {
	good := files("topics:\n  - name: \"{stack}-a\"\n")
	for name, o := range map[string]Options{
		"no stack":  {Defaults: DataPlane, Limits: testLimits},
		"no limits": {Stack: "dev", Defaults: DataPlane},
	} {
		if _, err := Load(good, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Load(append(good, good...), opts(DataPlane)); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("same file twice: %v", err)
	}
}

func TestDefaultsFor(t *testing.T) {
	if got := Integrations.For("integrations-errors").Config.RetentionBytes; got != "" {
		t.Errorf("shared topic retentionBytes = %q", got)
	}
	if got := Integrations.For("integrations-worker-slack-dlq").Config.RetentionBytes; got != Bytes600MiB {
		t.Errorf("dlq retentionBytes = %q", got)
	}
	if DataPlane.For("x").Replication != 3 || Integrations.For("x").Replication != 2 {
		t.Error("replication defaults changed")
	}
}
