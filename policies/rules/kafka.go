package rules

import (
	"math"
	"slices"
	"strings"
)

// Policy names of the Kafka topic rules.
const (
	KafkaTopicNamePrefix        = "kafka-topic-name-prefix"
	KafkaTopicReplication       = "kafka-topic-replication"
	KafkaTopicPartitions        = "kafka-topic-partitions"
	KafkaTopicMinInsyncReplicas = "kafka-topic-min-insync-replicas"
	KafkaTopicRetention         = "kafka-topic-retention"
	KafkaTopicMaxMessageSize    = "kafka-topic-max-message-size"
	KafkaTopicCompression       = "kafka-topic-compression"
)

// MaxMessageBytes is the largest message a topic may accept by default:
// 25 MiB.
const MaxMessageBytes = 26214400

func kafkaTopicNamePrefix() Policy {
	return Policy{
		Name:        KafkaTopicNamePrefix,
		Description: "Kafka topic names start with the stack prefix \"<stack>-\".",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"exemptNames": {Type: "array", Description: "Topic names allowed without the prefix (existing prod topics kept through a naming override).", Default: []string{}},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			name, ok := r.Get("topicName").Str()
			if !ok {
				return nil
			}
			prefix := r.Stack + "-"
			if strings.HasPrefix(name, prefix) || slices.Contains(c.Strings("exemptNames"), name) {
				return nil
			}
			return []Violation{violation(KafkaTopicNamePrefix, r,
				sprintf("name the topic %q (naming.Namer adds the prefix); prod may keep an existing name by listing it in exemptNames of this policy", prefix+name),
				"topic name %q does not start with the stack prefix %q", name, prefix)}
		},
	}
}

// The team's replication and partition limits. The Aiven provider accepts
// any replication of at least 1 and 1 to 1,000,000 partitions
// (terraform-provider-aiven v4.60.0, aiven_kafka_topic); the team keeps
// replication between 2 (3 in prod) and the Kafka service's 3 brokers, and
// at most 4096 partitions per topic. The local sandbox accepts what the
// provider accepts, so these limits are enforced here, mandatory in
// staging and prod.

func kafkaTopicReplication() Policy {
	return Policy{
		Name:        KafkaTopicReplication,
		Description: "Kafka topics are replicated: at least 3 copies in prod, 2 elsewhere, and at most the service's 3 brokers.",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"minReplication":     {Type: "integer", Description: "Lowest replication outside prod.", Default: 2},
			"minReplicationProd": {Type: "integer", Description: "Lowest replication in prod.", Default: 3},
			"maxReplication":     {Type: "integer", Description: "Highest replication: the broker count of the Kafka services.", Default: 3},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			min, max := c.Float("minReplication"), c.Float("maxReplication")
			where := "outside prod"
			if r.IsProd() {
				min, where = c.Float("minReplicationProd"), "in prod"
			}
			v := r.Get("replication")
			if v.Unknown {
				return nil
			}
			fix := sprintf("set replication to at least %v", min)
			if v.Absent {
				return []Violation{violation(KafkaTopicReplication, r, fix, "replication is not set; topics need at least %v replicas %s", min, where)}
			}
			n, ok := v.Num()
			if !ok {
				return []Violation{violation(KafkaTopicReplication, r, fix, "replication %s is not a number", describe(v))}
			}
			if n < min {
				return []Violation{violation(KafkaTopicReplication, r, fix, "replication is %v; topics need at least %v replicas %s", n, min, where)}
			}
			if n > max {
				return []Violation{violation(KafkaTopicReplication, r, sprintf("set replication to at most %v", max),
					"replication is %v; the Kafka services have %v brokers, so at most %v replicas", n, max, max)}
			}
			return nil
		},
	}
}

func kafkaTopicPartitions() Policy {
	return Policy{
		Name:        KafkaTopicPartitions,
		Description: "Kafka topics have 1 to 4096 partitions.",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"maxPartitions": {Type: "integer", Description: "Most partitions per topic.", Default: 4096},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			max := c.Float("maxPartitions")
			fix := sprintf("set partitions between 1 and %v", max)
			v := r.Get("partitions")
			switch n, ok := v.Num(); {
			case v.Unknown:
			case v.Absent:
				return []Violation{violation(KafkaTopicPartitions, r, fix, "partitions is not set")}
			case !ok:
				return []Violation{violation(KafkaTopicPartitions, r, fix, "partitions %s is not a number", describe(v))}
			case n < 1 || n > max:
				return []Violation{violation(KafkaTopicPartitions, r, fix, "partitions is %v, outside 1 to %v", n, max)}
			}
			return nil
		},
	}
}

func kafkaTopicMinInsyncReplicas() Policy {
	return Policy{
		Name:        KafkaTopicMinInsyncReplicas,
		Description: "A Kafka topic's min.insync.replicas is at least 1 and below its replication, so one broker can fail without blocking producers.",
		Types:       []string{TypeKafkaTopic},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			mv := r.Get("config", "minInsyncReplicas")
			if !mv.Known() {
				return nil
			}
			min, ok := mv.Num()
			if !ok {
				return []Violation{violation(KafkaTopicMinInsyncReplicas, r, "set config.minInsyncReplicas to a whole number below replication", "config.minInsyncReplicas %s is not a number", describe(mv))}
			}
			if min < 1 {
				return []Violation{violation(KafkaTopicMinInsyncReplicas, r, "set config.minInsyncReplicas to at least 1", "config.minInsyncReplicas is %v", min)}
			}
			repl, ok := r.Get("replication").Num()
			if !ok {
				return nil
			}
			if min >= repl {
				return []Violation{violation(KafkaTopicMinInsyncReplicas, r,
					sprintf("set config.minInsyncReplicas to %v or less, or raise replication", repl-1),
					"config.minInsyncReplicas is %v but replication is %v: losing one broker would block every producer", min, repl)}
			}
			return nil
		},
	}
}

func kafkaTopicRetention() Policy {
	return Policy{
		Name:        KafkaTopicRetention,
		Description: "Kafka topics set a retention time within the configured bounds, and a bounded retention size.",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"minRetentionMs":         {Type: "integer", Description: "Shortest retention.ms (default 1 hour).", Default: 3600000},
			"maxRetentionMs":         {Type: "integer", Description: "Longest retention.ms (default 30 days).", Default: 2592000000},
			"allowInfiniteRetention": {Type: "boolean", Description: "Allow retention.ms = -1 (keep forever).", Default: false},
			"maxRetentionBytes":      {Type: "integer", Description: "Largest retention.bytes per partition (default 1 TiB); -1 (no size limit) is always allowed since the time limit bounds it.", Default: 1099511627776},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			var vs []Violation
			lo, hi := c.Float("minRetentionMs"), c.Float("maxRetentionMs")
			bounds := sprintf("set config.retentionMs between %v (%s) and %v (%s)", lo, duration(lo), hi, duration(hi))
			ms := r.Get("config", "retentionMs")
			switch n, ok := ms.Num(); {
			case ms.Unknown:
			case ms.Absent:
				vs = append(vs, violation(KafkaTopicRetention, r, bounds, "config.retentionMs is not set, so the broker default applies"))
			case !ok:
				vs = append(vs, violation(KafkaTopicRetention, r, bounds, "config.retentionMs %s is not a number", describe(ms)))
			case n == -1 && c.Bool("allowInfiniteRetention"):
			case n == -1:
				vs = append(vs, violation(KafkaTopicRetention, r, bounds, "config.retentionMs is -1: the topic would keep every message forever"))
			case n < lo || n > hi:
				vs = append(vs, violation(KafkaTopicRetention, r, bounds, "config.retentionMs is %v (%s), outside the allowed range", n, duration(n)))
			}
			maxBytes := c.Float("maxRetentionBytes")
			bv := r.Get("config", "retentionBytes")
			if n, ok := bv.Num(); bv.Known() {
				fix := sprintf("set config.retentionBytes to -1 (time-bounded only) or between 1 and %v", maxBytes)
				switch {
				case !ok:
					vs = append(vs, violation(KafkaTopicRetention, r, fix, "config.retentionBytes %s is not a number", describe(bv)))
				case n == -1:
				case n < 1 || n > maxBytes:
					vs = append(vs, violation(KafkaTopicRetention, r, fix, "config.retentionBytes is %v, outside the allowed range", n))
				}
			}
			return vs
		},
	}
}

// duration renders milliseconds as days or hours for messages.
func duration(ms float64) string {
	const hour = 3600000.0
	switch {
	case ms >= 24*hour && math.Mod(ms, 24*hour) == 0:
		return sprintf("%v days", ms/(24*hour))
	case ms >= hour && math.Mod(ms, hour) == 0:
		return sprintf("%v hours", ms/hour)
	}
	return sprintf("%v ms", ms)
}

func kafkaTopicMaxMessageSize() Policy {
	return Policy{
		Name:        KafkaTopicMaxMessageSize,
		Description: "Kafka topics accept messages of at most 25 MiB (max.message.bytes).",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"maxMessageBytes": {Type: "integer", Description: "Largest allowed max.message.bytes.", Default: MaxMessageBytes},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			max := c.Float("maxMessageBytes")
			fix := sprintf("set config.maxMessageBytes between 1 and %v", max)
			v := r.Get("config", "maxMessageBytes")
			if !v.Known() {
				return nil
			}
			n, ok := v.Num()
			if !ok {
				return []Violation{violation(KafkaTopicMaxMessageSize, r, fix, "config.maxMessageBytes %s is not a number", describe(v))}
			}
			if n < 1 || n > max {
				return []Violation{violation(KafkaTopicMaxMessageSize, r, fix, "config.maxMessageBytes is %v, above the limit of %v bytes", n, max)}
			}
			return nil
		},
	}
}

func kafkaTopicCompression() Policy {
	return Policy{
		Name:        KafkaTopicCompression,
		Description: "Kafka topics set a compression type.",
		Types:       []string{TypeKafkaTopic},
		Properties: map[string]Property{
			"allowed": {Type: "array", Description: "Accepted values of config.compressionType.", Default: []string{"gzip", "lz4", "snappy", "zstd"}},
		},
		Resource: func(r Resource, c Config) []Violation {
			if r.Type != TypeKafkaTopic {
				return nil
			}
			allowed := c.Strings("allowed")
			fix := "set config.compressionType to one of " + strings.Join(allowed, ", ")
			v := r.Get("config", "compressionType")
			if v.Unknown {
				return nil
			}
			s, isStr := v.Str()
			switch {
			case v.Absent || (isStr && s == ""):
				return []Violation{violation(KafkaTopicCompression, r, fix, "config.compressionType is not set")}
			case !isStr || !slices.Contains(allowed, s):
				return []Violation{violation(KafkaTopicCompression, r, fix, "config.compressionType is %s", describe(v))}
			}
			return nil
		},
	}
}
