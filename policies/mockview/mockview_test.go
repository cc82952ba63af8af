package mockview

import (
	"slices"
	"strings"
	"testing"

	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type custom struct {
	pulumi.CustomResourceState
	QueueID pulumi.StringOutput `pulumi:"queueId"`
}

type component struct{ pulumi.ResourceState }

// program declares a queue inside a component, two consumers of it (one
// too many, neither with a dead-letter queue) and an unretained D1 database.
func program(ctx *pulumi.Context) error {
	var group component
	if err := ctx.RegisterComponentResource("clustera:cloudflare:Queues", "queues", &group); err != nil {
		return err
	}
	var q custom
	err := ctx.RegisterResource(rules.TypeQueue, "new-content", pulumi.Map{
		"accountId": pulumi.String("acc"),
		"queueName": pulumi.String("prod-new-content-constellation"),
	}, &q, pulumi.Parent(&group))
	if err != nil {
		return err
	}
	for _, name := range []string{"constellation", "silo"} {
		var c custom
		err := ctx.RegisterResource(rules.TypeQueueConsumer, name, pulumi.Map{
			"accountId":  pulumi.String("acc"),
			"queueId":    q.QueueID,
			"scriptName": pulumi.String("prod-" + name),
			"type":       pulumi.String("worker"),
		}, &c)
		if err != nil {
			return err
		}
	}
	var db custom
	return ctx.RegisterResource(rules.TypeD1Database, "meta", pulumi.Map{
		"accountId": pulumi.String("acc"),
		"name":      pulumi.String("prod-meta"),
	}, &db, pulumi.Protect(true))
}

func TestOfflineEvaluation(t *testing.T) {
	res, err := mocktest.Run("cloudflare-workers", "prod", program, mocktest.Options{
		NoStackFile: true,
		Computed: func(r mocktest.Resource) resource.PropertyMap {
			if r.Type == rules.TypeQueue {
				return resource.PropertyMap{"queueId": resource.NewStringProperty(r.Name + "-qid")}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := Resources("prod", "cloudflare-workers", res.Resources)

	var queueURN string
	for _, r := range rs {
		if r.Type == rules.TypeQueue {
			queueURN = r.URN
		}
	}
	if want := "urn:pulumi:prod::cloudflare-workers::clustera:cloudflare:Queues$cloudflare:index/queue:Queue::new-content"; queueURN != want {
		t.Fatalf("queue URN %q, want %q", queueURN, want)
	}
	// The rebuilt URN is the one the SDK recorded as the consumers' dependency.
	for _, r := range rs {
		if r.Type == rules.TypeQueueConsumer && !slices.Contains(r.Dependencies, queueURN) {
			t.Errorf("consumer %s depends on %v, not on %s", r.Name, r.Dependencies, queueURN)
		}
	}

	vs, err := rules.Evaluate(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, v := range vs {
		got[v.Policy] = append(got[v.Policy], v.Message())
	}
	want := map[string]string{
		rules.QueueSingleConsumer: `cloudflare:index/queue:Queue "new-content": the queue has 2 consumers`,
		rules.QueueConsumerDLQ:    `the consumer of queue "prod-new-content-constellation" has no dead-letter queue`,
		rules.DataProtection:      `cloudflare:index/d1Database:D1Database "meta": retainOnDelete is not set`,
	}
	for policy, msg := range want {
		if len(got[policy]) == 0 || !strings.Contains(got[policy][0], msg) {
			t.Errorf("%s: got %q, want %q", policy, got[policy], msg)
		}
	}
	if n := len(got[rules.QueueConsumerDLQ]); n != 2 {
		t.Errorf("queue-consumer-dlq reported %d consumers, want 2", n)
	}
	for policy := range got {
		if _, ok := want[policy]; !ok {
			t.Errorf("unexpected violations of %s: %q", policy, got[policy])
		}
	}
}

func TestWithStackConfig(t *testing.T) {
	rs := []rules.Resource{{Type: rules.TypeQueue, Name: "q"}}
	rs = WithStackConfig(rs, "prod", "dns", []rules.ConfigEntry{{Key: "dns:apiToken"}})
	if len(rs) != 2 || rs[1].Type != rules.StackType || rs[0].StackConfig != nil {
		t.Fatalf("resources %+v", rs)
	}
	if rs[1].URN != "urn:pulumi:prod::dns::pulumi:pulumi:Stack::dns-prod" {
		t.Errorf("stack URN %s", rs[1].URN)
	}
	vs, err := rules.Evaluate(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Policy != rules.NoPlaintextSecretConfig || !strings.Contains(vs[0].Message(), `"dns:apiToken"`) {
		t.Errorf("got %v", vs)
	}
	// An existing stack resource is reused.
	again := WithStackConfig(rs, "prod", "dns", nil)
	if len(again) != 2 || again[1].StackConfig != nil {
		t.Errorf("resources %+v", again)
	}
}
