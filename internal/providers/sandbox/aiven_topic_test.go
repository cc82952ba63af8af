package sandbox

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/aiven"
)

// aivenTopicInputs restates the inputs of aiven:index/kafkaTopic:KafkaTopic
// in pulumi-aiven v6.58.0's schema.json (no Go SDK of the Aiven provider is
// available; shared/aiven is the repository's own typed layer).
var aivenTopicInputs = []string{"config", "ownerUserGroupId", "partitions", "project", "replication", "serviceName", "tags", "terminationProtection", "timeouts", "topicDescription", "topicName"}

// aivenTopicConfigKeys restates the properties of
// aiven:index/KafkaTopicConfig:KafkaTopicConfig in the same schema.
var aivenTopicConfigKeys = []string{
	"cleanupPolicy", "compressionType", "deleteRetentionMs", "disklessEnable", "fileDeleteDelayMs", "flushMessages", "flushMs",
	"indexIntervalBytes", "localRetentionBytes", "localRetentionMs", "maxCompactionLagMs", "maxMessageBytes",
	"messageDownconversionEnable", "messageFormatVersion", "messageTimestampAfterMaxMs", "messageTimestampBeforeMaxMs",
	"messageTimestampDifferenceMaxMs", "messageTimestampType", "minCleanableDirtyRatio", "minCompactionLagMs", "minInsyncReplicas",
	"preallocate", "remoteStorageEnable", "retentionBytes", "retentionMs", "segmentBytes", "segmentIndexBytes", "segmentJitterMs",
	"segmentMs", "uncleanLeaderElectionEnable",
}

func TestKafkaTopicMatchesTheSchema(t *testing.T) {
	s, _ := SchemaOf(KafkaTopicType)
	var inputs, required []string
	for name, in := range s.Inputs {
		inputs = append(inputs, name)
		if in.Required {
			required = append(required, name)
		}
	}
	slices.Sort(inputs)
	slices.Sort(required)
	if !reflect.DeepEqual(inputs, aivenTopicInputs) {
		t.Errorf("inputs = %v, the schema's %v", inputs, aivenTopicInputs)
	}
	if want := []string{"partitions", "project", "replication", "serviceName", "topicName"}; !reflect.DeepEqual(required, want) {
		t.Errorf("required = %v, the schema's %v", required, want)
	}
	var keys []string
	for k := range kafkaConfig {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !reflect.DeepEqual(keys, aivenTopicConfigKeys) {
		t.Errorf("config keys = %v, the schema's %v", keys, aivenTopicConfigKeys)
	}
	// The repository's typed layer sends a subset of what the fake accepts.
	check := func(elem reflect.Type, accepted []string) {
		for i := range elem.NumField() {
			tag, _, _ := strings.Cut(elem.Field(i).Tag.Get("pulumi"), ",")
			if tag != "" && !slices.Contains(accepted, tag) {
				t.Errorf("shared/aiven sends %s.%s, which the fake rejects", elem.Name(), tag)
			}
		}
	}
	check(aiven.KafkaTopicArgs{}.ElementType(), inputs)
	check(aiven.KafkaTopicConfigArgs{}.ElementType(), keys)
}

func TestKafkaTopicAcceptsWhatTheSchemaAccepts(t *testing.T) {
	h := newHarness(t)
	topic := func(extra map[string]any) map[string]any {
		m := map[string]any{"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "local-runtime", "partitions": 3, "replication": 2}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	valid := []map[string]any{
		{"timeouts": map[string]any{"create": "5m", "delete": "30s", "default": "1h"}},
		{"config": map[string]any{"disklessEnable": true, "messageTimestampAfterMaxMs": "3600000", "messageTimestampBeforeMaxMs": "3600000"}},
		{"tags": []any{map[string]any{"key": "owner"}}},
		{"replication": 1},
		{"partitions": 5000},
		{"config": map[string]any{"minInsyncReplicas": "3", "maxMessageBytes": "200000000"}}, // Kafka accepts both; the team's limits are policies
		{"config": map[string]any{"localRetentionBytes": "-2", "retentionBytes": "-1"}},
		{"config": map[string]any{"messageFormatVersion": "3.6-IV2"}},
	}
	for _, extra := range valid {
		if _, f := h.check(KafkaTopicType, "t", pm(topic(extra))); len(f) > 0 {
			t.Errorf("%v: %v", extra, f)
		}
	}
	invalid := []struct {
		extra      map[string]any
		prop, text string
	}{
		{map[string]any{"timeouts": map[string]any{"create": "soon"}}, "timeouts.create", "duration"},
		{map[string]any{"timeouts": map[string]any{"forever": "1h"}}, "timeouts.forever", "unknown timeout"},
		{map[string]any{"tags": []any{map[string]any{"value": "x"}}}, "tags[0].key", "required"},
		{map[string]any{"config": map[string]any{"segmentMs": "0"}}, "config.segmentMs", "at least 1"},
		{map[string]any{"config": map[string]any{"localRetentionMs": "1000"}}, "config.localRetentionMs", "requires config.retentionMs"},
		{map[string]any{"config": map[string]any{"localRetentionBytes": "2000", "retentionBytes": "1000"}}, "config.localRetentionBytes", "must not be more than retention_bytes"},
		{map[string]any{"config": map[string]any{"minCompactionLagMs": "2000", "maxCompactionLagMs": "1000"}}, "config.minCompactionLagMs", "min.compaction.lag.ms"},
		{map[string]any{"config": map[string]any{"maxMessageBytes": "3000000000"}}, "config.maxMessageBytes", "32-bit"},
		{map[string]any{"topicDescription": ""}, "topicDescription", "1 to 256"},
	}
	for _, c := range invalid {
		if _, f := h.check(KafkaTopicType, "t", pm(topic(c.extra))); !hasFailure(f, c.prop, c.text) {
			t.Errorf("%v: failures %v, want one on %s containing %q", c.extra, f, c.prop, c.text)
		}
	}
	// More replicas than the service's brokers: Kafka refuses the create.
	_, _, err := h.tryCreate(KafkaTopicType, "t", topic(map[string]any{"replication": 4}))
	wantErr(t, err, "The target replication factor of 4 cannot be reached because only 3 broker(s) are registered")
}

// TestKafkaTopicTerminationProtectionDoesNotBlockDelete: under Pulumi the
// provider never plans a destroy, so the client-side flag is not checked
// (aiven_topic.go); `protect` guards prod topics instead.
func TestKafkaTopicTerminationProtectionDoesNotBlockDelete(t *testing.T) {
	h := newHarness(t)
	id, out := h.create(KafkaTopicType, "t", map[string]any{"project": "p", "serviceName": "s", "topicName": "local-t", "partitions": 1, "replication": 2, "terminationProtection": true})
	if err := h.del(KafkaTopicType, "t", id, out); err != nil {
		t.Fatalf("deleting a topic with terminationProtection: %v, want it deleted as pulumi-aiven does", err)
	}
	if count(h, KafkaTopicType) != 0 {
		t.Error("the topic survived")
	}
}
