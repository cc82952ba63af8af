package program_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/gcp-gmail/program"
	dataplane "github.com/clustera/infra/projects/kafka-data-plane/program"
	integrations "github.com/clustera/infra/projects/kafka-integrations/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
)

const (
	project          = contracts.GCPGmailProject
	topicType        = "gcp:pubsub/topic:Topic"
	subscriptionType = "gcp:pubsub/subscription:Subscription"
	memberType       = "gcp:pubsub/topicIAMMember:TopicIAMMember"
)

// upstream runs the producers of the chain kafka-data-plane →
// kafka-integrations for stack and returns kafka-integrations' resolved
// contract, as the StackReference would deliver it.
func upstream(t *testing.T, stack string) map[string]map[string]any {
	t.Helper()
	dp, err := mocktest.RunContract(contracts.KafkaDataPlaneProject, stack, dataplane.Deploy, mocktest.Options{})
	if err != nil {
		t.Fatalf("kafka-data-plane %s: %v", stack, err)
	}
	ki, err := mocktest.RunContract(contracts.KafkaIntegrationsProject, stack, integrations.Deploy, mocktest.Options{
		Upstreams: map[string]map[string]any{contracts.KafkaDataPlaneProject: dp.Exports},
	})
	if err != nil {
		t.Fatalf("kafka-integrations %s: %v", stack, err)
	}
	return map[string]map[string]any{contracts.KafkaIntegrationsProject: ki.Exports}
}

func run(t *testing.T, stack string, opts mocktest.Options) *mocktest.Result {
	t.Helper()
	if opts.Upstreams == nil {
		opts.Upstreams = upstream(t, stack)
	}
	res, err := mocktest.RunContract(project, stack, program.Deploy, opts)
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return res
}

func one(t *testing.T, res *mocktest.Result, typ string) mocktest.Resource {
	t.Helper()
	rs := res.OfType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of %s, want 1", len(rs), typ)
	}
	return rs[0]
}

// TestContractFromKafkaIntegrations checks the StackReference edge
// kafka-integrations → gcp-gmail with the producer's real outputs.
func TestContractFromKafkaIntegrations(t *testing.T) {
	up := upstream(t, "staging")
	if up[contracts.KafkaIntegrationsProject]["gmailWorkerTopic"] != "staging-integrations-worker-gmail" {
		t.Fatalf("kafka-integrations exports %v", up)
	}
	res := run(t, "staging", mocktest.Options{Upstreams: up, Config: map[string]string{
		"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail/push",
	}})
	if want := []string{"organization/kafka-integrations/staging"}; !reflect.DeepEqual(res.StackRefs, want) {
		t.Fatalf("StackRefs = %v", res.StackRefs)
	}
	sub := one(t, res, subscriptionType)
	if got := sub.String("labels.kafka-topic"); got != "staging-integrations-worker-gmail" {
		t.Errorf("kafka-topic label = %q", got)
	}
	if got := sub.String("pushConfig.pushEndpoint"); got != "https://hooks.clustera.io/gmail/push?kafkaTopic=staging-integrations-worker-gmail" {
		t.Errorf("push endpoint = %q", got)
	}
	// The link follows the contract, not a name the program derives.
	up[contracts.KafkaIntegrationsProject]["gmailWorkerTopic"] = "renamed-worker"
	res = run(t, "staging", mocktest.Options{Upstreams: up})
	if got := one(t, res, subscriptionType).String("labels.kafka-topic"); got != "renamed-worker" {
		t.Errorf("kafka-topic label = %q, want the contract's value", got)
	}
}

func TestPullSubscription(t *testing.T) {
	for _, stack := range []string{"dev", "staging", "steve1"} {
		t.Run(stack, func(t *testing.T) {
			res := run(t, stack, mocktest.Options{})
			one(t, res, program.ComponentType)
			compURN := "urn:pulumi:" + stack + "::gcp-gmail::" + program.ComponentType + "::gmail-webhook"
			topic := one(t, res, topicType)
			for path, want := range map[string]string{
				"name": stack + "-integration-gmail-webhook", "project": "clustera-control-plane",
				"messageStoragePolicy.allowedPersistenceRegions[0]": "us-central1",
				"labels.env": stack, "labels.project": "gcp-gmail", "labels.managed-by": "pulumi",
			} {
				if got := topic.String(path); got != want {
					t.Errorf("topic %s = %q, want %q", path, got, want)
				}
			}
			if n := len(topic.Get("messageStoragePolicy.allowedPersistenceRegions").ArrayValue()); n != 1 {
				t.Errorf("topic stores messages in %d regions, want 1", n)
			}
			sub := one(t, res, subscriptionType)
			for path, want := range map[string]string{
				"name": stack + "-integration-gmail-webhook-sub", "project": "clustera-control-plane",
				"topic": stack + "-integration-gmail-webhook", "messageRetentionDuration": "604800s",
				"retryPolicy.minimumBackoff": "10s", "retryPolicy.maximumBackoff": "600s",
				"labels.env": stack, "labels.project": "gcp-gmail", "labels.managed-by": "pulumi",
				"labels.kafka-topic": stack + "-integrations-worker-gmail",
			} {
				if got := sub.String(path); got != want {
					t.Errorf("subscription %s = %q, want %q", path, got, want)
				}
			}
			if v := sub.Get("expirationPolicy.ttl"); !v.IsString() || v.StringValue() != "" {
				t.Errorf("expirationPolicy.ttl = %v, want \"\" (never expires)", v)
			}
			if sub.Number("ackDeadlineSeconds") != 60 {
				t.Errorf("ackDeadlineSeconds = %v", sub.Number("ackDeadlineSeconds"))
			}
			if v := sub.Get("retainAckedMessages"); !v.IsBool() || v.BoolValue() {
				t.Errorf("retainAckedMessages = %v", v)
			}
			if !sub.Get("pushConfig").IsNull() {
				t.Errorf("pull subscription has a push config: %v", sub.Get("pushConfig"))
			}
			for _, r := range []mocktest.Resource{topic, sub, one(t, res, memberType)} {
				if r.Parent != compURN {
					t.Errorf("%s %s: parent %q, want %q", r.Type, r.Name, r.Parent, compURN)
				}
				if r.Protect || r.Retain || r.ImportID != "" {
					t.Errorf("%s: protect %v retain %v import %q outside prod", r.Type, r.Protect, r.Retain, r.ImportID)
				}
			}
			if res.Exports["mode"] != "pull" || res.Exports["topicName"] != stack+"-integration-gmail-webhook" ||
				res.Exports["subscriptionName"] != stack+"-integration-gmail-webhook-sub" ||
				res.Exports["topicId"] == "" || res.Exports["subscriptionId"] == "" {
				t.Errorf("exports = %v", res.Exports)
			}
		})
	}
}

func TestPushSubscription(t *testing.T) {
	res := run(t, "local", mocktest.Options{})
	sub := one(t, res, subscriptionType)
	for path, want := range map[string]string{
		"pushConfig.pushEndpoint":                  "https://gmail-webhook.clustera.test/gmail/push?kafkaTopic=local-integrations-worker-gmail",
		"pushConfig.oidcToken.serviceAccountEmail": "gmail-push@clustera-control-plane.iam.gserviceaccount.com",
		"pushConfig.oidcToken.audience":            "https://gmail-webhook.clustera.test/gmail/push",
	} {
		if got := sub.String(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !sub.Get("pushConfig.attributes").IsNull() {
		t.Errorf("push attributes %v: Pub/Sub accepts only x-goog-version", sub.Get("pushConfig.attributes"))
	}
	if res.Exports["mode"] != "push" {
		t.Errorf("mode = %v", res.Exports["mode"])
	}
}

func TestPushEndpointKeepsItsQueryAndAudience(t *testing.T) {
	res := run(t, "dev", mocktest.Options{Config: map[string]string{
		"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail/push?source=pubsub",
		"gcp-gmail:pushServiceAccount":   "gmail-push@clustera-control-plane.iam.gserviceaccount.com",
		"gcp-gmail:pushAudience":         "clustera-gmail-webhook",
		"gcp-gmail:ackDeadlineSeconds":   "120",
	}})
	sub := one(t, res, subscriptionType)
	if got := sub.String("pushConfig.pushEndpoint"); got != "https://hooks.clustera.io/gmail/push?kafkaTopic=dev-integrations-worker-gmail&source=pubsub" {
		t.Errorf("push endpoint = %q", got)
	}
	if got := sub.String("pushConfig.oidcToken.audience"); got != "clustera-gmail-webhook" {
		t.Errorf("audience = %q", got)
	}
	if sub.Number("ackDeadlineSeconds") != 120 {
		t.Errorf("ackDeadlineSeconds = %v", sub.Number("ackDeadlineSeconds"))
	}
	if !sub.Get("pushConfig.oidcToken").IsObject() {
		t.Error("no OIDC token")
	}
	// Without a service account, pushes are not signed.
	res = run(t, "dev", mocktest.Options{Config: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail/push"}})
	if v := one(t, res, subscriptionType).Get("pushConfig.oidcToken"); !v.IsNull() {
		t.Errorf("oidcToken = %v without pushServiceAccount", v)
	}
}

func TestPublisherIsAMemberGrant(t *testing.T) {
	res := run(t, "testing", mocktest.Options{})
	m := one(t, res, memberType)
	for path, want := range map[string]string{
		"project": "clustera-control-plane", "topic": "testing-integration-gmail-webhook",
		"role": "roles/pubsub.publisher", "member": "serviceAccount:gmail-api-push@system.gserviceaccount.com",
	} {
		if got := m.String(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	for _, authoritative := range []string{"gcp:pubsub/topicIAMBinding:TopicIAMBinding", "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy"} {
		if n := len(res.OfType(authoritative)); n != 0 {
			t.Errorf("%d %s: an authoritative grant would remove other publishers", n, authoritative)
		}
	}
	if n := res.Count()[memberType]; n != 1 {
		t.Errorf("%d member grants", n)
	}
}

func TestProdProtectsAndImports(t *testing.T) {
	res := run(t, "prod", mocktest.Options{})
	topic, sub, member := one(t, res, topicType), one(t, res, subscriptionType), one(t, res, memberType)
	if !topic.Protect || !sub.Protect || !sub.Retain {
		t.Errorf("protect: topic %v subscription %v, retain subscription %v", topic.Protect, sub.Protect, sub.Retain)
	}
	if member.Protect {
		t.Error("the member grant is protected; it holds no data")
	}
	for r, want := range map[*mocktest.Resource]string{
		&topic:  "projects/clustera-control-plane/topics/prod-integration-gmail-webhook",
		&sub:    "projects/clustera-control-plane/subscriptions/prod-integration-gmail-webhook-sub",
		&member: "projects/clustera-control-plane/topics/prod-integration-gmail-webhook roles/pubsub.publisher serviceAccount:gmail-api-push@system.gserviceaccount.com",
	} {
		if r.ImportID != want {
			t.Errorf("%s: import ID %q, want %q", r.Type, r.ImportID, want)
		}
	}
	if topic.String("name") != "prod-integration-gmail-webhook" || sub.String("labels.kafka-topic") != "prod-integrations-worker-gmail" {
		t.Errorf("names: topic %q, label %q", topic.String("name"), sub.String("labels.kafka-topic"))
	}
}

func TestNameOverridesInProd(t *testing.T) {
	res := run(t, "prod", mocktest.Options{Config: map[string]string{
		"gcp-gmail:names": `{"integration-gmail-webhook":"gmail-webhook","integration-gmail-webhook-sub":"gmail-webhook-push"}`,
	}})
	if got := one(t, res, topicType).String("name"); got != "gmail-webhook" {
		t.Errorf("topic = %q", got)
	}
	if got := one(t, res, subscriptionType).String("name"); got != "gmail-webhook-push" {
		t.Errorf("subscription = %q", got)
	}
}

// tempRoot points INFRA_ROOT at a copy of the environments and of this
// project's stack files with edit applied to environments/<env>.yaml.
func tempRoot(t *testing.T, env string, edit func(string) string) {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, pattern := range []string{"environments/*.yaml", "projects/" + project + "/Pulumi.*.yaml"} {
		files, _ := filepath.Glob(filepath.Join(src, pattern))
		for _, f := range files {
			rel, _ := filepath.Rel(src, f)
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if rel == filepath.Join("environments", env+".yaml") {
				b = []byte(edit(string(b)))
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv(layout.EnvRoot, dst)
}

func TestConfigRejects(t *testing.T) {
	const file = "projects/gcp-gmail/Pulumi.dev.yaml: "
	cases := []struct {
		name    string
		cfg     map[string]string
		env     func(string) string
		want    []string
		notWant string
	}{
		{name: "http endpoint", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "http://hooks.clustera.io/gmail"},
			want: []string{file + `gcp-gmail:gmailWebhookEndpoint: "http://hooks.clustera.io/gmail" is not an https URL`}},
		{name: "endpoint without host", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https:///gmail"},
			want: []string{"gcp-gmail:gmailWebhookEndpoint:", "has no host"}},
		{name: "endpoint not a URL", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks clustera.io/%zz"},
			want: []string{"gcp-gmail:gmailWebhookEndpoint:", "is not a URL"}},
		{name: "endpoint with credentials", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://bot:s3cr3t@hooks.clustera.io/gmail"},
			want: []string{"gcp-gmail:gmailWebhookEndpoint:", "carries credentials", "REDACTED"}, notWant: "s3cr3t"},
		{name: "endpoint with fragment", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail#x"},
			want: []string{"gcp-gmail:gmailWebhookEndpoint:", "has a fragment"}},
		{name: "endpoint sets kafkaTopic", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail?kafkaTopic=x"},
			want: []string{"gcp-gmail:gmailWebhookEndpoint:", "already sets kafkaTopic"}},
		{name: "service account without endpoint", cfg: map[string]string{"gcp-gmail:pushServiceAccount": "gmail-push@clustera-control-plane.iam.gserviceaccount.com"},
			want: []string{file + "gcp-gmail:pushServiceAccount: is set, but gmailWebhookEndpoint is not"}},
		{name: "audience without endpoint", cfg: map[string]string{"gcp-gmail:pushAudience": "x"},
			want: []string{file + "gcp-gmail:pushAudience: is set, but gmailWebhookEndpoint is not"}},
		{name: "audience without service account", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail", "gcp-gmail:pushAudience": "x"},
			want: []string{file + "gcp-gmail:pushAudience: is set without pushServiceAccount"}},
		{name: "bad service account", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "https://hooks.clustera.io/gmail", "gcp-gmail:pushServiceAccount": "someone@gmail.com"},
			want: []string{file + `gcp-gmail:pushServiceAccount: "someone@gmail.com" is not a service account e-mail`}},
		{name: "ack deadline too short", cfg: map[string]string{"gcp-gmail:ackDeadlineSeconds": "5"},
			want: []string{file + "gcp-gmail:ackDeadlineSeconds: 5 is outside the range Pub/Sub accepts; fix: use 10 to 600 seconds"}},
		{name: "ack deadline too long", cfg: map[string]string{"gcp-gmail:ackDeadlineSeconds": "601"},
			want: []string{"gcp-gmail:ackDeadlineSeconds: 601 is outside the range"}},
		{name: "ack deadline not a number", cfg: map[string]string{"gcp-gmail:ackDeadlineSeconds": "1m"},
			want: []string{`gcp-gmail:ackDeadlineSeconds: "1m" is not an integer`}},
		{name: "import not a boolean", cfg: map[string]string{"gcp-gmail:importExisting": "yes"},
			want: []string{`gcp-gmail:importExisting: "yes" is not a boolean`}},
		{name: "override without environment", cfg: map[string]string{"gcp-gmail:names": `{"integration-gmail-webhook":"gmail-webhook"}`},
			want: []string{"gcp-gmail:names:", `does not contain the environment "dev"`}},
		{name: "unknown override", cfg: map[string]string{"gcp-gmail:names": `{"gmail-webhook":"dev-gmail"}`},
			want: []string{"gcp-gmail:names: unknown keys [gmail-webhook]"}},
		{name: "override with invalid name", cfg: map[string]string{"gcp-gmail:names": `{"integration-gmail-webhook":"goog-dev-x"}`},
			want: []string{"gcp-gmail:names:", `must not start with "goog"`}},
		{name: "environment without region", env: func(s string) string { return strings.Replace(s, "  region: us-central1\n", "", 1) },
			want: []string{"environments/dev.yaml: gcp.region: is missing"}},
		{name: "environment with a bad project", env: func(s string) string {
			return strings.Replace(s, "project: clustera-control-plane", "project: Clustera", 1)
		}, want: []string{"environments/dev.yaml: gcp.project:", `"Clustera" is not valid`}},
		{name: "every problem at once", cfg: map[string]string{"gcp-gmail:gmailWebhookEndpoint": "http://x", "gcp-gmail:ackDeadlineSeconds": "0"},
			want: []string{"(2 problems)", "gmailWebhookEndpoint", "ackDeadlineSeconds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up := upstream(t, "dev")
			if c.env != nil {
				tempRoot(t, "dev", c.env)
			}
			res, err := mocktest.RunContract(project, "dev", program.Deploy, mocktest.Options{Config: c.cfg, Upstreams: up})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if c.notWant != "" && strings.Contains(err.Error(), c.notWant) {
				t.Errorf("error shows %q: %v", c.notWant, err)
			}
			if len(res.Resources) != 0 || len(res.StackRefs) != 0 {
				t.Errorf("registered %d resources and %d stack references before failing", len(res.Resources), len(res.StackRefs))
			}
		})
	}
}

func TestMissingUpstreamStackFails(t *testing.T) {
	_, err := mocktest.RunContract(project, "dev", program.Deploy, mocktest.Options{Upstreams: map[string]map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), `unknown stack "organization/kafka-integrations/dev"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryStackFileLoads(t *testing.T) {
	for _, stack := range []string{"local", "dev", "testing", "staging", "prod", "steve1"} {
		run(t, stack, mocktest.Options{})
	}
}
