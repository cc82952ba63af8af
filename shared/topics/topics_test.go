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
    retention_ms: -1
    retention_bytes: "-1"
    max_message_bytes: "1048576"
    compression_type: zstd
    cleanup_policy: "compact,delete"
    min_insync_replicas: "2"
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
		"runtime": {Logical: "runtime", Name: "dev-runtime", Description: "Runtime messages", File: "a.yaml", Line: 3, Column: 5,
			Settings: Settings{Partitions: 10, Replication: 3, Config: Config{RetentionMs: "604800000", MaxMessageBytes: "26214400", CompressionType: "snappy"}}},
		"raw-records": {Logical: "raw-records", Name: "dev-raw-records", File: "a.yaml", Line: 6, Column: 5,
			Settings: Settings{Partitions: 1, Replication: 3, Config: Config{RetentionMs: "604800000", MaxMessageBytes: "26214400", CompressionType: "snappy"}}},
		"lake": {Logical: "lake", Name: "dev-lake", File: "a.yaml", Line: 7, Column: 5,
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
    retention_ms: "604800000"
  - name: "{stack}-integrations-worker-zoom"
    retention_bytes: "-1"
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

// wantIssue asserts err is a *problems.Error with a problem at file:line
// for key whose message contains msg, and that the message names
// file:line:column.
func wantIssue(t *testing.T, err error, file string, line int, key, msg string) {
	t.Helper()
	var e *problems.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *problems.Error", err, err)
	}
	for _, p := range e.Problems {
		if p.File == file && p.Line == line && p.Key == key && strings.Contains(p.Msg, msg) {
			if line > 0 && (p.Column < 1 || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d:%d: ", file, line, p.Column))) {
				t.Fatalf("message does not name %s:%d:<column>: %v", file, line, err)
			}
			return
		}
	}
	t.Fatalf("no problem %s:%d %s %q in:\n%v", file, line, key, msg, err)
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
		{"unknown key", []string{"topics:\n  - name: \"{stack}-a\"\n    retention: \"1\"\n"}, nil, "a.yaml", 3, "topics[0].retention", "unknown key"},
		{"camelCase key", []string{"topics:\n  - name: \"{stack}-a\"\n    retentionMs: \"1\"\n"}, nil, "a.yaml", 3, "topics[0].retentionMs", "unknown key"},
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
		{"retention not integer", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_ms: 7d\n"}, nil, "a.yaml", 3, "topics[0].retention_ms", `"7d" is not an integer string`},
		{"retention float", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_ms: \"1.5\"\n"}, nil, "a.yaml", 3, "topics[0].retention_ms", "not an integer string"},
		{"retention bytes below -1", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_bytes: \"-2\"\n"}, nil, "a.yaml", 3, "topics[0].retention_bytes", "must be positive"},
		{"retention bytes zero", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_bytes: \"0\"\n"}, nil, "a.yaml", 3, "topics[0].retention_bytes", "must be positive"},
		{"retention bytes empty", []string{"topics:\n  - name: \"{stack}-a\"\n    retention_bytes: \"\"\n"}, nil, "a.yaml", 3, "topics[0].retention_bytes", `"" is not an integer string`},
		{"max message unlimited", []string{"topics:\n  - name: \"{stack}-a\"\n    max_message_bytes: \"-1\"\n"}, nil, "a.yaml", 3, "topics[0].max_message_bytes", "must be positive"},
		{"compression", []string{"topics:\n  - name: \"{stack}-a\"\n    compression_type: brotli\n"}, nil, "a.yaml", 3, "topics[0].compression_type", `"brotli" is not supported`},
		{"cleanup policy", []string{"topics:\n  - name: \"{stack}-a\"\n    cleanup_policy: remove\n"}, nil, "a.yaml", 3, "topics[0].cleanup_policy", `"remove" is not supported`},
		{"min insync above replication", []string{"topics:\n  - name: \"{stack}-a\"\n    replication: 2\n    min_insync_replicas: \"3\"\n"}, nil, "a.yaml", 4, "topics[0].min_insync_replicas", "not below the replication of 2"},
		{"min insync equal to replication", []string{"topics:\n  - name: \"{stack}-a\"\n    min_insync_replicas: \"3\"\n"}, nil, "a.yaml", 3, "topics[0].min_insync_replicas", "not below the replication of 3"},
		{"min insync zero", []string{"topics:\n  - name: \"{stack}-a\"\n    min_insync_replicas: \"0\"\n"}, nil, "a.yaml", 3, "topics[0].min_insync_replicas", "must be positive"},
		{"segment zero", []string{"topics:\n  - name: \"{stack}-a\"\n    segment_ms: \"0\"\n"}, nil, "a.yaml", 3, "topics[0].segment_ms", "must be positive, got 0"},
		{"delete retention negative", []string{"topics:\n  - name: \"{stack}-a\"\n    delete_retention_ms: \"-1\"\n"}, nil, "a.yaml", 3, "topics[0].delete_retention_ms", "must be 0 or more"},
		{"compaction lag text", []string{"topics:\n  - name: \"{stack}-a\"\n    min_compaction_lag_ms: 1h\n"}, nil, "a.yaml", 3, "topics[0].min_compaction_lag_ms", `"1h" is not an integer string`},
		{"timestamp type", []string{"topics:\n  - name: \"{stack}-a\"\n    message_timestamp_type: createtime\n"}, nil, "a.yaml", 3, "topics[0].message_timestamp_type", `"createtime" is not supported`},
		{"unknown key beside a merge key", []string{"topics:\n  - <<: {partitions: 2}\n    name: \"{stack}-a\"\n    retentionMs: \"1\"\n"}, nil, "a.yaml", 4, "retentionMs", "unknown key"},
		{"unknown key in a merged mapping", []string{"topics:\n  - <<: {retentionMs: \"1\"}\n    name: \"{stack}-a\"\n"}, nil, "a.yaml", 2, "retentionMs", "unknown key"},
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
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    max.message.bytes: \"1\"\n"), opts(DataPlane))
	var e *problems.Error
	if !errors.As(err, &e) || !strings.Contains(e.Problems[0].Fix, "did you mean max_message_bytes?") {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := Load(files(
		"topics:\n  - name: \"{stack}-a\"\n    partitions: 100\n    replication: 9\n  - name: b\n    retention_ms: [1]\n",
		"",
		"topics:\n  - name: \"{stack}-a\"\n",
	), opts(DataPlane))
	var e *problems.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	var where []string
	for _, p := range e.Problems {
		where = append(where, p.Where()+" "+p.Key)
	}
	want := []string{"a.yaml:3:17 topics[0].partitions", "a.yaml:4:18 topics[0].replication", "a.yaml:5:11 topics[1].name", "a.yaml:6:19 topics[1].retention_ms", "b.yaml topics", "c.yaml:2:11 topics[0].name"}
	if !reflect.DeepEqual(where, want) {
		t.Fatalf("issues at %q, want %q\n%v", where, want, err)
	}
	if !strings.HasPrefix(err.Error(), "invalid configuration (6 problems):\n  - a.yaml:3:17: topics[0].partitions: 100 is above") {
		t.Fatalf("message:\n%v", err)
	}
}

func TestProblemsCarryLine(t *testing.T) {
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    partitions: 100\n"), opts(DataPlane))
	var list problems.List
	if !list.Merge(err) {
		t.Fatalf("Load's error is not a *problems.Error: %v", err)
	}
	list.Add("projects/x/Pulumi.dev.yaml", "x:names", "is not a map", "")
	got := list.Err().Error()
	if !strings.Contains(got, "  - a.yaml:3:17: topics[0].partitions: 100 is above the limit") || !strings.Contains(got, "(2 problems)") {
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

// The format of the old repository's README ("Adding New Topics") and topic
// files loads as it is written there.
func TestOldRepositoryFormat(t *testing.T) {
	integration := `# Notion Integration Kafka Topics

topics:
  - name: "{stack}-integrations-worker-notion"
    partitions: 1
    retention_ms: "259200000"      # 3 days
    retention_bytes: "629145600"   # 600 MB
`
	dataPlane := `topics:
  - name: "{stack}-my-new-topic"
    partitions: 1
    replication: 3
    retention_ms: "604800000"      # 7 days
    retention_bytes: "-1"          # unlimited
`
	ts, err := Load(files(integration), Options{Stack: "local", Defaults: Integrations, Limits: testLimits})
	if err != nil {
		t.Fatal(err)
	}
	want := Topic{Logical: "integrations-worker-notion", Name: "local-integrations-worker-notion", File: "a.yaml", Line: 4, Column: 5,
		Settings: Settings{Partitions: 1, Replication: 2, Config: Config{RetentionMs: "259200000", RetentionBytes: "629145600",
			MaxMessageBytes: Bytes25MiB, CompressionType: CompressSnappy}}}
	if len(ts) != 1 || !reflect.DeepEqual(ts[0], want) {
		t.Fatalf("integration topics = %+v\nwant %+v", ts, want)
	}
	ts, err = Load(files(dataPlane), opts(DataPlane))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Replication != 3 || ts[0].Config.RetentionMs != SevenDaysMs || ts[0].Config.RetentionBytes != "-1" {
		t.Fatalf("data plane topics = %+v", ts)
	}
}

// Integers may be quoted, as the Kafka settings are in the old files, or
// bare, as partitions and replication are.
func TestQuotedAndBareIntegers(t *testing.T) {
	ts, err := Load(files(`topics:
  - name: "{stack}-a"
    partitions: "3"
    replication: "2"
    retention_ms: 259200000
    max_message_bytes: 1048576
    min_insync_replicas: 1
`), opts(DataPlane))
	if err != nil {
		t.Fatal(err)
	}
	got := ts[0].Settings
	if got.Partitions != 3 || got.Replication != 2 || got.Config.RetentionMs != "259200000" || got.Config.MaxMessageBytes != "1048576" || got.Config.MinInsyncReplicas != "1" {
		t.Fatalf("settings = %+v", got)
	}
}

// camelCaseOf returns the camelCase spelling of a snake_case key.
func camelCaseOf(k string) string {
	parts := strings.Split(k, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// Every camelCase spelling is refused, at its line and column, with the
// snake_case key to write instead (docs/decisions/0031-kafka-topic-files.md).
func TestCamelCaseKeysAreRefused(t *testing.T) {
	n := 0
	for _, k := range Keys {
		camel := camelCaseOf(k)
		if camel == k {
			continue
		}
		n++
		t.Run(camel, func(t *testing.T) {
			_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    "+camel+": \"1\"\n"), opts(DataPlane))
			wantIssue(t, err, "a.yaml", 3, "topics[0]."+camel, "unknown key")
			if want := "a.yaml:3:5: topics[0]." + camel + ": unknown key; fix: did you mean " + k + "?"; !strings.Contains(err.Error(), want) {
				t.Fatalf("error lacks %q:\n%v", want, err)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d snake_case keys", n)
	}
	// Both spellings of one key in one entry: the camelCase one is refused,
	// it never competes with the snake_case one.
	_, err := Load(files("topics:\n  - name: \"{stack}-a\"\n    retention_ms: \"1000\"\n    retentionMs: \"2000\"\n"), opts(DataPlane))
	wantIssue(t, err, "a.yaml", 4, "topics[0].retentionMs", "unknown key")
}

// Every unknown key of a file is reported in one run, in file order, with
// the other problems of the file.
func TestEveryUnknownKeyReportedAtOnce(t *testing.T) {
	_, err := Load(files(`topics:
  - name: "{stack}-a"
    retentionMs: "1"
    maxMessageBytes: "2"
    partitions: 0
  - name: "{stack}-b"
    compressionType: zstd
    colour: red
`), opts(DataPlane))
	var e *problems.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, p := range e.Problems {
		got = append(got, p.Where()+" "+p.Key+": "+p.Msg)
	}
	want := []string{
		"a.yaml:3:5 topics[0].retentionMs: unknown key",
		"a.yaml:4:5 topics[0].maxMessageBytes: unknown key",
		"a.yaml:5:17 topics[0].partitions: must be at least 1, got 0",
		"a.yaml:7:5 topics[1].compressionType: unknown key",
		"a.yaml:8:5 topics[1].colour: unknown key",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("problems\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(err.Error(), "colour: unknown key; fix: use one of name, description, partitions, replication, retention_ms,") {
		t.Fatalf("no list of keys for a key without suggestion:\n%v", err)
	}
}

// Keys, the YAML tags of the entry and the documented keys agree.
func TestKeysFollowTheYAMLTags(t *testing.T) {
	var tags []string
	ft := reflect.TypeOf(fields{})
	for i := 0; i < ft.NumField(); i++ {
		tags = append(tags, ft.Field(i).Tag.Get("yaml"))
	}
	if !reflect.DeepEqual(tags, Keys) {
		t.Fatalf("yaml tags %v, Keys %v", tags, Keys)
	}
	for _, k := range Keys {
		if strings.ToLower(k) != k || strings.ContainsAny(k, "-.") {
			t.Errorf("key %q is not snake_case", k)
		}
	}
}
