package rules

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func topicProps(stack string) map[string]any {
	return map[string]any{
		"project":     "clustera-creators",
		"serviceName": "kafka-clustera",
		"topicName":   stack + "-runtime",
		"partitions":  10,
		"replication": 3,
		"config": map[string]any{
			"retentionMs":       "604800000",
			"retentionBytes":    "-1",
			"maxMessageBytes":   "26214400",
			"compressionType":   "snappy",
			"cleanupPolicy":     "delete",
			"minInsyncReplicas": "2",
		},
		"terminationProtection": true,
		"tags": []any{
			map[string]any{"key": "env", "value": stack},
			map[string]any{"key": "project", "value": "proj"},
			map[string]any{"key": "managed-by", "value": "pulumi"},
		},
	}
}

func topic(stack string, set map[string]any) Resource {
	return res(TypeKafkaTopic, "runtime", stack, with(topicProps(stack), set))
}

func recordProps(stack string) map[string]any {
	return map[string]any{
		"zoneId":  "10ca1000000000000000000000000002",
		"name":    "1.clustera.io",
		"type":    "A",
		"content": "203.0.113.10",
		"ttl":     300,
		"proxied": false,
		"tags":    []any{"env:" + stack, "managed-by:pulumi", "project:proj"},
	}
}

func record(stack string, set map[string]any) Resource {
	return res(TypeDNSRecord, "node-1", stack, with(recordProps(stack), set))
}

func scriptProps() map[string]any {
	return map[string]any{
		"accountId":         "10ca1000000000000000000000000001",
		"scriptName":        "staging-silo",
		"content":           "export default {}",
		"mainModule":        "index.js",
		"compatibilityDate": "2025-01-01",
		"observability":     map[string]any{"enabled": true, "headSamplingRate": 1},
		"bindings": []any{
			map[string]any{"name": "CONSTELLATION", "type": "service", "service": "staging-constellation"},
			map[string]any{"name": "API_TOKEN", "type": "secret_text", "text": secret("s3cr3t")},
			map[string]any{"name": "ENVIRONMENT", "type": "plain_text", "text": "staging"},
		},
	}
}

func script(set map[string]any) Resource {
	return res(TypeWorkersScript, "silo", "staging", with(scriptProps(), set))
}

func bindings(extra ...map[string]any) []any {
	out := []any{}
	for _, e := range extra {
		out = append(out, e)
	}
	return out
}

func queue(stack, name, queueName string) Resource {
	return res(TypeQueue, name, stack, map[string]any{"accountId": "acc", "queueName": queueName, "queueId": name + "-qid"})
}

func consumer(stack, name string, props map[string]any, propDeps []string, deps []string) Resource {
	r := res(TypeQueueConsumer, name, stack, with(map[string]any{"accountId": "acc", "type": "worker", "scriptName": "staging-constellation"}, props))
	if propDeps != nil {
		r.PropertyDependencies = map[string][]string{"queueId": propDeps}
	}
	r.Dependencies = deps
	return r
}

func protected(r Resource, retain *bool) Resource {
	r.Protect = true
	r.RetainOnDelete = retain
	return r
}

func ptr(b bool) *bool { return &b }

type ruleCase struct {
	name   string
	policy string
	rs     []Resource
	cfg    map[string]any
	// want lists substrings, one per expected violation, in order; empty
	// means the resources comply.
	want []string
}

func ruleCases() []ruleCase {
	embed := queue("staging", "new-content", "staging-new-content-constellation")
	other := queue("staging", "events", "staging-events")
	dlq := queue("staging", "embed-dlq", "staging-embed-dead-letter")
	stackRes := func(stack string, outputs map[string]any, cfg []ConfigEntry) Resource {
		r := res(StackType, "proj-"+stack, stack, outputs)
		r.StackConfig = cfg
		return r
	}
	gcpLabels := map[string]any{"env": "staging", "project": "proj", "managed-by": "pulumi"}
	return []ruleCase{
		// Kafka topic naming.
		{name: "prefixed name", policy: KafkaTopicNamePrefix, rs: []Resource{topic("staging", nil)}},
		{name: "name without prefix", policy: KafkaTopicNamePrefix, rs: []Resource{topic("staging", map[string]any{"topicName": "runtime"})},
			want: []string{`aiven:index/kafkaTopic:KafkaTopic "runtime": topic name "runtime" does not start with the stack prefix "staging-". Fix: name the topic "staging-runtime"`}},
		{name: "other stack's prefix", policy: KafkaTopicNamePrefix, rs: []Resource{topic("dev", map[string]any{"topicName": "staging-runtime"})},
			want: []string{`does not start with the stack prefix "dev-"`}},
		{name: "exempt prod name", policy: KafkaTopicNamePrefix, rs: []Resource{topic("prod", map[string]any{"topicName": "runtime"})},
			cfg: map[string]any{"exemptNames": []any{"runtime"}}},
		{name: "unknown name skipped", policy: KafkaTopicNamePrefix, rs: []Resource{topic("staging", map[string]any{"topicName": computed()})}},

		// Replication.
		{name: "3 in prod", policy: KafkaTopicReplication, rs: []Resource{topic("prod", nil)}},
		{name: "2 in dev", policy: KafkaTopicReplication, rs: []Resource{topic("dev", map[string]any{"replication": 2})}},
		{name: "2 in prod", policy: KafkaTopicReplication, rs: []Resource{topic("prod", map[string]any{"replication": 2})},
			want: []string{"replication is 2; topics need at least 3 replicas in prod. Fix: set replication to at least 3"}},
		{name: "1 in dev", policy: KafkaTopicReplication, rs: []Resource{topic("dev", map[string]any{"replication": 1})},
			want: []string{"replication is 1; topics need at least 2 replicas outside prod"}},
		{name: "replication unset", policy: KafkaTopicReplication, rs: []Resource{topic("dev", map[string]any{"replication": nil})},
			want: []string{"replication is not set"}},
		{name: "configured minimum", policy: KafkaTopicReplication, rs: []Resource{topic("dev", map[string]any{"replication": 2})},
			cfg: map[string]any{"minReplication": 3}, want: []string{"at least 3 replicas outside prod"}},
		{name: "unknown replication skipped", policy: KafkaTopicReplication, rs: []Resource{topic("prod", map[string]any{"replication": unknownOutput()})}},
		{name: "4 above the brokers", policy: KafkaTopicReplication, rs: []Resource{topic("prod", map[string]any{"replication": 4})},
			want: []string{"replication is 4; the Kafka services have 3 brokers, so at most 3 replicas. Fix: set replication to at most 3"}},
		{name: "configured maximum", policy: KafkaTopicReplication, rs: []Resource{topic("dev", map[string]any{"replication": 4})},
			cfg: map[string]any{"maxReplication": 5}},

		// Partitions.
		{name: "10 partitions", policy: KafkaTopicPartitions, rs: []Resource{topic("prod", nil)}},
		{name: "4096 partitions", policy: KafkaTopicPartitions, rs: []Resource{topic("staging", map[string]any{"partitions": 4096})}},
		{name: "4097 partitions", policy: KafkaTopicPartitions, rs: []Resource{topic("staging", map[string]any{"partitions": 4097})},
			want: []string{`aiven:index/kafkaTopic:KafkaTopic "runtime": partitions is 4097, outside 1 to 4096. Fix: set partitions between 1 and 4096`}},
		{name: "0 partitions", policy: KafkaTopicPartitions, rs: []Resource{topic("dev", map[string]any{"partitions": 0})},
			want: []string{"partitions is 0, outside 1 to 4096"}},
		{name: "configured partition limit", policy: KafkaTopicPartitions, rs: []Resource{topic("dev", map[string]any{"partitions": 10})},
			cfg: map[string]any{"maxPartitions": 8}, want: []string{"partitions is 10, outside 1 to 8"}},
		{name: "partitions unset", policy: KafkaTopicPartitions, rs: []Resource{topic("dev", map[string]any{"partitions": nil})},
			want: []string{"partitions is not set"}},
		{name: "unknown partitions skipped", policy: KafkaTopicPartitions, rs: []Resource{topic("prod", map[string]any{"partitions": unknownOutput()})}},

		// min.insync.replicas.
		{name: "min ISR below replication", policy: KafkaTopicMinInsyncReplicas, rs: []Resource{topic("prod", nil)}},
		{name: "min ISR unset", policy: KafkaTopicMinInsyncReplicas, rs: []Resource{topic("prod", map[string]any{"config.minInsyncReplicas": nil})}},
		{name: "min ISR equals replication", policy: KafkaTopicMinInsyncReplicas, rs: []Resource{topic("prod", map[string]any{"config.minInsyncReplicas": "3"})},
			want: []string{"config.minInsyncReplicas is 3 but replication is 3: losing one broker would block every producer. Fix: set config.minInsyncReplicas to 2 or less"}},
		{name: "min ISR zero", policy: KafkaTopicMinInsyncReplicas, rs: []Resource{topic("prod", map[string]any{"config.minInsyncReplicas": "0"})},
			want: []string{"config.minInsyncReplicas is 0"}},
		{name: "min ISR unknown", policy: KafkaTopicMinInsyncReplicas, rs: []Resource{topic("prod", map[string]any{"config.minInsyncReplicas": computed()})}},

		// Retention.
		{name: "7 days", policy: KafkaTopicRetention, rs: []Resource{topic("prod", nil)}},
		{name: "retention unset", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": nil})},
			want: []string{"config.retentionMs is not set, so the broker default applies. Fix: set config.retentionMs between 3600000 (1 hours) and 2592000000 (30 days)"}},
		{name: "infinite", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": "-1"})},
			want: []string{"config.retentionMs is -1"}},
		{name: "infinite allowed", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": "-1"})},
			cfg: map[string]any{"allowInfiniteRetention": true}},
		{name: "31 days", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": "2678400000"})},
			want: []string{"config.retentionMs is 2678400000 (31 days), outside the allowed range"}},
		{name: "configured maximum", policy: KafkaTopicRetention, rs: []Resource{topic("prod", nil)},
			cfg: map[string]any{"maxRetentionMs": 259200000}, want: []string{"(7 days), outside the allowed range"}},
		{name: "numeric retention", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": 259200000})}},
		{name: "too many bytes", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionBytes": "2199023255552"})},
			want: []string{"config.retentionBytes is 2199023255552, outside the allowed range"}},
		{name: "bounded bytes", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionBytes": "629145600"})}},
		{name: "not a number", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config.retentionMs": "a week"})},
			want: []string{`config.retentionMs "a week" is not a number`}},
		{name: "unknown retention", policy: KafkaTopicRetention, rs: []Resource{topic("prod", map[string]any{"config": computed()})}},

		// Message size.
		{name: "25 MiB", policy: KafkaTopicMaxMessageSize, rs: []Resource{topic("prod", nil)}},
		{name: "default size", policy: KafkaTopicMaxMessageSize, rs: []Resource{topic("prod", map[string]any{"config.maxMessageBytes": nil})}},
		{name: "50 MiB", policy: KafkaTopicMaxMessageSize, rs: []Resource{topic("prod", map[string]any{"config.maxMessageBytes": "52428800"})},
			want: []string{"config.maxMessageBytes is 52428800, above the limit of 26214400 bytes. Fix: set config.maxMessageBytes between 1 and 26214400"}},

		// Compression.
		{name: "snappy", policy: KafkaTopicCompression, rs: []Resource{topic("prod", nil)}},
		{name: "compression unset", policy: KafkaTopicCompression, rs: []Resource{topic("prod", map[string]any{"config.compressionType": nil})},
			want: []string{"config.compressionType is not set. Fix: set config.compressionType to one of gzip, lz4, snappy, zstd"}},
		{name: "uncompressed", policy: KafkaTopicCompression, rs: []Resource{topic("prod", map[string]any{"config.compressionType": "uncompressed"})},
			want: []string{`config.compressionType is "uncompressed"`}},
		{name: "unknown compression", policy: KafkaTopicCompression, rs: []Resource{topic("prod", map[string]any{"config.compressionType": computed()})}},

		// DNS.
		{name: "direct record", policy: DNSARecordNotProxied, rs: []Resource{record("prod", nil), record("prod", map[string]any{"proxied": nil})}},
		{name: "proxied record", policy: DNSARecordNotProxied, rs: []Resource{record("prod", map[string]any{"proxied": true})},
			want: []string{`cloudflare:index/dnsRecord:DnsRecord "node-1": the A record is proxied through Cloudflare. Fix: set proxied to false`}},
		{name: "proxied CNAME", policy: DNSARecordNotProxied, rs: []Resource{record("prod", map[string]any{"type": "CNAME", "content": "x.clustera.io", "proxied": true})}},
		{name: "ttl 300", policy: DNSARecordTTL, rs: []Resource{record("prod", nil)}},
		{name: "automatic ttl", policy: DNSARecordTTL, rs: []Resource{record("prod", map[string]any{"ttl": 1})},
			want: []string{"ttl is 1 (automatic). Fix: set ttl to 300"}},
		{name: "ttl an hour", policy: DNSARecordTTL, rs: []Resource{record("prod", map[string]any{"ttl": 3600})},
			want: []string{"ttl is 3600 seconds"}},
		{name: "ttl unset", policy: DNSARecordTTL, rs: []Resource{record("prod", map[string]any{"ttl": nil})},
			want: []string{"ttl is not set"}},
		{name: "configured ttl range", policy: DNSARecordTTL, rs: []Resource{record("prod", map[string]any{"ttl": 120})},
			cfg: map[string]any{"minTtl": 60, "maxTtl": 600}},
		{name: "outside configured range", policy: DNSARecordTTL, rs: []Resource{record("prod", map[string]any{"ttl": 30})},
			cfg: map[string]any{"minTtl": 60, "maxTtl": 600}, want: []string{"Fix: set ttl between 60 and 600 seconds"}},
		{name: "public address", policy: DNSARecordContent, rs: []Resource{record("prod", nil)}},
		{name: "private address outside prod", policy: DNSARecordContent, rs: []Resource{record("staging", map[string]any{"content": "10.0.0.5"})}},
		{name: "private address in prod", policy: DNSARecordContent, rs: []Resource{record("prod", map[string]any{"content": "10.0.0.5"})},
			want: []string{"content 10.0.0.5 is a private (RFC 1918) address, unreachable from the internet. Fix: use the node's public IPv4 address"}},
		{name: "CGNAT in prod", policy: DNSARecordContent, rs: []Resource{record("prod", map[string]any{"content": "100.64.1.1"})},
			want: []string{"carrier-grade NAT"}},
		{name: "not an address", policy: DNSARecordContent, rs: []Resource{record("dev", map[string]any{"content": "node-1"})},
			want: []string{`content "node-1" is not an IPv4 address`}},
		{name: "IPv6 in an A record", policy: DNSARecordContent, rs: []Resource{record("dev", map[string]any{"content": "2001:db8::1"})},
			want: []string{"IPv6 belongs in an AAAA record"}},
		{name: "unknown content", policy: DNSARecordContent, rs: []Resource{record("prod", map[string]any{"content": unknownOutput()})}},

		// Workers.
		{name: "observability on", policy: WorkerObservability, rs: []Resource{script(nil)}},
		{name: "observability unset", policy: WorkerObservability, rs: []Resource{script(map[string]any{"observability": nil})},
			want: []string{`cloudflare:index/workersScript:WorkersScript "silo": observability is not set. Fix: set observability: {enabled: true`}},
		{name: "observability off", policy: WorkerObservability, rs: []Resource{script(map[string]any{"observability.enabled": false})},
			want: []string{"observability.enabled is not true"}},
		{name: "observability unknown", policy: WorkerObservability, rs: []Resource{script(map[string]any{"observability": computed()})}},
		{name: "date set", policy: WorkerCompatibilityDate, rs: []Resource{script(nil)}},
		{name: "date unset", policy: WorkerCompatibilityDate, rs: []Resource{script(map[string]any{"compatibilityDate": nil})},
			want: []string{"compatibilityDate is not set"}},
		{name: "bad date", policy: WorkerCompatibilityDate, rs: []Resource{script(map[string]any{"compatibilityDate": "01/01/2025"})},
			want: []string{`compatibilityDate "01/01/2025" is not a date in the form YYYY-MM-DD`}},
		{name: "secret bindings", policy: WorkerSecretBindings, rs: []Resource{script(nil)}},
		{name: "secret as plain_text", policy: WorkerSecretBindings, rs: []Resource{script(map[string]any{"bindings": bindings(
			map[string]any{"name": "SLACK_TOKEN", "type": "plain_text", "text": "xoxb-1"})})},
			want: []string{`bindings[0] ("SLACK_TOKEN") has a secret-looking name but is a plain_text binding. Fix: bind it with type secret_text`}},
		{name: "secret_text in plaintext", policy: WorkerSecretBindings, rs: []Resource{script(map[string]any{"bindings": bindings(
			map[string]any{"name": "SERVICE", "type": "service", "service": "x"},
			map[string]any{"name": "DB_PASSWORD", "type": "secret_text", "text": "hunter2"})})},
			want: []string{`bindings[1] ("DB_PASSWORD") is a secret_text binding whose text is not a Pulumi secret`}},
		{name: "secret_key in plaintext", policy: WorkerSecretBindings, rs: []Resource{script(map[string]any{"bindings": bindings(
			map[string]any{"name": "SIGNING", "type": "secret_key", "format": "raw", "keyBase64": "AAAA"})})},
			want: []string{"secret_key binding whose keyBase64 is not a Pulumi secret"}},
		{name: "secret_text unknown", policy: WorkerSecretBindings, rs: []Resource{script(map[string]any{"bindings": bindings(
			map[string]any{"name": "API_TOKEN", "type": "secret_text", "text": computed()})})}},

		// Queues.
		{name: "one consumer per queue", policy: QueueSingleConsumer, rs: []Resource{embed, other,
			consumer("staging", "embed-consumer", map[string]any{"queueId": "new-content-qid"}, []string{embed.URN}, nil),
			consumer("staging", "events-consumer", map[string]any{"queueId": "events-qid"}, []string{other.URN}, nil)}},
		{name: "two consumers by property dependency", policy: QueueSingleConsumer, rs: []Resource{embed,
			consumer("staging", "a", map[string]any{"queueId": unknownOutput()}, []string{embed.URN}, nil),
			consumer("staging", "b", map[string]any{"queueId": unknownOutput()}, []string{embed.URN}, nil)},
			want: []string{`cloudflare:index/queue:Queue "new-content": the queue has 2 consumers: cloudflare:index/queueConsumer:QueueConsumer "a", cloudflare:index/queueConsumer:QueueConsumer "b". Fix: keep one QueueConsumer per queue`}},
		{name: "two consumers by queue ID", policy: QueueSingleConsumer, rs: []Resource{
			consumer("staging", "a", map[string]any{"queueId": "abc"}, nil, nil),
			consumer("staging", "b", map[string]any{"queueId": "abc"}, nil, nil)},
			want: []string{`queue "abc": the queue has 2 consumers`}},
		{name: "two consumers of another stack's queue", policy: QueueSingleConsumer, rs: []Resource{
			consumer("staging", "a", map[string]any{"queueId": "q-embed"}, nil, nil),
			consumer("staging", "b", map[string]any{"queueId": "q-embed"}, nil, nil),
			consumer("staging", "c", map[string]any{"queueId": "q-dlq"}, nil, nil)},
			want: []string{`queue "q-embed": the queue has 2 consumers: cloudflare:index/queueConsumer:QueueConsumer "a", cloudflare:index/queueConsumer:QueueConsumer "b"`}},
		{name: "unknown queue skipped", policy: QueueSingleConsumer, rs: []Resource{
			consumer("staging", "a", map[string]any{"queueId": computed()}, nil, nil),
			consumer("staging", "b", map[string]any{"queueId": computed()}, nil, nil)}},
		{name: "embedding consumer with DLQ", policy: QueueConsumerDLQ, rs: []Resource{embed, dlq,
			consumer("staging", "embed-consumer", map[string]any{"queueId": "new-content-qid", "deadLetterQueue": "staging-embed-dead-letter"}, nil, nil)}},
		{name: "embedding consumer without DLQ", policy: QueueConsumerDLQ, rs: []Resource{embed,
			consumer("staging", "embed-consumer", map[string]any{"queueId": "new-content-qid"}, nil, nil)},
			want: []string{`cloudflare:index/queueConsumer:QueueConsumer "embed-consumer": the consumer of queue "staging-new-content-constellation" has no dead-letter queue, so failed embedding jobs are dropped. Fix: set deadLetterQueue`}},
		{name: "DLQ is the queue", policy: QueueConsumerDLQ, rs: []Resource{embed,
			consumer("staging", "embed-consumer", map[string]any{"queueId": "new-content-qid", "deadLetterQueue": "staging-new-content-constellation"}, nil, nil)},
			want: []string{"uses the queue itself as its dead-letter queue"}},
		{name: "linked by dependencies", policy: QueueConsumerDLQ, rs: []Resource{embed, dlq,
			consumer("staging", "embed-consumer", map[string]any{"queueId": unknownOutput(), "deadLetterQueue": ""}, nil, []string{embed.URN})},
			want: []string{`the consumer of queue "staging-new-content-constellation" has no dead-letter queue`}},
		{name: "another stack's queue without DLQ", policy: QueueConsumerDLQ, rs: []Resource{
			consumer("staging", "new-content-constellation-consumer", map[string]any{"queueId": "q-embed"}, nil, nil)},
			want: []string{`the consumer of queue "new-content-constellation" has no dead-letter queue`}},
		{name: "another stack's queue with DLQ", policy: QueueConsumerDLQ, rs: []Resource{
			consumer("staging", "new-content-constellation-consumer", map[string]any{"queueId": "q-embed", "deadLetterQueue": "staging-embed-dead-letter"}, nil, nil),
			consumer("staging", "content-events-consumer", map[string]any{"queueId": "q-events"}, nil, nil)}},
		{name: "other queue needs no DLQ", policy: QueueConsumerDLQ, rs: []Resource{other,
			consumer("staging", "events-consumer", map[string]any{"queueId": "events-qid"}, nil, nil)}},
		{name: "configured suffix", policy: QueueConsumerDLQ, rs: []Resource{other,
			consumer("staging", "events-consumer", map[string]any{"queueId": "events-qid"}, nil, nil)},
			cfg: map[string]any{"queueSuffixes": []any{"-events"}}, want: []string{`queue "staging-events" has no dead-letter queue`}},
		{name: "unknown DLQ skipped", policy: QueueConsumerDLQ, rs: []Resource{embed,
			consumer("staging", "embed-consumer", map[string]any{"queueId": "new-content-qid", "deadLetterQueue": computed()}, nil, nil)}},

		// Data protection.
		{name: "protected prod data", policy: DataProtection, rs: []Resource{
			protected(res(TypeD1Database, "meta", "prod", map[string]any{"name": "prod-meta"}), nil),
			protected(res(TypeR2Bucket, "files", "prod", map[string]any{"name": "prod-files"}), ptr(true)),
			protected(res(TypeVectorizeIndex, "notes", "prod", map[string]any{"name": "prod-notes"}), ptr(true)),
			protected(topic("prod", nil), ptr(false)),
			protected(res(TypePubSubSubscription, "gmail-sub", "prod", map[string]any{"name": "prod-gmail-sub"}), nil)}},
		{name: "unprotected outside prod", policy: DataProtection, rs: []Resource{res(TypeD1Database, "meta", "staging", map[string]any{"name": "staging-meta"})}},
		{name: "unprotected D1 in prod", policy: DataProtection, rs: []Resource{res(TypeD1Database, "meta", "prod", map[string]any{"name": "prod-meta"})},
			want: []string{`cloudflare:index/d1Database:D1Database "meta": the resource is not protected; a prod ` + "`pulumi up`" + ` could delete it. Fix: add pulumi.Protect(true)`}},
		{name: "topic without termination protection", policy: DataProtection, rs: []Resource{protected(topic("prod", map[string]any{"terminationProtection": false}), nil)},
			want: []string{"terminationProtection is not enabled. Fix: set terminationProtection: true"}},
		{name: "R2 without retainOnDelete", policy: DataProtection, rs: []Resource{protected(res(TypeR2Bucket, "files", "prod", map[string]any{"name": "prod-files"}), ptr(false))},
			want: []string{"retainOnDelete is not set"}},
		{name: "retainOnDelete not required", policy: DataProtection, rs: []Resource{protected(res(TypeR2Bucket, "files", "prod", map[string]any{"name": "prod-files"}), ptr(false))},
			cfg: map[string]any{"requireRetainOnDelete": false}},
		{name: "unprotected subscription", policy: DataProtection, rs: []Resource{res(TypePubSubSubscription, "gmail-sub", "prod", map[string]any{"name": "gmail-sub"})},
			want: []string{"not protected"}},
		{name: "queue is not data-bearing", policy: DataProtection, rs: []Resource{queue("prod", "events", "prod-events")}},

		// Pub/Sub.
		{name: "https push", policy: PubSubPushHTTPS, rs: []Resource{
			res(TypePubSubSubscription, "sub", "prod", map[string]any{"pushConfig": map[string]any{"pushEndpoint": "https://api.clustera.io/gmail"}}),
			res(TypePubSubSubscription, "pull", "prod", map[string]any{"topic": "t"})}},
		{name: "http push", policy: PubSubPushHTTPS, rs: []Resource{res(TypePubSubSubscription, "sub", "prod", map[string]any{"pushConfig": map[string]any{"pushEndpoint": "http://api.clustera.io/gmail"}})},
			want: []string{`gcp:pubsub/subscription:Subscription "sub": pushConfig.pushEndpoint "http://api.clustera.io/gmail" is not an https URL. Fix: use an https:// URL`}},
		{name: "gmail push member", policy: GmailTopicIAM, rs: []Resource{
			res(TypeTopicIAMMember, "push", "prod", map[string]any{"topic": "prod-integration-gmail-webhook", "role": GmailPushRole, "member": GmailPushMember}),
			res(TypeTopicIAMMember, "other", "prod", map[string]any{"topic": "prod-events", "role": "roles/pubsub.admin", "member": "user:a@b.c"}),
			res(TypeTopicIAMMember, "unknown", "prod", map[string]any{"topic": unknownOutput(), "role": "roles/pubsub.admin", "member": "user:a@b.c"})}},
		{name: "other member", policy: GmailTopicIAM, rs: []Resource{res(TypeTopicIAMMember, "x", "prod", map[string]any{"topic": "projects/p/topics/prod-integration-gmail-webhook", "role": GmailPushRole, "member": "allUsers"})},
			want: []string{`member "allUsers" is granted access to the Gmail topic "projects/p/topics/prod-integration-gmail-webhook". Fix: grant only serviceAccount:gmail-api-push@system.gserviceaccount.com roles/pubsub.publisher`}},
		{name: "other role", policy: GmailTopicIAM, rs: []Resource{res(TypeTopicIAMMember, "x", "prod", map[string]any{"topic": "prod-gmail", "role": "roles/pubsub.editor", "member": GmailPushMember})},
			want: []string{`role "roles/pubsub.editor" is granted`}},
		{name: "authoritative binding", policy: GmailTopicIAM, rs: []Resource{res(TypeTopicIAMBinding, "x", "prod", map[string]any{"topic": "prod-Gmail", "role": GmailPushRole, "members": []any{GmailPushMember}})},
			want: []string{"TopicIAMBinding on the Gmail topic"}},
		{name: "authoritative policy", policy: GmailTopicIAM, rs: []Resource{res(TypeTopicIAMPolicy, "x", "prod", map[string]any{"topic": "prod-gmail", "policyData": "{}"})},
			want: []string{"replaces the topic's whole IAM policy"}},

		// Tags.
		{name: "tagged", policy: RequiredTags, rs: []Resource{topic("staging", nil), record("staging", nil),
			res(TypePubSubTopic, "t", "staging", map[string]any{"labels": gcpLabels}),
			res(TypeD1Database, "untaggable", "staging", nil)}},
		{name: "topic without tags", policy: RequiredTags, rs: []Resource{topic("staging", map[string]any{"tags": nil})},
			want: []string{`aiven:index/kafkaTopic:KafkaTopic "runtime": tags lack env, project, managed-by. Fix: add tags`}},
		{name: "wrong env label", policy: RequiredTags, rs: []Resource{res(TypePubSubSubscription, "s", "staging", map[string]any{"labels": with(gcpLabels, map[string]any{"env": "dev"})})},
			want: []string{`labels env is "dev", expected "staging"`}},
		{name: "record without managed-by", policy: RequiredTags, rs: []Resource{record("prod", map[string]any{"tags": []any{"env:prod", "project:proj"}})},
			want: []string{"tags lack managed-by. Fix: set tags to tags.For(ctx).Cloudflare()"}},
		{name: "unknown labels", policy: RequiredTags, rs: []Resource{res(TypePubSubTopic, "t", "staging", map[string]any{"labels": computed()})}},

		// Secrets.
		{name: "secret inputs", policy: NoPlaintextSecretInputs, rs: []Resource{
			res("pulumi:providers:cloudflare", "default", "prod", map[string]any{"apiToken": secret("t"), "version": "6.18.0"}),
			topic("prod", nil), script(nil)}},
		{name: "plaintext provider token", policy: NoPlaintextSecretInputs, rs: []Resource{res("pulumi:providers:cloudflare", "default", "prod", map[string]any{"apiToken": "t"})},
			want: []string{`pulumi:providers:cloudflare "default": input apiToken looks like a secret but is stored in plaintext. Fix: pass the value as a Pulumi secret`}},
		{name: "nested plaintext", policy: NoPlaintextSecretInputs, rs: []Resource{res(TypePubSubSubscription, "s", "prod", map[string]any{"pushConfig": map[string]any{"attributes": map[string]any{"clientSecret": "x"}}})},
			want: []string{"input pushConfig.attributes.clientSecret looks like a secret"}},
		{name: "ignored path", policy: NoPlaintextSecretInputs, rs: []Resource{res(TypePubSubSubscription, "s", "prod", map[string]any{"pushConfig": map[string]any{"attributes": map[string]any{"clientSecret": "x"}}})},
			cfg: map[string]any{"ignore": []any{TypePubSubSubscription + ":pushConfig.attributes.clientSecret"}}},
		{name: "encrypted config", policy: NoPlaintextSecretConfig, rs: []Resource{stackRes("prod", nil, []ConfigEntry{{Key: "cloudflare:apiToken", Secret: true}, {Key: "dns:zoneName"}})}},
		{name: "plaintext config", policy: NoPlaintextSecretConfig, rs: []Resource{stackRes("prod", nil, []ConfigEntry{{Key: "cloudflare:apiToken"}, {Key: "dns:zoneName"}})},
			want: []string{`stack "prod" of project "proj": configuration key "cloudflare:apiToken" looks like a secret but its value is stored in plaintext in Pulumi.prod.yaml. Fix: run ` + "`pulumi config set --secret cloudflare:apiToken <value> --stack prod`"}},
		{name: "secret outputs", policy: SecretOutputs, rs: []Resource{stackRes("prod", map[string]any{"apiToken": secret("t"), "queueIds": map[string]any{"events": "q1"}, "pending": computed()}, nil)}},
		{name: "plaintext output", policy: SecretOutputs, rs: []Resource{stackRes("prod", map[string]any{"writerCredentials": map[string]any{"password": "p"}, "zoneId": "z"}, nil), topic("prod", nil)},
			want: []string{`stack "prod" of project "proj": outputs writerCredentials.password look like credentials but are not secrets. Fix: export them with pulumi.ToSecret`}},
	}
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases() {
		t.Run(tc.policy+"/"+tc.name, func(t *testing.T) {
			vs := check(t, tc.policy, tc.rs, tc.cfg)
			if len(vs) != len(tc.want) {
				t.Fatalf("got %d violations, want %d:\n%s", len(vs), len(tc.want), render(vs))
			}
			for i, v := range vs {
				if v.Policy != tc.policy {
					t.Errorf("violation %d has policy %q, want %q", i, v.Policy, tc.policy)
				}
				if !strings.Contains(v.Message(), tc.want[i]) {
					t.Errorf("violation %d:\n got: %s\nwant substring: %s", i, v.Message(), tc.want[i])
				}
				if v.URN == "" || v.Resource == "" || v.Fix == "" {
					t.Errorf("violation %d lacks the URN, resource or fix: %#v", i, v)
				}
			}
		})
	}
}

// TestEveryPolicyHasCases makes sure each policy is tested both ways.
func TestEveryPolicyHasCases(t *testing.T) {
	pass, fail := map[string]int{}, map[string]int{}
	for _, tc := range ruleCases() {
		if len(tc.want) == 0 {
			pass[tc.policy]++
		} else {
			fail[tc.policy]++
		}
	}
	for _, n := range Names() {
		if pass[n] == 0 || fail[n] == 0 {
			t.Errorf("policy %s has %d passing and %d violating cases; it needs both", n, pass[n], fail[n])
		}
	}
}

func render(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}

func TestLooksSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"apiToken": true, "API_TOKEN": true, "DB_PASSWORD": true, "clientSecret": true, "gcp:credentials": true,
		"privateKey": true, "APIKey": true, "apikey": true, "secret": true, "cloudflare:apiKey": true, "passphrase": true,
		"keyId": false, "secretName": false, "publicKey": false, "key": false, "tokenType": false, "zoneId": false,
		"keepBindings": false, "dns:zoneName": false, "monkey": false,
	} {
		if got := LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLookupUnwraps(t *testing.T) {
	m := resource.PropertyMap{
		"a": secret(map[string]any{"b": "x"}),
		"o": resource.NewOutputProperty(resource.Output{Known: true, Element: resource.NewStringProperty("y"), Secret: true}),
		"u": unknownOutput(),
		"c": computed(),
	}
	if v := Lookup(m, "a", "b"); !v.Secret || !v.Known() {
		t.Errorf("a.b = %+v, want a known secret", v)
	}
	if s, ok := Lookup(m, "o").Str(); !ok || s != "y" || !Lookup(m, "o").Secret {
		t.Errorf("o = %q %v, want the known secret output y", s, ok)
	}
	for _, k := range []string{"u", "c"} {
		if v := Lookup(m, k, "deeper"); !v.Unknown || v.Known() {
			t.Errorf("%s.deeper = %+v, want unknown", k, v)
		}
	}
	if v := Lookup(m, "missing"); !v.Absent || v.Unknown {
		t.Errorf("missing = %+v, want absent", v)
	}
	if v := Lookup(m, "a", "missing"); !v.Absent {
		t.Errorf("a.missing = %+v, want absent", v)
	}
}

func TestEvaluate(t *testing.T) {
	rs := []Resource{topic("staging", map[string]any{"replication": 1, "topicName": "runtime"})}
	vs, err := Evaluate(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, v := range vs {
		got[v.Policy] = true
	}
	if len(vs) != 3 || !got[KafkaTopicReplication] || !got[KafkaTopicNamePrefix] || !got[KafkaTopicMinInsyncReplicas] {
		t.Errorf("Evaluate found:\n%s want the name prefix, replication and min ISR violations", render(vs))
	}
	if _, err := Evaluate(rs, map[string]map[string]any{"kafka-topic-replicaton": {}}); err == nil || !strings.Contains(err.Error(), `unknown policy "kafka-topic-replicaton"`) {
		t.Errorf("unknown policy config: err = %v", err)
	}
	if _, err := Evaluate(rs, map[string]map[string]any{KafkaTopicReplication: {"minReplicas": 2}}); err == nil || !strings.Contains(err.Error(), `has no property "minReplicas"`) {
		t.Errorf("unknown property: err = %v", err)
	}
	if _, err := Evaluate(rs, map[string]map[string]any{KafkaTopicReplication: {"minReplication": "2"}}); err == nil || !strings.Contains(err.Error(), "must be of type integer") {
		t.Errorf("mistyped property: err = %v", err)
	}
}

// TestEvaluateStackPoliciesSeeOutputs checks that stack policies get the
// outputs when a resource has them (offline runs).
func TestEvaluateStackPoliciesSeeOutputs(t *testing.T) {
	st := res(StackType, "proj-dev", "dev", nil)
	st.Outputs = resource.NewPropertyMapFromMap(map[string]any{"apiToken": "plain"})
	vs, err := Evaluate([]Resource{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Policy != SecretOutputs {
		t.Errorf("got:\n%s want one secret-outputs violation", render(vs))
	}
}

func TestPolicyNamesAndSchemas(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.Name] {
			t.Errorf("duplicate policy %s", p.Name)
		}
		seen[p.Name] = true
		if (p.Resource == nil) == (p.Stack == nil) {
			t.Errorf("policy %s must have exactly one of Resource and Stack", p.Name)
		}
		if p.Description == "" {
			t.Errorf("policy %s has no description", p.Name)
		}
		for k, prop := range p.Properties {
			if k == "enforcementLevel" {
				t.Errorf("policy %s declares the reserved property enforcementLevel", p.Name)
			}
			if !typeMatches(prop.Type, prop.Default) {
				t.Errorf("policy %s property %s: default %#v is not of type %s", p.Name, k, prop.Default, prop.Type)
			}
		}
	}
	if len(seen) < 21 {
		t.Errorf("only %d policies", len(seen))
	}
}

func TestConsumedQueue(t *testing.T) {
	embed := queue("staging", "new-content", "staging-new-content-constellation")
	dlq := queue("staging", "embed-dlq", "staging-embed-dead-letter")
	queues := []Resource{embed, dlq}
	for _, tc := range []struct {
		name string
		c    Resource
		want string // logical name of the queue, "" for none
	}{
		{"property dependency", consumer("staging", "c", map[string]any{"queueId": unknownOutput()}, []string{embed.URN}, []string{dlq.URN, embed.URN}), "new-content"},
		{"queue ID", consumer("staging", "c", map[string]any{"queueId": "embed-dlq-qid"}, nil, nil), "embed-dlq"},
		{"dependencies minus the DLQ", consumer("staging", "c", map[string]any{"queueId": unknownOutput(), "deadLetterQueue": "staging-embed-dead-letter"}, nil, []string{dlq.URN, embed.URN}), "new-content"},
		{"ambiguous dependencies", consumer("staging", "c", map[string]any{"queueId": unknownOutput()}, nil, []string{dlq.URN, embed.URN}), ""},
		{"nothing to go by", consumer("staging", "c", map[string]any{"queueId": computed()}, nil, nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, ok := ConsumedQueue(tc.c, queues)
			if got := map[bool]string{true: q.Name}[ok]; got != tc.want {
				t.Errorf("ConsumedQueue = %q (%v), want %q", q.Name, ok, tc.want)
			}
		})
	}
}
