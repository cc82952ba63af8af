package sandbox

import (
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestDiffRules(t *testing.T) {
	h := newHarness(t)
	d1 := map[string]any{"accountId": acc, "name": "local-meta", "uuid": "u-1", "createdAt": "t"}
	r2 := map[string]any{"accountId": acc, "name": "local-raw", "location": "ENAM", "jurisdiction": "default", "storageClass": "Standard"}
	queue := map[string]any{"accountId": acc, "queueName": "local-events", "settings": map[string]any{"deliveryDelay": 0}}
	dns := map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 300, "proxied": false}
	kafka := map[string]any{"project": "p", "serviceName": "s", "topicName": "t", "partitions": 3, "replication": 2, "config": map[string]any{"retentionMs": "1000"}}
	topic := map[string]any{"name": "t", "project": "proj", "labels": map[string]any{"env": "local"}}
	sub := map[string]any{"name": "s", "project": "proj", "topic": "projects/proj/topics/t", "ackDeadlineSeconds": 10}
	iam := map[string]any{"topic": "t", "project": "proj", "role": "roles/pubsub.publisher", "member": "user:a@b.c"}
	script := map[string]any{"accountId": acc, "scriptName": "w", "content": "v1", "bindings": []any{}}
	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(out, kv[i].(string))
			} else {
				out[kv[i].(string)] = kv[i+1]
			}
		}
		return out
	}
	cases := []struct {
		name           string
		typ            string
		olds, news     map[string]any
		diffs, replace []string
	}{
		{"d1 same", D1DatabaseType, d1, with(d1, "uuid", nil, "createdAt", nil), nil, nil},
		{"d1 rename replaces", D1DatabaseType, d1, with(d1, "name", "local-meta2"), []string{"name"}, []string{"name"}},
		{"d1 read replication updates", D1DatabaseType, d1, with(d1, "readReplication", map[string]any{"mode": "auto"}), []string{"readReplication"}, nil},
		{"r2 location is kept", R2BucketType, r2, with(r2, "location", "WEUR"), nil, nil},
		{"r2 jurisdiction updates", R2BucketType, r2, with(r2, "jurisdiction", "eu"), []string{"jurisdiction"}, nil},
		{"r2 storage class updates", R2BucketType, r2, with(r2, "storageClass", "InfrequentAccess"), []string{"storageClass"}, nil},
		{"r2 computed location absent", R2BucketType, r2, with(r2, "location", nil, "jurisdiction", nil, "storageClass", nil), nil, nil},
		{"queue rename updates", QueueType, queue, with(queue, "queueName", "local-events2"), []string{"queueName"}, nil},
		{"queue account replaces", QueueType, queue, with(queue, "accountId", "10ca1000000000000000000000000009"), []string{"accountId"}, []string{"accountId"}},
		{"dns ttl content proxied update", DNSRecordType, dns, with(dns, "ttl", 600, "content", "203.0.113.2", "proxied", true), []string{"content", "proxied", "ttl"}, nil},
		{"dns zone replaces", DNSRecordType, dns, with(dns, "zoneId", "10ca1000000000000000000000000009"), []string{"zoneId"}, []string{"zoneId"}},
		{"dns comment removed", DNSRecordType, with(dns, "comment", "x"), dns, []string{"comment"}, nil},
		{"kafka partitions increase", KafkaTopicType, kafka, with(kafka, "partitions", 6), []string{"partitions"}, nil},
		{"kafka config updates", KafkaTopicType, kafka, with(kafka, "config", map[string]any{"retentionMs": "2000"}), []string{"config"}, nil},
		{"kafka rename replaces", KafkaTopicType, kafka, with(kafka, "topicName", "t2"), []string{"topicName"}, []string{"topicName"}},
		{"kafka service replaces", KafkaTopicType, kafka, with(kafka, "serviceName", "s2"), []string{"serviceName"}, []string{"serviceName"}},
		{"topic rename replaces", PubSubTopicType, topic, with(topic, "name", "t2"), []string{"name"}, []string{"name"}},
		{"topic labels update", PubSubTopicType, topic, with(topic, "labels", map[string]any{"env": "dev"}), []string{"labels"}, nil},
		{"subscription ack updates", PubSubSubscriptionType, sub, with(sub, "ackDeadlineSeconds", 30), []string{"ackDeadlineSeconds"}, nil},
		{"subscription push updates", PubSubSubscriptionType, sub, with(sub, "pushConfig", map[string]any{"pushEndpoint": "https://h.test/"}), []string{"pushConfig"}, nil},
		{"subscription topic replaces", PubSubSubscriptionType, sub, with(sub, "topic", "projects/proj/topics/t2"), []string{"topic"}, []string{"topic"}},
		{"subscription filter replaces", PubSubSubscriptionType, sub, with(sub, "filter", "attributes.x = \"1\""), []string{"filter"}, []string{"filter"}},
		{"iam member replaces", PubSubTopicIAMMemberType, iam, with(iam, "member", "user:b@b.c"), []string{"member"}, []string{"member"}},
		{"script content updates", WorkersScriptType, script, with(script, "content", "v2"), []string{"content"}, nil},
		{"script rename replaces", WorkersScriptType, script, with(script, "scriptName", "w2"), []string{"scriptName"}, []string{"scriptName"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := h.diff(c.typ, pm(c.olds), pm(c.news))
			if err != nil {
				t.Fatal(err)
			}
			diffs, replaces := resp.GetDiffs(), resp.GetReplaces()
			sort.Strings(replaces)
			if !reflect.DeepEqual(diffs, c.diffs) || !reflect.DeepEqual(replaces, c.replace) {
				t.Fatalf("diffs %v replaces %v, want diffs %v replaces %v", diffs, replaces, c.diffs, c.replace)
			}
			wantChanges := pulumirpc.DiffResponse_DIFF_NONE
			if len(c.diffs) > 0 {
				wantChanges = pulumirpc.DiffResponse_DIFF_SOME
			}
			if resp.GetChanges() != wantChanges {
				t.Fatalf("changes = %v, want %v", resp.GetChanges(), wantChanges)
			}
		})
	}
}

func TestDiffPartitionDecreaseFails(t *testing.T) {
	h := newHarness(t)
	olds := pm(map[string]any{"project": "p", "serviceName": "s", "topicName": "t", "partitions": 6, "replication": 2})
	news := pm(map[string]any{"project": "p", "serviceName": "s", "topicName": "t", "partitions": 3, "replication": 2})
	_, err := h.diff(KafkaTopicType, olds, news)
	wantErr(t, err, "cannot be decreased from 6 to 3")
}

func TestDiffIgnoresSecretWrapping(t *testing.T) {
	h := newHarness(t)
	b := func(text resource.PropertyValue) resource.PropertyMap {
		return resource.PropertyMap{
			"accountId": resource.NewStringProperty(acc), "scriptName": resource.NewStringProperty("w"), "content": resource.NewStringProperty("c"),
			"bindings": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
				"type": resource.NewStringProperty("secret_text"), "name": resource.NewStringProperty("T"), "text": text,
			})}),
		}
	}
	resp, err := h.diff(WorkersScriptType, b(resource.NewStringProperty("s")), b(resource.MakeSecret(resource.NewStringProperty("s"))))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDiffs()) != 0 {
		t.Fatalf("diffs = %v, want none", resp.GetDiffs())
	}
	resp, err = h.diff(WorkersScriptType, b(resource.MakeSecret(resource.NewStringProperty("s"))), b(resource.MakeSecret(resource.NewStringProperty("t"))))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resp.GetDiffs(), []string{"bindings"}) {
		t.Fatalf("diffs = %v, want bindings", resp.GetDiffs())
	}
}
