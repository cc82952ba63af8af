package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestQueueConsumerRules(t *testing.T) {
	h := newHarness(t)
	qid, _ := h.create(QueueType, "events", map[string]any{"accountId": acc, "queueName": "local-events"})
	if len(qid) != 32 {
		t.Errorf("queue ID %q is not a 32-hex queue_id", qid)
	}
	_, _, err := h.tryCreate(QueueConsumerType, "c0", map[string]any{"accountId": acc, "queueId": qid, "type": "worker", "scriptName": "local-missing"})
	wantErr(t, err, "Worker \"local-missing\" does not exist")
	h.create(WorkersScriptType, "w", map[string]any{"accountId": acc, "scriptName": "local-worker", "content": "x"})
	id, out := h.create(QueueConsumerType, "c1", map[string]any{"accountId": acc, "queueId": qid, "type": "worker", "scriptName": "local-worker"})
	if id != acc {
		t.Errorf("consumer ID = %q, want the account ID like the real provider", id)
	}
	if s, _ := pstr(out, "queueName"); s != "local-events" {
		t.Errorf("queueName output = %q", s)
	}
	_, _, err = h.tryCreate(QueueConsumerType, "c2", map[string]any{"accountId": acc, "queueId": qid, "type": "http_pull"})
	wantErr(t, err, "queue already has a consumer")
	_, _, err = h.tryCreate(QueueConsumerType, "c3", map[string]any{"accountId": acc, "queueId": "00000000000000000000000000000000", "type": "http_pull"})
	wantErr(t, err, "does not exist")
	// Refresh finds the consumer through its state, and the queue lists it.
	if r := h.read(QueueConsumerType, id, out); r.GetId() != acc {
		t.Errorf("read consumer: id %q", r.GetId())
	}
	q := h.read(QueueType, qid, pm(map[string]any{"accountId": acc, "queueName": "local-events"}))
	if n, _ := pnum(unmarshal(t, q.GetProperties()), "consumersTotalCount"); n != 1 {
		t.Errorf("queue consumersTotalCount = %v, want 1", n)
	}
	// Import of a consumer is not supported by the real provider.
	_, err = h.prov(QueueConsumerType).Read(context.Background(), &pulumirpc.ReadRequest{Type: QueueConsumerType, Urn: urn(QueueConsumerType, "c"), Id: acc})
	wantErr(t, err, "does not support importing")
}

func TestUniqueNamesAndReferences(t *testing.T) {
	h := newHarness(t)
	dbID, _ := h.create(D1DatabaseType, "db", map[string]any{"accountId": acc, "name": "local-meta"})
	if len(dbID) != 36 || strings.Count(dbID, "-") != 4 {
		t.Errorf("D1 ID %q is not a UUID", dbID)
	}
	_, _, err := h.tryCreate(D1DatabaseType, "db2", map[string]any{"accountId": acc, "name": "local-meta"})
	wantErr(t, err, "already exists")
	bucket, _ := h.create(R2BucketType, "raw", map[string]any{"accountId": acc, "name": "local-raw"})
	if bucket != "local-raw" {
		t.Errorf("R2 ID = %q, want the name", bucket)
	}
	_, _, err = h.tryCreate(R2BucketType, "raw2", map[string]any{"accountId": acc, "name": "local-raw"})
	wantErr(t, err, "already exists")
	h.create(R2BucketType, "raw-eu", map[string]any{"accountId": acc, "name": "local-raw", "jurisdiction": "eu"}) // another jurisdiction
	qid, _ := h.create(QueueType, "q", map[string]any{"accountId": acc, "queueName": "local-q"})
	_, _, err = h.tryCreate(QueueType, "q2", map[string]any{"accountId": acc, "queueName": "local-q"})
	wantErr(t, err, "already exists")

	script := func(name string, bindings ...any) map[string]any {
		return map[string]any{"accountId": acc, "scriptName": name, "content": "x", "bindings": bindings}
	}
	_, _, err = h.tryCreate(WorkersScriptType, "w", script("local-w", map[string]any{"type": "d1", "name": "DB", "id": "6a1b8c5e-0000-4000-8000-000000000000"}))
	wantErr(t, err, "D1 database 6a1b8c5e-0000-4000-8000-000000000000 not found")
	_, _, err = h.tryCreate(WorkersScriptType, "w", script("local-w", map[string]any{"type": "service", "name": "API", "service": "local-api"}))
	wantErr(t, err, "target script \"local-api\" not found")
	_, _, err = h.tryCreate(WorkersScriptType, "w", script("local-w", map[string]any{"type": "vectorize", "name": "V", "indexName": "local-notes"}))
	wantErr(t, err, "Vectorize index \"local-notes\" not found")
	id, _ := h.create(WorkersScriptType, "w", script("local-w",
		map[string]any{"type": "d1", "name": "DB", "id": dbID},
		map[string]any{"type": "r2_bucket", "name": "RAW", "bucketName": "local-raw"},
		map[string]any{"type": "queue", "name": "Q", "queueName": "local-q"},
		map[string]any{"type": "service", "name": "SELF", "service": "local-w"}))
	if id != "local-w" {
		t.Errorf("script ID = %q, want the script name", id)
	}
	// A second upload of the name overwrites it, as the API's PUT does
	// (cloudflare_workers_test.go covers the take-over record).
	if _, _, err = h.tryCreate(WorkersScriptType, "w2", script("local-w")); err != nil {
		t.Fatalf("a second upload of local-w: %v", err)
	}

	_, _, err = h.tryCreate(WorkersCronTriggerType, "cron", map[string]any{"accountId": acc, "scriptName": "local-nope", "schedules": []any{map[string]any{"cron": "0 * * * *"}}})
	wantErr(t, err, "does not exist")
	_, _, err = h.tryCreate(R2BucketEventNotificationType, "n", map[string]any{"accountId": acc, "bucketName": "local-none", "queueId": qid, "rules": []any{map[string]any{"actions": []any{"PutObject"}}}})
	wantErr(t, err, "bucket does not exist")
	nid, nout := h.create(R2BucketEventNotificationType, "n", map[string]any{"accountId": acc, "bucketName": "local-raw", "queueId": qid, "rules": []any{map[string]any{"actions": []any{"PutObject"}}}})
	if nid != acc {
		t.Errorf("notification ID = %q, want the account ID", nid)
	}
	if q, _ := pstr(nout, "queueName"); q != "local-q" {
		t.Errorf("notification queueName = %q", q)
	}

	dnsA := map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 300}
	dnsID, _ := h.create(DNSRecordType, "a1", dnsA)
	if len(dnsID) != 32 {
		t.Errorf("DNS record ID %q is not 32 hex", dnsID)
	}
	_, _, err = h.tryCreate(DNSRecordType, "a2", dnsA)
	wantErr(t, err, "81058")
	h.create(DNSRecordType, "a3", map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.2", "ttl": 300})
	_, _, err = h.tryCreate(DNSRecordType, "c", map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "CNAME", "content": "x.clustera.test", "ttl": 300})
	wantErr(t, err, "81053")
}

func TestPubSubRules(t *testing.T) {
	h := newHarness(t)
	_, _, err := h.tryCreate(PubSubSubscriptionType, "s", map[string]any{"name": "local-sub", "topic": "local-topic"})
	wantErr(t, err, "Error 404: Resource not found (resource=projects/proj/topics/local-topic)")
	_, _, err = h.tryCreate(PubSubTopicIAMMemberType, "m", map[string]any{"topic": "local-topic", "role": "roles/pubsub.publisher", "member": "user:a@b.c"})
	wantErr(t, err, "Error 404")
	tid, tout := h.create(PubSubTopicType, "t", map[string]any{"name": "local-topic"})
	if tid != "projects/proj/topics/local-topic" {
		t.Errorf("topic ID = %q", tid)
	}
	_, _, err = h.tryCreate(PubSubTopicType, "t2", map[string]any{"name": "local-topic"})
	wantErr(t, err, "Error 409")
	sid, sout := h.create(PubSubSubscriptionType, "s", map[string]any{"name": "local-sub", "topic": "local-topic"})
	if sid != "projects/proj/subscriptions/local-sub" {
		t.Errorf("subscription ID = %q", sid)
	}
	if n, _ := pnum(sout, "ackDeadlineSeconds"); n != 10 {
		t.Errorf("default ackDeadlineSeconds = %v", n)
	}
	mid, _ := h.create(PubSubTopicIAMMemberType, "m", map[string]any{"topic": tid, "role": "roles/pubsub.publisher", "member": "serviceAccount:Gmail-API-Push@system.gserviceaccount.com"})
	if mid != "projects/proj/topics/local-topic/roles/pubsub.publisher/serviceAccount:gmail-api-push@system.gserviceaccount.com" {
		t.Errorf("IAM member ID = %q", mid)
	}
	// Import formats of the real provider.
	for _, id := range []string{"projects/proj/topics/local-topic", "proj/local-topic", "local-topic"} {
		if r := h.read(PubSubTopicType, id, nil); r.GetId() != tid {
			t.Errorf("import %q: id %q", id, r.GetId())
		}
	}
	if r := h.read(PubSubTopicIAMMemberType, "projects/proj/topics/local-topic roles/pubsub.publisher serviceAccount:gmail-api-push@system.gserviceaccount.com", nil); r.GetId() != mid {
		t.Errorf("IAM import: id %q", r.GetId())
	}
	// Deleting the topic drops its IAM policy and detaches subscriptions.
	if err := h.del(PubSubTopicType, "t", tid, tout); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := h.cloud.Find(PubSubTopicIAMMemberType, mid); ok {
		t.Error("IAM member survived its topic")
	}
	s, _, _ := h.cloud.Find(PubSubSubscriptionType, sid)
	if s.Props["topic"] != "_deleted-topic_" {
		t.Errorf("subscription topic after delete = %v", s.Props["topic"])
	}
}

func TestKafkaTopicLifecycle(t *testing.T) {
	h := newHarness(t)
	props := map[string]any{"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "local-runtime", "partitions": 3, "replication": 2, "terminationProtection": true}
	id, out := h.create(KafkaTopicType, "runtime", props)
	if id != "clustera-creators/kafka-clustera/local-runtime" {
		t.Errorf("topic ID = %q", id)
	}
	_, _, err := h.tryCreate(KafkaTopicType, "dup", props)
	wantErr(t, err, "already exists")
	// terminationProtection does not block a delete under Pulumi
	// (aiven_topic_test.go); change the topic and delete it.
	props["terminationProtection"] = false
	props["partitions"] = 6
	out, err = h.update(KafkaTopicType, "runtime", id, out, props)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := pnum(out, "partitions"); n != 6 {
		t.Errorf("partitions after update = %v", n)
	}
	if r := h.read(KafkaTopicType, id, nil); r.GetId() != id {
		t.Errorf("import by %q: id %q", id, r.GetId())
	}
	if err := h.del(KafkaTopicType, "runtime", id, out); err != nil {
		t.Fatal(err)
	}
	if r := h.read(KafkaTopicType, id, out); r.GetId() != "" {
		t.Errorf("read after delete: id %q, want none (gone)", r.GetId())
	}
	if err := h.del(KafkaTopicType, "runtime", id, out); err != nil {
		t.Errorf("deleting a topic already gone: %v", err)
	}
}

func TestImportFormats(t *testing.T) {
	h := newHarness(t)
	db, err := h.cloud.Put(D1DatabaseType, map[string]any{"accountId": acc, "name": "local-legacy"})
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := h.cloud.Put(R2BucketType, map[string]any{"accountId": acc, "name": "local-legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.cloud.Put(D1DatabaseType, map[string]any{"accountId": acc, "name": "Bad Name"}); err == nil {
		t.Error("Put accepted an invalid name")
	}
	if _, err := h.cloud.Put("cloudflare:index/zone:Zone", map[string]any{}); err == nil {
		t.Error("Put accepted an unmodeled type")
	}
	cases := []struct{ typ, importID, want string }{
		{D1DatabaseType, acc + "/" + db.ID, db.ID},
		{R2BucketType, acc + "/local-legacy/default", bucket.ID},
	}
	for _, c := range cases {
		r := h.read(c.typ, c.importID, nil)
		if r.GetId() != c.want {
			t.Errorf("import %s %q: id %q, want %q", c.typ, c.importID, r.GetId(), c.want)
		}
		in := unmarshal(t, r.GetInputs())
		if n, _ := pstr(in, "name"); n != "local-legacy" {
			t.Errorf("import %s: inputs %v", c.typ, in)
		}
	}
	_, err = h.prov(R2BucketType).Read(context.Background(), &pulumirpc.ReadRequest{Type: R2BucketType, Urn: urn(R2BucketType, "x"), Id: "local-legacy"})
	wantErr(t, err, "<account_id>/<bucket_name>/<jurisdiction>")
}

func TestPreviewHasNoSideEffects(t *testing.T) {
	h := newHarness(t)
	news, _ := h.check(D1DatabaseType, "db", pm(map[string]any{"accountId": acc, "name": "local-meta"}))
	resp, err := h.prov(D1DatabaseType).Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn(D1DatabaseType, "db"), Type: D1DatabaseType, Properties: marshal(t, news), Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	out := unmarshal(t, resp.GetProperties())
	if !out["uuid"].IsComputed() || resp.GetId() != "" {
		t.Errorf("preview outputs = %v id %q, want uuid unknown and no ID", out, resp.GetId())
	}
	if n, _ := pstr(out, "name"); n != "local-meta" {
		t.Errorf("preview name = %q", n)
	}
	objs, err := h.cloud.Objects()
	if err != nil || len(objs) != 0 {
		t.Fatalf("preview created objects: %v %v", objs, err)
	}
}

func TestSecretsAndContentNotStored(t *testing.T) {
	h := newHarness(t)
	content := "export default { fetch() { return new Response('hi') } }"
	news := resource.PropertyMap{
		"accountId": resource.NewStringProperty(acc), "scriptName": resource.NewStringProperty("local-w"),
		"content": resource.NewStringProperty(content),
		"bindings": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
			"type": resource.NewStringProperty("secret_text"), "name": resource.NewStringProperty("TOKEN"),
			"text": resource.MakeSecret(resource.NewStringProperty("hunter2-secret")),
		})}),
	}
	resp, err := h.prov(WorkersScriptType).Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn(WorkersScriptType, "w"), Type: WorkersScriptType, Properties: marshal(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(h.cloud.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "hunter2-secret") || strings.Contains(string(raw), "Response('hi')") {
		t.Fatalf("cloud.json holds the secret or the script:\n%s", raw)
	}
	out := unmarshal(t, resp.GetProperties())
	text := out["bindings"].ArrayValue()[0].ObjectValue()["text"]
	if !text.IsSecret() || text.SecretValue().Element.StringValue() != "hunter2-secret" {
		t.Errorf("secret binding output = %v, want the secret back", text)
	}
	// A refresh restores both from the state; an import cannot.
	r := h.read(WorkersScriptType, "local-w", out)
	if c, _ := pstr(unmarshal(t, r.GetProperties()), "content"); c != content {
		t.Errorf("refreshed content = %q", c)
	}
	r = h.read(WorkersScriptType, acc+"/local-w", nil)
	if c, _ := pstr(unmarshal(t, r.GetProperties()), "content"); !strings.Contains(c, "not readable") {
		t.Errorf("imported content = %q, want the unreadable placeholder", c)
	}
}

func TestFaults(t *testing.T) {
	h := newHarness(t)
	if err := SetFaults(h.dir, []Fault{{Op: "create", Type: "*:Queue", Name: "local-bad-*"}, {Op: "delete", Name: "keep"}}); err != nil {
		t.Fatal(err)
	}
	h.create(QueueType, "good", map[string]any{"accountId": acc, "queueName": "local-good"})
	_, _, err := h.tryCreate(QueueType, "q", map[string]any{"accountId": acc, "queueName": "local-bad-1"}) // physical name
	wantErr(t, err, "injected fault")
	id, out := h.create(D1DatabaseType, "keep", map[string]any{"accountId": acc, "name": "local-keep"}) // create is not faulted
	err = h.del(D1DatabaseType, "keep", id, out)                                                        // logical name
	wantErr(t, err, "sandbox fault injected for delete")
	if err := SetFaults(h.dir, []Fault{{Op: "rename"}}); err == nil {
		t.Error("SetFaults accepted an unknown op")
	}
	if err := SetFaults(h.dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.del(D1DatabaseType, "keep", id, out); err != nil {
		t.Fatalf("delete after clearing faults: %v", err)
	}
}

func TestDriftAndRemove(t *testing.T) {
	h := newHarness(t)
	id, out := h.create(DNSRecordType, "a", map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 300})
	if err := h.cloud.Mutate(DNSRecordType, id, func(p map[string]any) { p["ttl"] = 120.0 }); err != nil {
		t.Fatal(err)
	}
	r := h.read(DNSRecordType, id, out)
	if ttl, _ := pnum(unmarshal(t, r.GetInputs()), "ttl"); ttl != 120 {
		t.Errorf("refreshed ttl input = %v, want the drifted 120", ttl)
	}
	if err := h.cloud.Remove(DNSRecordType, id); err != nil {
		t.Fatal(err)
	}
	if r := h.read(DNSRecordType, id, out); r.GetId() != "" {
		t.Errorf("read of a removed record: id %q", r.GetId())
	}
	_, err := h.update(DNSRecordType, "a", id, out, map[string]any{"zoneId": zone, "name": "n.clustera.test", "type": "A", "content": "203.0.113.1", "ttl": 600})
	wantErr(t, err, "deleted outside Pulumi")
	if err := h.cloud.Mutate(DNSRecordType, id, func(map[string]any) {}); err == nil {
		t.Error("Mutate of a missing object succeeded")
	}
}

// TestCloudLockAcrossProcesses has helper processes and goroutines
// increment a counter object concurrently; every increment must survive.
func TestCloudLockAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("SANDBOX_LOCK_HELPER_DIR"); dir != "" {
		increment(t, dir, 25)
		return
	}
	dir := t.TempDir()
	cloud := OpenCloud(dir)
	var cmds []*exec.Cmd
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCloudLockAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SANDBOX_LOCK_HELPER_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { increment(t, dir, 25) })
	}
	wg.Wait()
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	var n float64
	_ = cloud.transact(false, func(st *state) error {
		if o := st.byKey("counter", "c"); o != nil {
			n = num(o.Props, "n")
		}
		return nil
	})
	if n != 150 {
		t.Fatalf("counter = %v, want 150 (6 writers x 25)", n)
	}
}

func increment(t *testing.T, dir string, times int) {
	cloud := OpenCloud(dir)
	for range times {
		err := cloud.transact(true, func(st *state) error {
			o := st.byKey("counter", "c")
			if o == nil {
				o = &Object{Type: "counter", Key: "c", Props: map[string]any{"n": 0.0}}
			}
			o.Props["n"] = num(o.Props, "n") + 1
			st.put(o)
			return nil
		})
		if err != nil {
			t.Error(fmt.Errorf("increment: %w", err))
			return
		}
	}
}
