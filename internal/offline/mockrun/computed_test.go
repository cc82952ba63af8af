package mockrun

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const (
	acc  = "10ca1000000000000000000000000001"
	zone = "10ca1000000000000000000000000002"
	proj = "clustera-control-plane"
)

// volatile are computed properties whose values are random or time stamps
// in the sandbox; only their presence is compared.
var volatile = map[string]bool{
	"uuid": true, "queueId": true, "consumerId": true, "etag": true,
	"createdAt": true, "createdOn": true, "modifiedOn": true, "creationDate": true,
}

// TestComputedOutputsMatchTheSandbox creates one object of every modeled
// type in a sandbox cloud and checks that the computer adds, for the same
// inputs, exactly the properties the sandbox adds, with the same values
// (apart from random IDs and time stamps).
func TestComputedOutputsMatchTheSandbox(t *testing.T) {
	cloud := sandbox.OpenCloud(t.TempDir())
	c := newComputer(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nil)
	put := func(typ string, inputs map[string]any) sandbox.Object {
		t.Helper()
		o, err := cloud.Put(typ, inputs)
		if err != nil {
			t.Fatalf("sandbox: %s: %v", typ, err)
		}
		return o
	}
	q := put(sandbox.QueueType, map[string]any{"accountId": acc, "queueName": "local-jobs"})
	c.queueNames[q.ID] = "local-jobs"
	put(sandbox.R2BucketType, map[string]any{"accountId": acc, "name": "local-raw"})
	put(sandbox.WorkersScriptType, map[string]any{"accountId": acc, "scriptName": "local-api", "mainModule": "index.js", "content": "export default {}", "compatibilityDate": "2026-01-01"})
	put(sandbox.PubSubTopicType, map[string]any{"project": proj, "name": "local-gmail", "labels": map[string]any{"env": "local"}})
	cases := []struct {
		typ    string
		inputs map[string]any
	}{
		{sandbox.D1DatabaseType, map[string]any{"accountId": acc, "name": "local-meta"}},
		{sandbox.R2BucketType, map[string]any{"accountId": acc, "name": "local-content"}},
		{sandbox.QueueType, map[string]any{"accountId": acc, "queueName": "local-events"}},
		{sandbox.QueueConsumerType, map[string]any{"accountId": acc, "queueId": q.ID, "type": "worker", "scriptName": "local-api"}},
		{sandbox.R2BucketEventNotificationType, map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": q.ID, "rules": []any{map[string]any{"actions": []any{"PutObject"}}}}},
		{sandbox.WorkersScriptType, map[string]any{"accountId": acc, "scriptName": "local-cron", "mainModule": "index.js", "content": "export default {}", "compatibilityDate": "2026-01-01"}},
		{sandbox.WorkersCronTriggerType, map[string]any{"accountId": acc, "scriptName": "local-api", "schedules": []any{map[string]any{"cron": "*/5 * * * *"}}}},
		{sandbox.DNSRecordType, map[string]any{"zoneId": zone, "name": "node-1.clustera.test", "type": "A", "content": "192.0.2.1", "ttl": 300.0}},
		{sandbox.VectorizeIndexType, map[string]any{"accountId": acc, "name": "local-notes", "dimensions": 768.0, "metric": "cosine"}},
		{sandbox.KafkaTopicType, map[string]any{"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "local-runtime", "partitions": 1.0, "replication": 2.0}},
		{sandbox.PubSubTopicType, map[string]any{"project": proj, "name": "local-other", "labels": map[string]any{"env": "local", "project": "gcp-gmail"}}},
		{sandbox.PubSubSubscriptionType, map[string]any{"project": proj, "name": "local-sub", "topic": "local-gmail", "labels": map[string]any{"env": "local"}}},
		{sandbox.PubSubTopicIAMMemberType, map[string]any{"project": proj, "topic": "local-gmail", "role": "roles/pubsub.publisher", "member": "serviceAccount:gmail-api-push@system.gserviceaccount.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			o := put(tc.typ, tc.inputs)
			want := map[string]any{}
			for k, v := range o.Props {
				if _, in := tc.inputs[k]; !in {
					want[k] = v
				}
			}
			r := mocktest.Resource{Type: tc.typ, Name: "x", ID: "x-id", Custom: true, Inputs: resource.NewPropertyMapFromMap(tc.inputs)}
			got := normalize(t, c.outputs(r).Mappable())
			if !reflect.DeepEqual(keys(got), keys(want)) {
				t.Fatalf("computed properties %v, the sandbox computes %v", keys(got), keys(want))
			}
			for k := range want {
				if volatile[k] {
					continue
				}
				if !reflect.DeepEqual(got[k], normalize(t, map[string]any{k: want[k]})[k]) {
					t.Errorf("%s = %#v, the sandbox computes %#v", k, got[k], want[k])
				}
			}
		})
	}
}

// normalize gives m the JSON shapes the sandbox stores.
func normalize(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]any) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestComputedKeepsInputs(t *testing.T) {
	c := newComputer(time.Unix(0, 0), nil)
	r := mocktest.Resource{Type: sandbox.R2BucketType, Name: "b", Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"accountId": acc, "name": "local-b", "location": "WEUR",
	})}
	out := c.outputs(r)
	if _, ok := out["location"]; ok {
		t.Errorf("computed a location over the input: %v", out["location"])
	}
	if out["jurisdiction"].StringValue() != "default" {
		t.Errorf("jurisdiction = %v", out["jurisdiction"])
	}
	if got := out["creationDate"].StringValue(); got != "1970-01-01T00:00:00.000000Z" {
		t.Errorf("creationDate = %q", got)
	}
}
