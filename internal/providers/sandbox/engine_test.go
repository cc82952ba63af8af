package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/internal/providers/vectorize"
	sharedvec "github.com/clustera/infra/shared/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	testAccount = "10ca1000000000000000000000000001"
	testZone    = "10ca1000000000000000000000000002"
	testProject = "clustera-control-plane"
)

// spec is what the test program declares; steps change it between runs.
type spec struct {
	d1Name     string
	dnsTTL     float64
	dnsContent string
	partitions int
	indexDesc  string
	extraQueue bool
	importID   string // Kafka topic to adopt with pulumi.Import
}

func program(s *spec) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		reg := func(typ, name string, props pulumi.Map, opts ...pulumi.ResourceOption) (*pulumi.CustomResourceState, error) {
			var res pulumi.CustomResourceState
			err := ctx.RegisterResource(typ, name, props, &res, opts...)
			return &res, err
		}
		acc := pulumi.String(testAccount)
		db, err := reg(sandbox.D1DatabaseType, "meta", pulumi.Map{"accountId": acc, "name": pulumi.String(s.d1Name)})
		if err != nil {
			return err
		}
		if _, err := reg(sandbox.R2BucketType, "raw", pulumi.Map{"accountId": acc, "name": pulumi.String("local-dome-raw")}); err != nil {
			return err
		}
		queue, err := reg(sandbox.QueueType, "events", pulumi.Map{"accountId": acc, "queueName": pulumi.String("local-dome-events")})
		if err != nil {
			return err
		}
		index, err := sharedvec.NewIndex(ctx, "notes", &sharedvec.IndexArgs{
			AccountID: acc, Name: pulumi.String("local-dome-notes"), Dimensions: pulumi.Int(768),
			Metric: pulumi.String("cosine"), Description: pulumi.String(s.indexDesc),
		})
		if err != nil {
			return err
		}
		script, err := reg(sandbox.WorkersScriptType, "cron", pulumi.Map{
			"accountId": acc, "scriptName": pulumi.String("local-dome-cron"),
			"content": pulumi.String("export default { async scheduled() {} }"), "mainModule": pulumi.String("index.js"),
			"bindings": pulumi.Array{
				pulumi.Map{"type": pulumi.String("d1"), "name": pulumi.String("DB"), "id": db.ID()},
				pulumi.Map{"type": pulumi.String("queue"), "name": pulumi.String("EVENTS"), "queueName": pulumi.String("local-dome-events")},
				pulumi.Map{"type": pulumi.String("vectorize"), "name": pulumi.String("VEC"), "indexName": index.Name},
				pulumi.Map{"type": pulumi.String("secret_text"), "name": pulumi.String("TOKEN"), "text": pulumi.ToSecret(pulumi.String("s3cr3t-value")).(pulumi.StringOutput)},
			},
		}, pulumi.DependsOn([]pulumi.Resource{queue}))
		if err != nil {
			return err
		}
		if _, err := reg(sandbox.QueueConsumerType, "events-consumer", pulumi.Map{
			"accountId": acc, "queueId": queue.ID(), "type": pulumi.String("worker"), "scriptName": script.ID(),
		}); err != nil {
			return err
		}
		if _, err := reg(sandbox.WorkersCronTriggerType, "cron", pulumi.Map{
			"accountId": acc, "scriptName": script.ID(),
			"schedules": pulumi.Array{pulumi.Map{"cron": pulumi.String("*/5 * * * *")}},
		}); err != nil {
			return err
		}
		if _, err := reg(sandbox.DNSRecordType, "node1", pulumi.Map{
			"zoneId": pulumi.String(testZone), "name": pulumi.String("node1.clustera.test"), "type": pulumi.String("A"),
			"content": pulumi.String(s.dnsContent), "ttl": pulumi.Float64(s.dnsTTL),
		}); err != nil {
			return err
		}
		if _, err := reg(sandbox.KafkaTopicType, "runtime", pulumi.Map{
			"project": pulumi.String("clustera-creators"), "serviceName": pulumi.String("kafka-clustera"),
			"topicName": pulumi.String("local-runtime"), "partitions": pulumi.Int(s.partitions), "replication": pulumi.Int(2),
			"config": pulumi.Map{"retentionMs": pulumi.String("604800000"), "cleanupPolicy": pulumi.String("delete")},
		}); err != nil {
			return err
		}
		topic, err := reg(sandbox.PubSubTopicType, "gmail", pulumi.Map{"name": pulumi.String("local-gmail-webhook")})
		if err != nil {
			return err
		}
		if _, err := reg(sandbox.PubSubSubscriptionType, "gmail-sub", pulumi.Map{
			"name": pulumi.String("local-gmail-webhook-sub"), "topic": topic.ID(), "ackDeadlineSeconds": pulumi.Int(20),
		}); err != nil {
			return err
		}
		if _, err := reg(sandbox.PubSubTopicIAMMemberType, "gmail-push", pulumi.Map{
			"topic": topic.ID(), "role": pulumi.String("roles/pubsub.publisher"),
			"member": pulumi.String("serviceAccount:gmail-api-push@system.gserviceaccount.com"),
		}); err != nil {
			return err
		}
		if s.extraQueue {
			if _, err := reg(sandbox.QueueType, "extra", pulumi.Map{"accountId": acc, "queueName": pulumi.String("local-extra")}); err != nil {
				return err
			}
		}
		if s.importID != "" {
			if _, err := reg(sandbox.KafkaTopicType, "legacy", pulumi.Map{
				"project": pulumi.String("clustera-creators"), "serviceName": pulumi.String("kafka-clustera"),
				"topicName": pulumi.String("local-legacy"), "partitions": pulumi.Int(1), "replication": pulumi.Int(2),
			}, pulumi.Import(pulumi.ID(s.importID))); err != nil {
				return err
			}
		}
		return nil
	}
}

func changes(m *map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return *m
}

func count(t *testing.T, cloud *sandbox.Cloud, typ string) int {
	t.Helper()
	objs, err := cloud.Objects()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if typ == "" || o.Type == typ {
			n++
		}
	}
	return n
}

// TestEngine runs the real Pulumi CLI and engine (INFRA_PULUMI) against the
// sandbox: file backend, inline program, the fake providers attached with
// PULUMI_DEBUG_PROVIDERS and the real Vectorize provider against the fake
// Cloudflare API.
func TestEngine(t *testing.T) {
	bin := os.Getenv("INFRA_PULUMI")
	if bin == "" {
		t.Skip("INFRA_PULUMI is not set: set it to the pulumi CLI (e.g. INFRA_PULUMI=$PWD/bin/pulumi) to run the engine test")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(bin)) != "bin" {
		t.Fatalf("INFRA_PULUMI=%s: the CLI must live in a directory named bin (<root>/bin/pulumi)", bin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	tmp := t.TempDir()
	dir := filepath.Join(tmp, "sandbox")
	sb, err := sandbox.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	vport, vstop, err := providerserver.Serve(vectorize.NewProvider(vectorize.Options{BaseURL: sb.CloudflareAPIURL()}))
	if err != nil {
		t.Fatal(err)
	}
	defer vstop()
	cloud := sandbox.OpenCloud(dir)

	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: filepath.Dir(filepath.Dir(bin))})
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(tmp, "state")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &spec{d1Name: "local-dome-meta", dnsTTL: 300, dnsContent: "203.0.113.1", partitions: 3, indexDesc: "notes"}
	work := filepath.Join(tmp, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "local", "sandbox-engine-test", program(s),
		auto.Pulumi(cmd),
		auto.WorkDir(work),
		auto.PulumiHome(filepath.Join(tmp, "home")),
		auto.Project(workspace.Project{Name: "sandbox-engine-test", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}),
		auto.EnvVars(map[string]string{
			"PULUMI_BACKEND_URL":                          "file://" + backend,
			"PULUMI_CONFIG_PASSPHRASE":                    "sandbox-test",
			"PULUMI_SKIP_UPDATE_CHECK":                    "true",
			"PULUMI_DEBUG_PROVIDERS":                      sb.DebugProviders() + ",vectorize:" + strconv.Itoa(vport),
			"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := stack.SetConfig(ctx, "gcp:project", auto.ConfigValue{Value: testProject}); err != nil {
		t.Fatal(err)
	}
	if err := stack.SetConfig(ctx, "vectorize:apiToken", auto.ConfigValue{Value: "fake-token-for-the-sandbox", Secret: true}); err != nil {
		t.Fatal(err)
	}

	step := func(name string, fn func(t *testing.T)) {
		start := time.Now()
		ok := t.Run(name, fn)
		t.Logf("%-28s %6.1fs", name, time.Since(start).Seconds())
		if !ok {
			t.FailNow()
		}
	}

	step("up creates", func(t *testing.T) {
		res, err := stack.Up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if strings.Contains(res.StdOut, "warning") {
			t.Errorf("up printed warnings:\n%s", res.StdOut)
		}
		if got := changes(res.Summary.ResourceChanges)["create"]; got != 13 {
			t.Fatalf("created %d resources, want 13 (12 + the stack): %v", got, changes(res.Summary.ResourceChanges))
		}
		for _, typ := range []string{sandbox.D1DatabaseType, sandbox.R2BucketType, sandbox.QueueType, sandbox.QueueConsumerType,
			sandbox.WorkersScriptType, sandbox.WorkersCronTriggerType, sandbox.DNSRecordType, sandbox.KafkaTopicType,
			sandbox.PubSubTopicType, sandbox.PubSubSubscriptionType, sandbox.PubSubTopicIAMMemberType, sandbox.VectorizeIndexType} {
			if count(t, cloud, typ) != 1 {
				t.Errorf("cloud has %d %s, want 1", count(t, cloud, typ), typ)
			}
		}
		sub, ok, _ := cloud.Find(sandbox.PubSubSubscriptionType, "projects/"+testProject+"/subscriptions/local-gmail-webhook-sub")
		if !ok || sub.Props["topic"] != "projects/"+testProject+"/topics/local-gmail-webhook" {
			t.Errorf("subscription = %+v", sub)
		}
		raw, err := os.ReadFile(cloud.Path())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "s3cr3t-value") {
			t.Error("cloud.json holds a secret in plaintext")
		}
	})

	step("second up changes nothing", func(t *testing.T) {
		res, err := stack.Up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		c := changes(res.Summary.ResourceChanges)
		if len(c) != 1 || c["same"] != 13 {
			t.Fatalf("second up: %v, want only 13 same", c)
		}
	})

	step("update vs replace", func(t *testing.T) {
		before, _, _ := cloud.Find(sandbox.D1DatabaseType, "local-dome-meta")
		s.dnsTTL, s.partitions, s.d1Name, s.indexDesc = 600, 6, "local-dome-meta2", "notes v2"
		pre, err := stack.Preview(ctx)
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if pre.ChangeSummary[apitype.OpReplace] != 2 {
			t.Errorf("preview: %v, want 2 replaces (D1 name, index description)", pre.ChangeSummary)
		}
		res, err := stack.Up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		c := changes(res.Summary.ResourceChanges)
		// Updates: DNS TTL, Kafka partitions, the Worker (its D1 binding).
		if c["update"] != 3 || c["replace"] != 2 {
			t.Errorf("up: %v, want 3 updates and 2 replaces", c)
		}
		if _, ok, _ := cloud.Find(sandbox.D1DatabaseType, before.ID); ok {
			t.Error("the replaced D1 database is still in the cloud")
		}
		dns, _, _ := cloud.Find(sandbox.DNSRecordType, "node1.clustera.test")
		topic, _, _ := cloud.Find(sandbox.KafkaTopicType, "clustera-creators/kafka-clustera/local-runtime")
		idx, _, _ := cloud.Find(sandbox.VectorizeIndexType, testAccount+"/local-dome-notes")
		if dns.Props["ttl"] != 600.0 || topic.Props["partitions"] != 6.0 || idx.Props["description"] != "notes v2" {
			t.Errorf("cloud after update: ttl=%v partitions=%v description=%v", dns.Props["ttl"], topic.Props["partitions"], idx.Props["description"])
		}
	})

	step("check failure", func(t *testing.T) {
		s.dnsTTL = 30
		defer func() { s.dnsTTL = 600 }()
		_, err := stack.Preview(ctx)
		if err == nil || !strings.Contains(err.Error(), "Invalid TTL") {
			t.Fatalf("preview with ttl 30: %v, want the TTL check failure", err)
		}
	})

	step("fault fails up", func(t *testing.T) {
		if err := sandbox.SetFaults(dir, []sandbox.Fault{{Op: "create", Type: "*:Queue", Name: "extra", Message: "simulated outage"}}); err != nil {
			t.Fatal(err)
		}
		s.extraQueue = true
		_, err := stack.Up(ctx)
		if err == nil || !strings.Contains(err.Error(), "simulated outage") {
			t.Fatalf("up with a fault: %v, want the injected fault", err)
		}
		if count(t, cloud, sandbox.QueueType) != 1 {
			t.Error("the failed queue was created")
		}
		if err := sandbox.SetFaults(dir, nil); err != nil {
			t.Fatal(err)
		}
		s.extraQueue = false
	})

	step("drift shows in refresh", func(t *testing.T) {
		dns, _, _ := cloud.Find(sandbox.DNSRecordType, "node1.clustera.test")
		if err := cloud.Mutate(sandbox.DNSRecordType, dns.ID, func(p map[string]any) { p["content"] = "203.0.113.9" }); err != nil {
			t.Fatal(err)
		}
		ref, err := stack.Refresh(ctx, optrefresh.ExpectNoChanges())
		if err == nil {
			t.Fatalf("refresh --expect-no-changes succeeded despite drift: %v", changes(ref.Summary.ResourceChanges))
		}
		if _, err := stack.Refresh(ctx); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		pre, err := stack.Preview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pre.ChangeSummary[apitype.OpUpdate] != 1 {
			t.Fatalf("preview after drift: %v, want 1 update (DNS content)", pre.ChangeSummary)
		}
		if _, err := stack.Up(ctx); err != nil {
			t.Fatal(err)
		}
		dns, _, _ = cloud.Find(sandbox.DNSRecordType, dns.ID)
		if dns.Props["content"] != "203.0.113.1" {
			t.Fatalf("up did not correct the drift: content %v", dns.Props["content"])
		}
	})

	step("import out-of-band", func(t *testing.T) {
		obj, err := cloud.Put(sandbox.KafkaTopicType, map[string]any{
			"project": "clustera-creators", "serviceName": "kafka-clustera", "topicName": "local-legacy",
			"partitions": 1, "replication": 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		s.importID = obj.ID
		res, err := stack.Up(ctx)
		if err != nil {
			t.Fatalf("up with import: %v", err)
		}
		if c := changes(res.Summary.ResourceChanges); c["import"] != 1 || c["create"] != 0 {
			t.Fatalf("up with import: %v, want 1 import", c)
		}
		if count(t, cloud, sandbox.KafkaTopicType) != 2 {
			t.Fatal("import changed the number of topics")
		}
	})

	step("destroy empties the cloud", func(t *testing.T) {
		if _, err := stack.Destroy(ctx, optdestroy.ContinueOnError()); err != nil {
			t.Fatalf("destroy: %v", err)
		}
		if n := count(t, cloud, ""); n != 0 {
			objs, _ := cloud.Objects()
			t.Fatalf("cloud still has %d objects after destroy: %+v", n, objs)
		}
	})
}
