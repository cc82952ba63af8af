package sandbox

import (
	"strings"
	"testing"
)

func TestCheckRules(t *testing.T) {
	h := newHarness(t)
	script := func(bindings ...any) map[string]any {
		return map[string]any{"accountId": acc, "scriptName": "local-api", "content": "export default {}", "mainModule": "index.js", "bindings": bindings}
	}
	topic := func(extra map[string]any) map[string]any {
		m := map[string]any{"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "local-runtime", "partitions": 3, "replication": 2}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	sub := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "local-sub", "topic": "projects/proj/topics/local-topic"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name  string
		typ   string
		props map[string]any
		prop  string // "" = valid
		text  string
	}{
		{"d1 valid", D1DatabaseType, map[string]any{"accountId": acc, "name": "local-dome-meta"}, "", ""},
		{"d1 bad name", D1DatabaseType, map[string]any{"accountId": acc, "name": "Dome Meta"}, "name", "invalid"},
		{"d1 missing name", D1DatabaseType, map[string]any{"accountId": acc}, "name", "required"},
		{"d1 bad account", D1DatabaseType, map[string]any{"accountId": "acc-1", "name": "x"}, "accountId", "7003"},
		{"d1 bad hint", D1DatabaseType, map[string]any{"accountId": acc, "name": "x", "primaryLocationHint": "mars"}, "primaryLocationHint", "one of"},
		{"unknown property", D1DatabaseType, map[string]any{"accountId": acc, "name": "x", "nmae": "y"}, "nmae", "unknown property"},
		{"r2 valid", R2BucketType, map[string]any{"accountId": acc, "name": "local-dome-raw", "location": "weur"}, "", ""},
		{"r2 short name", R2BucketType, map[string]any{"accountId": acc, "name": "ab"}, "name", "3 to 63"},
		{"r2 bad location", R2BucketType, map[string]any{"accountId": acc, "name": "abc", "location": "mars"}, "location", "one of"},
		{"queue bad name", QueueType, map[string]any{"accountId": acc, "queueName": "Dome_Events"}, "queueName", "invalid"},
		{"queue bad retention", QueueType, map[string]any{"accountId": acc, "queueName": "q", "settings": map[string]any{"messageRetentionPeriod": 10}}, "settings.messageRetentionPeriod", "range"},
		{"consumer worker needs script", QueueConsumerType, map[string]any{"accountId": acc, "queueId": "q", "type": "worker"}, "scriptName", "required when type"},
		{"consumer bad type", QueueConsumerType, map[string]any{"accountId": acc, "queueId": "q", "type": "push"}, "type", "one of"},
		{"consumer bad batch", QueueConsumerType, map[string]any{"accountId": acc, "queueId": "q", "type": "worker", "scriptName": "s", "settings": map[string]any{"batchSize": 500}}, "settings.batchSize", "range"},
		{"notification bad action", R2BucketEventNotificationType, map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": "q", "rules": []any{map[string]any{"actions": []any{"Upload"}}}}, "rules[0].actions[0]", "expected an action"},
		{"script valid", WorkersScriptType, script(map[string]any{"type": "d1", "name": "DB", "id": "x"}, map[string]any{"type": "queue", "name": "Q", "queueName": "q"}), "", ""},
		{"script unknown binding", WorkersScriptType, script(map[string]any{"type": "kv", "name": "KV"}), "bindings[0].type", "unknown binding type"},
		{"script d1 without id", WorkersScriptType, script(map[string]any{"type": "d1", "name": "DB"}), "bindings[0].id", "requires id"},
		{"script r2 without bucket", WorkersScriptType, script(map[string]any{"type": "r2_bucket", "name": "B"}), "bindings[0].bucketName", "requires bucketName"},
		{"script duplicate binding", WorkersScriptType, script(map[string]any{"type": "ai", "name": "AI"}, map[string]any{"type": "browser", "name": "AI"}), "bindings[1].name", "used twice"},
		{"script bad binding name", WorkersScriptType, script(map[string]any{"type": "ai", "name": "my-ai"}), "bindings[0].name", "JavaScript identifier"},
		{"script without content", WorkersScriptType, map[string]any{"accountId": acc, "scriptName": "s"}, "content", "content or contentFile"},
		{"cron valid", WorkersCronTriggerType, map[string]any{"accountId": acc, "scriptName": "s", "schedules": []any{map[string]any{"cron": "*/5 * * * *"}}}, "", ""},
		{"cron four fields", WorkersCronTriggerType, map[string]any{"accountId": acc, "scriptName": "s", "schedules": []any{map[string]any{"cron": "*/5 * * *"}}}, "schedules[0].cron", "invalid cron"},
		{"cron descriptor", WorkersCronTriggerType, map[string]any{"accountId": acc, "scriptName": "s", "schedules": []any{map[string]any{"cron": "@every 5m"}}}, "schedules[0].cron", "invalid cron"},
		{"dns valid", DNSRecordType, map[string]any{"zoneId": zone, "name": "node1.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 300}, "", ""},
		{"dns auto ttl", DNSRecordType, map[string]any{"zoneId": zone, "name": "@", "type": "A", "content": "203.0.113.1", "ttl": 1}, "", ""},
		{"dns ttl too low", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "A", "content": "203.0.113.1", "ttl": 30}, "ttl", "Invalid TTL"},
		{"dns ttl too high", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "A", "content": "203.0.113.1", "ttl": 90000}, "ttl", "Invalid TTL"},
		{"dns A not ipv4", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "A", "content": "2001:db8::1", "ttl": 300}, "content", "IPv4"},
		{"dns A garbage", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "A", "content": "node1", "ttl": 300}, "content", "IPv4"},
		{"dns TXT proxied", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "TXT", "content": "v=spf1", "ttl": 300, "proxied": true}, "proxied", "cannot be proxied"},
		{"dns missing ttl", DNSRecordType, map[string]any{"zoneId": zone, "name": "n", "type": "A", "content": "203.0.113.1"}, "ttl", "required"},
		{"kafka valid", KafkaTopicType, topic(map[string]any{"config": map[string]any{"retentionMs": "604800000", "retentionBytes": "-1", "cleanupPolicy": "compact,delete", "compressionType": "snappy", "minInsyncReplicas": "2"}, "tags": []any{map[string]any{"key": "env", "value": "local"}}}), "", ""},
		{"kafka zero partitions", KafkaTopicType, topic(map[string]any{"partitions": 0}), "partitions", "range"},
		{"kafka replication 1", KafkaTopicType, topic(map[string]any{"replication": 1}), "", ""}, // the schema's minimum; the team's is a policy
		{"kafka replication 0", KafkaTopicType, topic(map[string]any{"replication": 0}), "replication", "range"},
		{"kafka partitions above the schema", KafkaTopicType, topic(map[string]any{"partitions": 1000001}), "partitions", "range"},
		{"kafka bad topic name", KafkaTopicType, topic(map[string]any{"topicName": "local runtime"}), "topicName", "invalid"},
		{"kafka non-numeric retention", KafkaTopicType, topic(map[string]any{"config": map[string]any{"retentionMs": "7d"}}), "config.retentionMs", "integer string"},
		{"kafka numeric value", KafkaTopicType, topic(map[string]any{"config": map[string]any{"retentionMs": 5}}), "config.retentionMs", "must be a string"},
		{"kafka bad cleanup", KafkaTopicType, topic(map[string]any{"config": map[string]any{"cleanupPolicy": "never"}}), "config.cleanupPolicy", "one of"},
		{"kafka unknown config", KafkaTopicType, topic(map[string]any{"config": map[string]any{"retentionDays": "7"}}), "config.retentionDays", "unknown topic config"},
		{"kafka min insync zero", KafkaTopicType, topic(map[string]any{"config": map[string]any{"minInsyncReplicas": "0"}}), "config.minInsyncReplicas", "at least 1"},
		{"pubsub topic valid", PubSubTopicType, map[string]any{"name": "local-gmail", "labels": map[string]any{"env": "local"}}, "", ""},
		{"pubsub topic goog", PubSubTopicType, map[string]any{"name": "goog-topic"}, "name", "goog"},
		{"pubsub topic bad label", PubSubTopicType, map[string]any{"name": "t-1", "labels": map[string]any{"Env": "x"}}, "labels", "label key"},
		{"pubsub topic bad retention", PubSubTopicType, map[string]any{"name": "t-1", "messageRetentionDuration": "60s"}, "messageRetentionDuration", "between"},
		{"subscription valid push", PubSubSubscriptionType, sub(map[string]any{"pushConfig": map[string]any{"pushEndpoint": "https://hooks.clustera.test/gmail", "attributes": map[string]any{"x-goog-version": "v1"}}}), "", ""},
		{"subscription http push", PubSubSubscriptionType, sub(map[string]any{"pushConfig": map[string]any{"pushEndpoint": "http://hooks.clustera.test/gmail"}}), "pushConfig.pushEndpoint", "https"},
		{"subscription push attribute", PubSubSubscriptionType, sub(map[string]any{"pushConfig": map[string]any{"pushEndpoint": "https://h.test/", "attributes": map[string]any{"x-custom": "1"}}}), "pushConfig.attributes", "x-goog-version"},
		{"subscription ack deadline", PubSubSubscriptionType, sub(map[string]any{"ackDeadlineSeconds": 5}), "ackDeadlineSeconds", "between 10 and 600"},
		{"subscription dead letter attempts", PubSubSubscriptionType, sub(map[string]any{"deadLetterPolicy": map[string]any{"deadLetterTopic": "projects/proj/topics/dlq", "maxDeliveryAttempts": 3}}), "deadLetterPolicy.maxDeliveryAttempts", "between 5 and 100"},
		{"subscription exactly once push", PubSubSubscriptionType, sub(map[string]any{"enableExactlyOnceDelivery": true, "pushConfig": map[string]any{"pushEndpoint": "https://h.test/"}}), "enableExactlyOnceDelivery", "pull"},
		{"iam valid", PubSubTopicIAMMemberType, map[string]any{"topic": "t", "role": "roles/pubsub.publisher", "member": "serviceAccount:gmail-api-push@system.gserviceaccount.com"}, "", ""},
		{"iam bad member", PubSubTopicIAMMemberType, map[string]any{"topic": "t", "role": "roles/pubsub.publisher", "member": "gmail-api-push"}, "member", "member"},
		{"iam bad role", PubSubTopicIAMMemberType, map[string]any{"topic": "t", "role": "pubsub.publisher", "member": "user:a@b.c"}, "role", "roles/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, failures := h.check(c.typ, "x", pm(c.props))
			if c.prop == "" {
				if len(failures) > 0 {
					t.Fatalf("valid inputs failed: %v", failures)
				}
				return
			}
			for _, f := range failures {
				if f.GetProperty() == c.prop && strings.Contains(f.GetReason(), c.text) {
					return
				}
			}
			t.Fatalf("failures = %v, want one on %q containing %q", failures, c.prop, c.text)
		})
	}
}

func TestCheckUnknownType(t *testing.T) {
	h := newHarness(t)
	_, failures := h.check("cloudflare:index/workersKvNamespace:WorkersKvNamespace", "kv", pm(map[string]any{}))
	if len(failures) != 1 || !strings.Contains(failures[0].GetReason(), "sandbox does not model cloudflare:index/workersKvNamespace:WorkersKvNamespace") {
		t.Fatalf("failures = %v", failures)
	}
}

func TestCheckDefaults(t *testing.T) {
	h := newHarness(t)
	news, failures := h.check(PubSubTopicType, "gmail", pm(map[string]any{}))
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	name, _ := pstr(news, "name")
	if p, _ := pstr(news, "project"); p != "proj" {
		t.Errorf("project = %q, want the provider's gcp:project", p)
	}
	if !strings.HasPrefix(name, "gmail-") || len(name) != len("gmail-")+7 {
		t.Errorf("autoname = %q, want gmail-<7 hex>", name)
	}
	// An update keeps the earlier autoname.
	resp, err := h.prov(PubSubTopicType).Check(t.Context(), checkReq(t, PubSubTopicType, "gmail", pm(map[string]any{"project": "proj"}), pm(map[string]any{"name": "gmail-abcdef1", "project": "proj"})))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := pstr(unmarshal(t, resp.GetInputs()), "name"); n != "gmail-abcdef1" {
		t.Errorf("name on update = %q, want the old autoname", n)
	}
	// Without gcp:project the project is required.
	bare := newProvider("gcp", GCPVersion, h.cloud)
	resp, err = bare.Check(t.Context(), checkReq(t, PubSubTopicType, "gmail", pm(map[string]any{"name": "local-t"}), nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "project" {
		t.Fatalf("failures without a project = %v", resp.GetFailures())
	}
}
