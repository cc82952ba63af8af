package aiven

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func fullArgs() *KafkaTopicArgs {
	return &KafkaTopicArgs{
		Project:     pulumi.String("clustera-creators"),
		ServiceName: pulumi.String("kafka-clustera"),
		TopicName:   pulumi.String("dev-runtime"),
		Partitions:  pulumi.Int(10),
		Replication: pulumi.Int(3),
		Config: KafkaTopicConfigArgs{
			RetentionMs:       pulumi.String("604800000"),
			RetentionBytes:    pulumi.String("-1"),
			MaxMessageBytes:   pulumi.String("26214400"),
			CompressionType:   pulumi.String("snappy"),
			CleanupPolicy:     pulumi.String("delete"),
			MinInsyncReplicas: pulumi.String("2"),
		},
		Tags:                  Tags(map[string]string{"managed-by": "pulumi", "env": "dev"}),
		TerminationProtection: pulumi.Bool(true),
		TopicDescription:      pulumi.String("runtime messages"),
	}
}

func TestNewKafkaTopicWireNames(t *testing.T) {
	var mu sync.Mutex
	var gotRetention, gotTagKeys any
	res, err := mocktest.Run("kafka-data-plane", "dev", func(ctx *pulumi.Context) error {
		topic, err := NewKafkaTopic(ctx, "runtime", fullArgs(), pulumi.Import(pulumi.ID(ImportID("clustera-creators", "kafka-clustera", "dev-runtime"))))
		if err != nil {
			return err
		}
		// The typed outputs must decode what the provider returns.
		topic.Config.ApplyT(func(c *KafkaTopicConfig) error {
			mu.Lock()
			defer mu.Unlock()
			if c != nil && c.RetentionMs != nil {
				gotRetention = *c.RetentionMs
			}
			return nil
		})
		topic.Tags.ApplyT(func(tags []KafkaTopicTag) error {
			mu.Lock()
			defer mu.Unlock()
			var keys []string
			for _, tg := range tags {
				keys = append(keys, tg.Key+"="+*tg.Value)
			}
			gotTagKeys = keys
			return nil
		})
		return nil
	}, mocktest.Options{NoStackFile: true})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := res.Find(KafkaTopicType, "runtime")
	if !ok {
		t.Fatalf("topic not registered: %+v", res.Resources)
	}
	var keys []string
	for k := range r.Inputs {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	want := []string{"config", "partitions", "project", "replication", "serviceName", "tags", "terminationProtection", "topicDescription", "topicName"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("input keys = %v, want %v", keys, want)
	}
	for path, v := range map[string]string{
		"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "dev-runtime",
		"config.retentionMs": "604800000", "config.retentionBytes": "-1", "config.maxMessageBytes": "26214400",
		"config.compressionType": "snappy", "config.cleanupPolicy": "delete", "config.minInsyncReplicas": "2",
		"tags[0].key": "env", "tags[0].value": "dev", "tags[1].key": "managed-by", "tags[1].value": "pulumi",
		"topicDescription": "runtime messages",
	} {
		if got := r.String(path); got != v {
			t.Errorf("%s = %q, want %q", path, got, v)
		}
	}
	if r.Number("partitions") != 10 || r.Number("replication") != 3 || !r.Bool("terminationProtection") {
		t.Errorf("partitions/replication/terminationProtection = %v", r.Inputs)
	}
	cfg := r.Get("config").ObjectValue()
	if len(cfg) != 6 {
		t.Errorf("config has %d keys, want only the 6 set: %v", len(cfg), cfg)
	}
	if r.ImportID != "clustera-creators/kafka-clustera/dev-runtime" {
		t.Errorf("import ID = %q", r.ImportID)
	}
	mu.Lock()
	defer mu.Unlock()
	if gotRetention != "604800000" {
		t.Errorf("Config output retentionMs = %v", gotRetention)
	}
	if !reflect.DeepEqual(gotTagKeys, []string{"env=dev", "managed-by=pulumi"}) {
		t.Errorf("Tags output = %v", gotTagKeys)
	}
}

// versionMonitor records the plugin version each resource asks for.
type versionMonitor struct {
	mu       sync.Mutex
	versions map[string]string
}

func (m *versionMonitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.versions[args.TypeToken] = args.RegisterRPC.GetVersion()
	return args.Name + "-id", args.Inputs, nil
}

func (m *versionMonitor) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, errors.New("unexpected call")
}

func TestNewKafkaTopicPinsProviderVersion(t *testing.T) {
	mon := &versionMonitor{versions: map[string]string{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := NewKafkaTopic(ctx, "runtime", fullArgs())
		return err
	}, pulumi.WithMocks("p", "dev", mon))
	if err != nil {
		t.Fatal(err)
	}
	if got := mon.versions[KafkaTopicType]; got != "6.58.0" {
		t.Fatalf("version = %q, want 6.58.0", got)
	}
}

func TestNewKafkaTopicRequiresInputs(t *testing.T) {
	_, err := mocktest.Run("kafka-data-plane", "dev", func(ctx *pulumi.Context) error {
		_, err := NewKafkaTopic(ctx, "x", &KafkaTopicArgs{TopicName: pulumi.String("dev-x"), Partitions: pulumi.Int(1)})
		return err
	}, mocktest.Options{NoStackFile: true})
	if !errors.Is(err, ErrMissingArgs) || !strings.Contains(err.Error(), "set project, serviceName, replication") {
		t.Fatalf("err = %v", err)
	}
	_, err = mocktest.Run("kafka-data-plane", "dev", func(ctx *pulumi.Context) error {
		_, err := NewKafkaTopic(ctx, "x", nil)
		return err
	}, mocktest.Options{NoStackFile: true})
	if !errors.Is(err, ErrMissingArgs) {
		t.Fatalf("nil args: err = %v", err)
	}
}

func TestImportIDOf(t *testing.T) {
	res, err := mocktest.Run("kafka-integrations", "dev", func(ctx *pulumi.Context) error {
		a := fullArgs()
		id := ImportIDOf(pulumi.String("proj").ToStringOutput(), pulumi.String("svc"), "dev-runtime")
		_, err := NewKafkaTopic(ctx, "runtime", a, pulumi.Import(id))
		return err
	}, mocktest.Options{NoStackFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := res.Find(KafkaTopicType, "runtime"); r.ImportID != "proj/svc/dev-runtime" {
		t.Fatalf("import ID = %q", r.ImportID)
	}
}

// schemaExcerpt is the part of the provider schema the tests compare with.
type schemaExcerpt struct {
	InputProperties map[string]string
	Properties      map[string]string
	RequiredInputs  []string
	Types           map[string]schemaObject
}

// schemaObject is an object type of the schema.
type schemaObject struct {
	Properties map[string]string
	Required   []string
}

// schema holds the property names and types of aiven:index/kafkaTopic:KafkaTopic
// in the Aiven provider's schema at v6.58.0 (inputs, outputs, and the
// KafkaTopicConfig and KafkaTopicTag object types), as published in the
// provider's registry documentation. The typed layer must match it.
var schema = schemaExcerpt{
	InputProperties: map[string]string{
		"config":                "KafkaTopicConfig:KafkaTopicConfig",
		"ownerUserGroupId":      "string",
		"partitions":            "integer",
		"project":               "string",
		"replication":           "integer",
		"serviceName":           "string",
		"tags":                  "array<KafkaTopicTag:KafkaTopicTag>",
		"terminationProtection": "boolean",
		"timeouts":              "KafkaTopicTimeouts:KafkaTopicTimeouts",
		"topicDescription":      "string",
		"topicName":             "string",
	},
	Properties: map[string]string{
		"config":                "KafkaTopicConfig:KafkaTopicConfig",
		"ownerUserGroupId":      "string",
		"partitions":            "integer",
		"project":               "string",
		"replication":           "integer",
		"serviceName":           "string",
		"tags":                  "array<KafkaTopicTag:KafkaTopicTag>",
		"terminationProtection": "boolean",
		"timeouts":              "KafkaTopicTimeouts:KafkaTopicTimeouts",
		"topicDescription":      "string",
		"topicName":             "string",
	},
	RequiredInputs: []string{"partitions", "project", "replication", "serviceName", "topicName"},
	Types: map[string]schemaObject{
		"KafkaTopicConfig": {
			Properties: map[string]string{
				"cleanupPolicy":                   "string",
				"compressionType":                 "string",
				"deleteRetentionMs":               "string",
				"disklessEnable":                  "boolean",
				"fileDeleteDelayMs":               "string",
				"flushMessages":                   "string",
				"flushMs":                         "string",
				"indexIntervalBytes":              "string",
				"localRetentionBytes":             "string",
				"localRetentionMs":                "string",
				"maxCompactionLagMs":              "string",
				"maxMessageBytes":                 "string",
				"messageDownconversionEnable":     "boolean",
				"messageFormatVersion":            "string",
				"messageTimestampAfterMaxMs":      "string",
				"messageTimestampBeforeMaxMs":     "string",
				"messageTimestampDifferenceMaxMs": "string",
				"messageTimestampType":            "string",
				"minCleanableDirtyRatio":          "number",
				"minCompactionLagMs":              "string",
				"minInsyncReplicas":               "string",
				"preallocate":                     "boolean",
				"remoteStorageEnable":             "boolean",
				"retentionBytes":                  "string",
				"retentionMs":                     "string",
				"segmentBytes":                    "string",
				"segmentIndexBytes":               "string",
				"segmentJitterMs":                 "string",
				"segmentMs":                       "string",
				"uncleanLeaderElectionEnable":     "boolean",
			},
			Required: []string{},
		},
		"KafkaTopicTag": {
			Properties: map[string]string{
				"key":   "string",
				"value": "string",
			},
			Required: []string{"key"},
		},
	},
}

func loadSchema(*testing.T) schemaExcerpt { return schema }

// schemaType maps a Go field type to the schema type it must have.
func schemaType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeOf(pulumi.StringOutput{}), reflect.TypeOf(pulumi.StringPtrOutput{}):
		return "string"
	case reflect.TypeOf(pulumi.IntOutput{}):
		return "integer"
	case reflect.TypeOf(pulumi.BoolOutput{}):
		return "boolean"
	case reflect.TypeOf(KafkaTopicConfigPtrOutput{}), reflect.TypeOf(KafkaTopicConfig{}):
		return "KafkaTopicConfig:KafkaTopicConfig"
	case reflect.TypeOf(KafkaTopicTagArrayOutput{}), reflect.TypeOf([]KafkaTopicTag{}):
		return "array<KafkaTopicTag:KafkaTopicTag>"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int:
		return "integer"
	case reflect.Bool:
		return "boolean"
	}
	return "unknown " + t.String()
}

// checkFields asserts every `pulumi` tag of typ is a property of the schema
// with the same type, and returns the tags of the non-pointer fields.
func checkFields(t *testing.T, what string, typ reflect.Type, props map[string]string) (required []string) {
	t.Helper()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("pulumi")
		if tag == "" {
			continue
		}
		want, ok := props[tag]
		if !ok {
			t.Errorf("%s.%s: %q is not a property of the v6.58.0 schema", what, f.Name, tag)
			continue
		}
		if got := schemaType(f.Type); got != want {
			t.Errorf("%s.%s (%q): Go type maps to %s, schema says %s", what, f.Name, tag, got, want)
		}
		if f.Type.Kind() != reflect.Pointer && f.Type.Kind() != reflect.Slice {
			required = append(required, tag)
		}
	}
	sort.Strings(required)
	return required
}

func TestPropertiesMatchSchema(t *testing.T) {
	s := loadSchema(t)
	required := checkFields(t, "kafkaTopicArgs", reflect.TypeOf(kafkaTopicArgs{}), s.InputProperties)
	if !reflect.DeepEqual(required, s.RequiredInputs) {
		t.Errorf("required inputs = %v, schema requires %v", required, s.RequiredInputs)
	}
	checkFields(t, "KafkaTopic", reflect.TypeOf(KafkaTopic{}), s.Properties)
	checkFields(t, "KafkaTopicConfig", reflect.TypeOf(KafkaTopicConfig{}), s.Types["KafkaTopicConfig"].Properties)
	tagRequired := checkFields(t, "KafkaTopicTag", reflect.TypeOf(KafkaTopicTag{}), s.Types["KafkaTopicTag"].Properties)
	if !reflect.DeepEqual(tagRequired, s.Types["KafkaTopicTag"].Required) {
		t.Errorf("tag required = %v, schema requires %v", tagRequired, s.Types["KafkaTopicTag"].Required)
	}
	// The Args structs carry the same tags as the plain structs.
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeOf(KafkaTopicConfigArgs{}), reflect.TypeOf(KafkaTopicConfig{})},
		{reflect.TypeOf(KafkaTopicTagArgs{}), reflect.TypeOf(KafkaTopicTag{})},
	} {
		if a, b := tags(pair[0]), tags(pair[1]); !reflect.DeepEqual(a, b) {
			t.Errorf("%s tags %v differ from %s tags %v", pair[0].Name(), a, pair[1].Name(), b)
		}
	}
	// Every input of KafkaTopicArgs has a wire field.
	if a, b := reflect.TypeOf(KafkaTopicArgs{}).NumField(), reflect.TypeOf(kafkaTopicArgs{}).NumField(); a != b {
		t.Errorf("KafkaTopicArgs has %d fields, kafkaTopicArgs %d", a, b)
	}
}

func tags(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		out = append(out, t.Field(i).Tag.Get("pulumi"))
	}
	sort.Strings(out)
	return out
}

func TestTagsSortedByKey(t *testing.T) {
	got := Tags(map[string]string{"project": "p", "env": "e", "managed-by": "pulumi"})
	var keys []string
	for _, tg := range got {
		keys = append(keys, string(tg.(KafkaTopicTagArgs).Key.(pulumi.String)))
	}
	if !reflect.DeepEqual(keys, []string{"env", "managed-by", "project"}) {
		t.Fatalf("keys = %v", keys)
	}
}
