package sandbox

import (
	"fmt"
	"strconv"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// KafkaTopicType is the Aiven Kafka topic type token (pulumi-aiven v6.58.0).
const KafkaTopicType = "aiven:index/kafkaTopic:KafkaTopic"

// AivenBrokers is the broker count of the sandbox's Kafka service (as in
// environments/local.yaml): the replication factor cannot exceed it.
const AivenBrokers = 3

// kafkaConfig lists the topic config properties of the Aiven provider and
// how each is typed: integer strings ("-1" allowed where Kafka allows it),
// enums, booleans.
var kafkaConfig = map[string]string{
	"cleanupPolicy": "enum", "compressionType": "enum", "messageTimestampType": "enum", "messageFormatVersion": "string",
	"deleteRetentionMs": "int", "fileDeleteDelayMs": "int", "flushMessages": "int", "flushMs": "int",
	"indexIntervalBytes": "int", "localRetentionBytes": "int-1", "localRetentionMs": "int-1",
	"maxCompactionLagMs": "int", "maxMessageBytes": "int", "messageTimestampDifferenceMaxMs": "int",
	"minCompactionLagMs": "int", "minInsyncReplicas": "int", "retentionBytes": "int-1", "retentionMs": "int-1",
	"segmentBytes": "int", "segmentIndexBytes": "int", "segmentJitterMs": "int", "segmentMs": "int",
	"minCleanableDirtyRatio": "ratio", "messageDownconversionEnable": "bool", "preallocate": "bool",
	"remoteStorageEnable": "bool", "uncleanLeaderElectionEnable": "bool",
}

var kafkaEnums = map[string][]string{
	"cleanupPolicy":        {"delete", "compact", "compact,delete"},
	"compressionType":      {"snappy", "gzip", "lz4", "producer", "uncompressed", "zstd"},
	"messageTimestampType": {"CreateTime", "LogAppendTime"},
}

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
			"tags":                  {typ: tArray},
			"terminationProtection": {typ: tBool},
			"topicDescription":      {typ: tString},
			"ownerUserGroupId":      {typ: tString},
		},
		check: checkKafkaTopic,
		diff: func(olds, news resource.PropertyMap) error {
			o, ok1 := pnum(olds, "partitions")
			n, ok2 := pnum(news, "partitions")
			if ok1 && ok2 && n < o {
				return fmt.Errorf("aiven: the partitions of Kafka topic %q cannot be decreased from %v to %v: Kafka only adds partitions (Aiven answers 400 \"Partition count can only be increased\"); create a new topic instead", str(jsonOf(olds), "topicName"), o, n)
			}
			return nil
		},
		create: func(st *state, o *Object) error {
			o.Key = str(o.Props, "project") + "/" + str(o.Props, "serviceName") + "/" + str(o.Props, "topicName")
			o.ID, o.Name = o.Key, str(o.Props, "topicName")
			if st.byKey(KafkaTopicType, o.Key) != nil {
				return fmt.Errorf("aiven: 409 Conflict: Topic '%s' already exists (project %s, service %s)", o.Name, str(o.Props, "project"), str(o.Props, "serviceName"))
			}
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, _ providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				if _, err := importParts(id, 3, "project/service_name/topic_name"); err != nil {
					return nil, err
				}
			}
			return st.byKey(KafkaTopicType, id), nil
		},
		beforeDelete: func(_ *state, o *Object) error {
			if boolean(o.Props, "terminationProtection") {
				return fmt.Errorf("cannot delete kafka topic %q when termination_protection is enabled: set terminationProtection to false first", o.ID)
			}
			return nil
		},
	})
}

func jsonOf(m resource.PropertyMap) map[string]any {
	j, _ := toJSONLenient(m, nil)
	return j
}

func checkKafkaTopic(c *checker) {
	c.physName("topicName", naming.KafkaTopic)
	c.between(c.news, "partitions", "partitions", 1, 4096)
	if r, ok := pnum(c.news, "replication"); ok && (r < 2 || r > AivenBrokers) {
		c.fail("replication", "replication %v is invalid: Aiven requires a replication factor of at least 2 and at most the number of brokers (%d)", r, AivenBrokers)
	}
	if cfg, ok := pobj(c.news, "config"); ok {
		for key, v := range cfg {
			prop := "config." + string(key)
			kind, known := kafkaConfig[string(key)]
			if !known {
				c.fail(prop, "unknown topic config property %q", key)
				continue
			}
			v = providerserver.Plain(v)
			if v.IsNull() || v.IsComputed() {
				continue
			}
			switch kind {
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
			switch kind {
			case "enum":
				c.oneOf(cfg, string(key), prop, kafkaEnums[string(key)]...)
			case "int", "int-1":
				n, err := strconv.ParseInt(s, 10, 64)
				min := int64(0)
				if kind == "int-1" {
					min = -1
				}
				if err != nil || n < min {
					c.fail(prop, "%s %q must be an integer string >= %d", prop, s, min)
				}
			}
		}
		if s, ok := pstr(cfg, "minInsyncReplicas"); ok {
			n, err := strconv.Atoi(s)
			r, rok := pnum(c.news, "replication")
			if err == nil && (n < 1 || (rok && float64(n) > r)) {
				c.fail("config.minInsyncReplicas", "minInsyncReplicas %d must be between 1 and the replication factor (%v)", n, r)
			}
		}
		if s, ok := pstr(cfg, "maxMessageBytes"); ok {
			if n, err := strconv.Atoi(s); err == nil && n > 100001200 {
				c.fail("config.maxMessageBytes", "maxMessageBytes %d exceeds Aiven's maximum of 100001200", n)
			}
		}
	}
	tags, _ := parr(c.news, "tags")
	for i, t := range tags {
		if !t.IsObject() {
			c.fail(fmt.Sprintf("tags[%d]", i), "a tag must be an object with key and value")
			continue
		}
		k, kok := pstr(t.ObjectValue(), "key")
		v, vok := pstr(t.ObjectValue(), "value")
		if !kok || len(k) == 0 || len(k) > 64 {
			c.fail(fmt.Sprintf("tags[%d].key", i), "a tag key must be 1 to 64 characters")
		}
		if !vok || len(v) > 256 {
			c.fail(fmt.Sprintf("tags[%d].value", i), "a tag value is required and must be at most 256 characters")
		}
	}
}
