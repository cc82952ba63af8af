package sandbox

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// KafkaTopicType is the Aiven Kafka topic type token (pulumi-aiven v6.58.0).
const KafkaTopicType = "aiven:index/kafkaTopic:KafkaTopic"

// AivenBrokers is the broker count of the sandbox's Kafka service (as in
// environments/local.yaml): Kafka cannot place more replicas than brokers.
const AivenBrokers = 3

// The Kafka topic of pulumi-aiven v6.58.0 (provider/cmd/pulumi-resource-aiven/schema.json),
// built on terraform-provider-aiven v4.60.0, whose aiven_kafka_topic is a
// plugin-framework resource (internal/plugin/service/kafka/topic/zz_resource.go,
// topic.go, zz_view.go). Its rules:
//   - project, service_name, topic_name RequiresReplace; the rest updates;
//   - partitions Required, 1 to 1,000,000; replication Required, at least
//     1; topic_name 1–249 characters; topic_description 1–256;
//     owner_user_group_id 1–36; at most 25 tags, key Required (1–64), value
//     Optional (at most 256); timeouts (create, read, update, delete,
//     default: durations);
//   - config keys and types of KafkaTopicConfig (integers as strings,
//     parsed with strconv.Atoi by expandConfig), the OneOf validators of
//     cleanup_policy, compression_type, message_timestamp_type,
//     local_retention_{bytes,ms} AlsoRequires retention_{bytes,ms}, and
//     validateConfig's local_retention_bytes <= retention_bytes;
//   - modifyPlan: a partition decrease fails ("number of partitions cannot
//     be decreased"), a create whose topic exists fails ("topic conflict,
//     already exists");
//   - termination_protection is client-side only: the resource adapter
//     (internal/plugin/adapter/resource.go, ModifyPlan) refuses a destroy
//     *plan*, but Delete (kafkatopicrepository/delete.go) calls the API
//     unconditionally, and pulumi-terraform-bridge v3.133.0 deletes with
//     ApplyResourceChange alone (pkg/pf/tfbridge/provider_delete.go), never
//     planning the destroy. Under Pulumi the flag protects nothing, so the
//     sandbox deletes such a topic too; `protect` is what guards prod.
//
// The values Kafka itself accepts for each config key are Kafka's LogConfig
// definitions (apache/kafka storage/.../log/LogConfig.java: atLeast,
// between, INT or LONG), checked here because the Aiven API passes them to
// Kafka. The team's own limits (replication 2..3, partitions <= 4096, min
// ISR below replication, message size) are policies, not cloud rules
// (policies/rules/kafka.go).
func init() {
	register(&kind{
		token: KafkaTopicType, label: "Kafka topic",
		fields: map[string]field{
			"project":               {typ: tString, required: true, replace: true},
			"serviceName":           {typ: tString, required: true, replace: true},
			"topicName":             {typ: tString, required: true, replace: true},
			"partitions":            {typ: tNumber, required: true},
			"replication":           {typ: tNumber, required: true},
			"config":                {typ: tObject},
			"tags":                  {typ: tArray, nested: []string{"[].key"}},
			"terminationProtection": {typ: tBool},
			"topicDescription":      {typ: tString},
			"ownerUserGroupId":      {typ: tString},
			"timeouts":              {typ: tObject},
		},
		check: checkKafkaTopic,
		diff: func(olds, news resource.PropertyMap) error {
			o, ok1 := pnum(olds, "partitions")
			n, ok2 := pnum(news, "partitions")
			if ok1 && ok2 && n < o {
				return fmt.Errorf("aiven: the partitions of Kafka topic %q cannot be decreased from %v to %v: Kafka only adds partitions (the provider answers \"number of partitions cannot be decreased\"); create a new topic instead", str(jsonOf(olds), "topicName"), o, n)
			}
			return nil
		},
		// The service's brokers place the replicas: Kafka refuses more
		// replicas than brokers (StripedReplicaPlacer).
		refs: func(_ *state, o *Object) error {
			if r := num(o.Props, "replication"); r > AivenBrokers {
				return fmt.Errorf("aiven: 400 Bad Request: creating topic %q: InvalidReplicationFactorException: The target replication factor of %v cannot be reached because only %d broker(s) are registered", str(o.Props, "topicName"), r, AivenBrokers)
			}
			return nil
		},
		identity: func(o *Object) (string, string, string) {
			key := str(o.Props, "project") + "/" + str(o.Props, "serviceName") + "/" + str(o.Props, "topicName")
			return key, key, str(o.Props, "topicName")
		},
		duplicate: func(o *Object) error {
			return fmt.Errorf("aiven: topic conflict, already exists: %q (project %s, service %s; Aiven answers 409 Conflict)", o.Name, str(o.Props, "project"), str(o.Props, "serviceName"))
		},
		imports: importSpec{format: "project/service_name/topic_name", n: 3},
	})
}

func jsonOf(m resource.PropertyMap) map[string]any {
	j, _ := toJSONLenient(m, nil)
	return j
}

// kafkaConfigKey is one key of KafkaTopicConfig: its schema type and
// Kafka's range for it.
type kafkaConfigKey struct {
	kind  string // "int" (an integer string), "bool", "ratio", "enum", "version"
	min   int64  // Kafka's atLeast (int only)
	int32 bool   // Kafka types it INT rather than LONG
}

var noMin int64 = math.MinInt64

// kafkaConfig lists the config keys of KafkaTopicConfig (pulumi-aiven
// v6.58.0 schema.json) with the ranges of Kafka's LogConfig.
var kafkaConfig = map[string]kafkaConfigKey{
	"cleanupPolicy":                   {kind: "enum"},
	"compressionType":                 {kind: "enum"},
	"messageTimestampType":            {kind: "enum"},
	"messageFormatVersion":            {kind: "version"},
	"deleteRetentionMs":               {kind: "int", min: 0},
	"fileDeleteDelayMs":               {kind: "int", min: 0},
	"flushMessages":                   {kind: "int", min: 1},
	"flushMs":                         {kind: "int", min: 0},
	"indexIntervalBytes":              {kind: "int", min: 0, int32: true},
	"localRetentionBytes":             {kind: "int", min: -2},
	"localRetentionMs":                {kind: "int", min: -2},
	"maxCompactionLagMs":              {kind: "int", min: 1},
	"maxMessageBytes":                 {kind: "int", min: 0, int32: true},
	"messageTimestampAfterMaxMs":      {kind: "int", min: 0},
	"messageTimestampBeforeMaxMs":     {kind: "int", min: 0},
	"messageTimestampDifferenceMaxMs": {kind: "int", min: 0},
	"minCompactionLagMs":              {kind: "int", min: 0},
	"minInsyncReplicas":               {kind: "int", min: 1, int32: true},
	"retentionBytes":                  {kind: "int", min: noMin},
	"retentionMs":                     {kind: "int", min: -1},
	"segmentBytes":                    {kind: "int", min: 14, int32: true},
	"segmentIndexBytes":               {kind: "int", min: 4, int32: true},
	"segmentJitterMs":                 {kind: "int", min: 0},
	"segmentMs":                       {kind: "int", min: 1},
	"minCleanableDirtyRatio":          {kind: "ratio"},
	"disklessEnable":                  {kind: "bool"},
	"messageDownconversionEnable":     {kind: "bool"},
	"preallocate":                     {kind: "bool"},
	"remoteStorageEnable":             {kind: "bool"},
	"uncleanLeaderElectionEnable":     {kind: "bool"},
}

// kafkaEnums are the OneOf validators of the schema's enum keys.
var kafkaEnums = map[string][]string{
	"cleanupPolicy":        {"compact", "compact,delete", "delete"},
	"compressionType":      {"gzip", "lz4", "producer", "snappy", "uncompressed", "zstd"},
	"messageTimestampType": {"CreateTime", "LogAppendTime"},
}

// kafkaVersion is the form of message_format_version's values (a Kafka
// version, "3.6" or "3.6-IV2"; the schema lists them one by one).
var kafkaVersion = regexp.MustCompile(`^\d+\.\d+(\.\d+)?(-IV\d+)?$`)

// timeoutKeys are the keys of KafkaTopicTimeouts.
var timeoutKeys = map[string]bool{"create": true, "read": true, "update": true, "delete": true, "default": true}

func checkKafkaTopic(c *checker) {
	c.physName("topicName", naming.KafkaTopic)
	c.length(c.news, "topicName", "topicName", 1, 249)
	c.length(c.news, "topicDescription", "topicDescription", 1, 256)
	c.length(c.news, "ownerUserGroupId", "ownerUserGroupId", 1, 36)
	c.between(c.news, "partitions", "partitions", 1, 1000000)
	c.between(c.news, "replication", "replication", 1, math.MaxInt32)
	if cfg, ok := pobj(c.news, "config"); ok {
		ints := map[string]int64{}
		for key, v := range cfg {
			prop := "config." + string(key)
			spec, known := kafkaConfig[string(key)]
			if !known {
				c.fail(prop, "unknown topic config property %q", key)
				continue
			}
			v = providerserver.Plain(v)
			if v.IsNull() || v.IsComputed() {
				continue
			}
			switch spec.kind {
			case "bool":
				if !v.IsBool() {
					c.fail(prop, "%s must be a boolean", prop)
				}
				continue
			case "ratio":
				if !v.IsNumber() || v.NumberValue() < 0 || v.NumberValue() > 1 {
					c.fail(prop, "%s must be a number between 0 and 1", prop)
				}
				continue
			}
			if !v.IsString() {
				c.fail(prop, "%s must be a string (the Aiven provider types topic config values as strings), got %s", prop, v.TypeString())
				continue
			}
			s := v.StringValue()
			switch spec.kind {
			case "enum":
				c.oneOf(cfg, string(key), prop, kafkaEnums[string(key)]...)
			case "version":
				if !kafkaVersion.MatchString(s) {
					c.fail(prop, "%s %q is not a Kafka version such as \"3.6\" or \"3.6-IV2\"", prop, s)
				}
			case "int":
				n, err := strconv.ParseInt(s, 10, 64)
				switch {
				case err != nil:
					c.fail(prop, "%s %q must be an integer string: the provider fails with \"failed to parse %s as an integer\"", prop, s, key)
				case n < spec.min:
					c.fail(prop, "%s %s is invalid: Kafka requires at least %d", prop, s, spec.min)
				case spec.int32 && n > math.MaxInt32:
					c.fail(prop, "%s %s is invalid: Kafka types it as a 32-bit integer", prop, s)
				default:
					ints[string(key)] = n
				}
			}
		}
		for local, overall := range map[string]string{"localRetentionBytes": "retentionBytes", "localRetentionMs": "retentionMs"} {
			if present(cfg, local) && !present(cfg, overall) {
				c.fail("config."+local, "config.%s requires config.%s (the schema's AlsoRequires)", local, overall)
			}
		}
		if l, ok := ints["localRetentionBytes"]; ok {
			if r, ok := ints["retentionBytes"]; ok && r >= 0 && r < l {
				c.fail("config.localRetentionBytes", "local_retention_bytes must not be more than retention_bytes value (local=%d, retention=%d)", l, r)
			}
		}
		if lo, ok := ints["minCompactionLagMs"]; ok {
			if hi, ok := ints["maxCompactionLagMs"]; ok && lo > hi {
				c.fail("config.minCompactionLagMs", "conflict topic config setting min.compaction.lag.ms (%d) > max.compaction.lag.ms (%d)", lo, hi)
			}
		}
	}
	tags, _ := parr(c.news, "tags")
	if len(tags) > 25 {
		c.fail("tags", "at most 25 tags are allowed, got %d", len(tags))
	}
	for i, t := range tags {
		if !t.IsObject() {
			c.fail(fmt.Sprintf("tags[%d]", i), "a tag must be an object with a key and an optional value")
			continue
		}
		c.length(t.ObjectValue(), "key", fmt.Sprintf("tags[%d].key", i), 1, 64)
		if v, ok := pstr(t.ObjectValue(), "value"); ok && len(v) > 256 {
			c.fail(fmt.Sprintf("tags[%d].value", i), "a tag value must be at most 256 characters")
		}
	}
	if to, ok := pobj(c.news, "timeouts"); ok {
		for key := range to {
			prop := "timeouts." + string(key)
			if !timeoutKeys[string(key)] {
				c.fail(prop, "unknown timeout %q: use create, read, update, delete or default", key)
				continue
			}
			if s, ok := pstr(to, string(key)); ok {
				if _, err := time.ParseDuration(s); err != nil {
					c.fail(prop, "%s %q is not a duration such as \"30s\" or \"2h45m\"", prop, s)
				}
			}
		}
	}
}
