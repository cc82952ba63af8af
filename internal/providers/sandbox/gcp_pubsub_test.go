package sandbox

import (
	"strings"
	"testing"
)

func TestPubSubNestedRequired(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name  string
		typ   string
		props map[string]any
		prop  string
	}{
		{"storage policy without regions", PubSubTopicType, map[string]any{"name": "local-t", "messageStoragePolicy": map[string]any{}}, "messageStoragePolicy.allowedPersistenceRegions"},
		{"schema settings without schema", PubSubTopicType, map[string]any{"name": "local-t", "schemaSettings": map[string]any{"encoding": "JSON"}}, "schemaSettings.schema"},
		{"kinesis without stream", PubSubTopicType, map[string]any{"name": "local-t", "ingestionDataSourceSettings": map[string]any{"awsKinesis": map[string]any{"awsRoleArn": "a", "consumerArn": "c", "gcpServiceAccount": "g"}}}, "ingestionDataSourceSettings.awsKinesis.streamArn"},
		{"expiration without ttl", PubSubSubscriptionType, map[string]any{"name": "local-s", "topic": "local-t", "expirationPolicy": map[string]any{}}, "expirationPolicy.ttl"},
		{"push without endpoint", PubSubSubscriptionType, map[string]any{"name": "local-s", "topic": "local-t", "pushConfig": map[string]any{"attributes": map[string]any{"x-goog-version": "v1"}}}, "pushConfig.pushEndpoint"},
		{"no wrapper without write metadata", PubSubSubscriptionType, map[string]any{"name": "local-s", "topic": "local-t", "pushConfig": map[string]any{"pushEndpoint": "https://h.test/", "noWrapper": map[string]any{}}}, "pushConfig.noWrapper.writeMetadata"},
		{"bigquery without table", PubSubSubscriptionType, map[string]any{"name": "local-s", "topic": "local-t", "bigqueryConfig": map[string]any{}}, "bigqueryConfig.table"},
		{"iam condition without title", PubSubTopicIAMMemberType, map[string]any{"topic": "t", "role": "roles/pubsub.publisher", "member": "user:a@b.c", "condition": map[string]any{"expression": "true"}}, "condition.title"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f := h.check(c.typ, "x", pm(c.props))
			if !hasFailure(f, c.prop, "Missing required argument") {
				t.Fatalf("failures = %v, want %s required", f, c.prop)
			}
		})
	}
	// Complete blocks pass; "" is a valid ttl (never expires).
	for _, props := range []map[string]any{
		{"name": "local-s", "topic": "local-t", "expirationPolicy": map[string]any{"ttl": ""}},
		{"name": "local-s", "topic": "local-t", "expirationPolicy": map[string]any{"ttl": "2678400s"}},
	} {
		if _, f := h.check(PubSubSubscriptionType, "s", pm(props)); len(f) > 0 {
			t.Errorf("%v: %v", props, f)
		}
	}
	if _, f := h.check(PubSubTopicType, "t", pm(map[string]any{"name": "local-t", "messageStoragePolicy": map[string]any{"allowedPersistenceRegions": []any{}}})); !hasFailure(f, "messageStoragePolicy.allowedPersistenceRegions", "at least one") {
		t.Errorf("an empty region list: %v", f)
	}
}

func TestPubSubIAMMemberIsMerged(t *testing.T) {
	h := newHarness(t)
	tid, _ := h.create(PubSubTopicType, "t", map[string]any{"name": "local-topic"})
	m := map[string]any{"topic": tid, "role": "roles/pubsub.publisher", "member": "user:a@b.c"}
	h.create(PubSubTopicIAMMemberType, "m1", m)
	// Another stack granting the same member: the policy merge adopts it.
	h.create(PubSubTopicIAMMemberType, "m2", m)
	over, err := h.cloud.TakeOvers()
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].TakenOver.From != urn(PubSubTopicIAMMemberType, "m1") {
		t.Fatalf("take-overs = %+v", over)
	}
	// A condition is part of the ID (conditionKey).
	id, _ := h.create(PubSubTopicIAMMemberType, "m3", map[string]any{"topic": tid, "role": "roles/pubsub.publisher", "member": "user:a@b.c",
		"condition": map[string]any{"title": "office", "expression": "request.time < timestamp(\"2030-01-01T00:00:00Z\")"}})
	if !strings.HasSuffix(id, "/user:a@b.c/office//request.time < timestamp(\"2030-01-01T00:00:00Z\")") {
		t.Errorf("conditional member ID = %q", id)
	}
}
