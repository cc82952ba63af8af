package pack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/policies/stackfile"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

type reported struct{ msg, urn string }

type manager struct{ got []reported }

func (m *manager) ReportViolation(msg, urn string) { m.got = append(m.got, reported{msg, urn}) }

func build(t *testing.T, info StackInfo) map[string]policyx.Policy {
	t.Helper()
	p, err := Build(info)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != Name || p.Version().String() != Version {
		t.Errorf("pack %s %s", p.Name(), p.Version())
	}
	out := map[string]policyx.Policy{}
	for _, pol := range p.Policies() {
		out[pol.Name()] = pol
	}
	if len(out) != len(rules.Names()) {
		t.Errorf("pack has %d policies, rules %d", len(out), len(rules.Names()))
	}
	return out
}

func TestDefaultLevelPerStack(t *testing.T) {
	for stack, want := range map[string]policyx.EnforcementLevel{
		"staging": policyx.EnforcementLevelMandatory, "prod": policyx.EnforcementLevelMandatory,
		"local": policyx.EnforcementLevelAdvisory, "dev": policyx.EnforcementLevelAdvisory,
		"testing": policyx.EnforcementLevelAdvisory, "steve1": policyx.EnforcementLevelAdvisory,
		"Not A Stack": policyx.EnforcementLevelAdvisory,
	} {
		for name, p := range build(t, StackInfo{Stack: stack, Project: "p"}) {
			if p.EnforcementLevel() != want {
				t.Errorf("%s in %s: level %v, want %v", name, stack, p.EnforcementLevel(), want)
			}
		}
	}
}

func TestKinds(t *testing.T) {
	for name, p := range build(t, StackInfo{Stack: "dev", Project: "p"}) {
		rp, _ := rules.Find(name)
		_, isStack := p.(policyx.StackValidationPolicy)
		_, isResource := p.(policyx.ResourceValidationPolicy)
		if isStack != rp.IsStack() || isResource == rp.IsStack() {
			t.Errorf("%s: stack policy %v, resource policy %v; rule is stack: %v", name, isStack, isResource, rp.IsStack())
		}
		if (p.ConfigSchema() == nil) != (len(rp.Properties) == 0) {
			t.Errorf("%s: schema %v for %d properties", name, p.ConfigSchema(), len(rp.Properties))
		}
	}
}

func analyzerResource(typ, name, stack string, props map[string]any, protect bool) policyx.AnalyzerResource {
	r := policyx.AnalyzerResource{
		Type:       typ,
		Name:       name,
		URN:        "urn:pulumi:" + stack + "::kafka-data-plane::" + typ + "::" + name,
		Properties: resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(props)),
	}
	r.Options.Protect = protect
	return r
}

func validate(t *testing.T, p policyx.Policy, r policyx.AnalyzerResource, cfg map[string]any) []reported {
	t.Helper()
	m := &manager{}
	err := p.(policyx.ResourceValidationPolicy).Validate(context.Background(), policyx.ResourceValidationArgs{Manager: m, Resource: r, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return m.got
}

func TestResourcePolicyThroughPolicyx(t *testing.T) {
	ps := build(t, StackInfo{Stack: "staging", Project: "kafka-data-plane"})
	topic := analyzerResource(rules.TypeKafkaTopic, "runtime", "prod", map[string]any{"topicName": "prod-runtime", "replication": 2}, true)

	got := validate(t, ps[rules.KafkaTopicReplication], topic, nil)
	if len(got) != 1 || got[0].urn != topic.URN || !strings.Contains(got[0].msg, `"runtime": replication is 2; topics need at least 3 replicas in prod`) {
		t.Errorf("reports %v", got)
	}
	// JSON-decoded configuration (numbers as float64) is honoured.
	if got := validate(t, ps[rules.KafkaTopicReplication], topic, map[string]any{"minReplicationProd": float64(2)}); len(got) != 0 {
		t.Errorf("with minReplicationProd 2: %v", got)
	}
	// The stack comes from the URN: the same topic in staging passes.
	staging := analyzerResource(rules.TypeKafkaTopic, "runtime", "staging", map[string]any{"topicName": "staging-runtime", "replication": 2}, false)
	if got := validate(t, ps[rules.KafkaTopicReplication], staging, nil); len(got) != 0 {
		t.Errorf("staging topic: %v", got)
	}
}

// TestComputedSkipped sends values that are unknown during preview, as the
// engine does, through the policyx adapter.
func TestComputedSkipped(t *testing.T) {
	ps := build(t, StackInfo{Stack: "prod", Project: "p"})
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	out := resource.NewOutputProperty(resource.Output{Known: false})
	cases := map[string]policyx.AnalyzerResource{
		rules.KafkaTopicReplication: analyzerResource(rules.TypeKafkaTopic, "t", "prod", map[string]any{"replication": unknown}, true),
		rules.KafkaTopicNamePrefix:  analyzerResource(rules.TypeKafkaTopic, "t", "prod", map[string]any{"topicName": out}, true),
		rules.KafkaTopicRetention:   analyzerResource(rules.TypeKafkaTopic, "t", "prod", map[string]any{"config": unknown}, true),
		rules.DNSARecordContent:     analyzerResource(rules.TypeDNSRecord, "r", "prod", map[string]any{"type": "A", "content": out}, false),
		rules.WorkerSecretBindings: analyzerResource(rules.TypeWorkersScript, "w", "prod", map[string]any{"bindings": []any{
			map[string]any{"name": "API_TOKEN", "type": "secret_text", "text": unknown}}}, false),
		rules.RequiredTags:  analyzerResource(rules.TypePubSubTopic, "t", "prod", map[string]any{"labels": unknown}, false),
		rules.GmailTopicIAM: analyzerResource(rules.TypeTopicIAMMember, "m", "prod", map[string]any{"topic": out, "member": "allUsers", "role": "roles/owner"}, false),
	}
	for name, r := range cases {
		if got := validate(t, ps[name], r, nil); len(got) != 0 {
			t.Errorf("%s reported unknown values: %v", name, got)
		}
	}
}

func TestStackPolicyThroughPolicyx(t *testing.T) {
	ps := build(t, StackInfo{Stack: "staging", Project: "cloudflare-workers"})
	queue := analyzerResource(rules.TypeQueue, "new-content", "staging", map[string]any{"queueName": "staging-new-content-constellation", "queueId": "q1"}, false)
	queueURN := queue.URN
	consumer := func(name string) policyx.AnalyzerResource {
		r := analyzerResource(rules.TypeQueueConsumer, name, "staging", map[string]any{"queueId": "q1"}, false)
		r.PropertyDependencies = map[string][]string{"queueId": {queueURN}}
		return r
	}
	m := &manager{}
	err := ps[rules.QueueSingleConsumer].(policyx.StackValidationPolicy).Validate(context.Background(),
		policyx.StackValidationArgs{Manager: m, Resources: []policyx.AnalyzerResource{queue, consumer("a"), consumer("b")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.got) != 1 || m.got[0].urn != queueURN || !strings.Contains(m.got[0].msg, "the queue has 2 consumers") {
		t.Errorf("reports %v", m.got)
	}
	m = &manager{}
	err = ps[rules.QueueConsumerDLQ].(policyx.StackValidationPolicy).Validate(context.Background(),
		policyx.StackValidationArgs{Manager: m, Resources: []policyx.AnalyzerResource{queue, consumer("a")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.got) != 1 || !strings.Contains(m.got[0].msg, "has no dead-letter queue") {
		t.Errorf("reports %v", m.got)
	}
}

func TestStackConfigPolicy(t *testing.T) {
	config := map[string]bool{"cloudflare:apiToken": false, "dns:zoneName": false, "dns:webhookSecret": true, "dns:extraToken": false}
	info := StackInfo{
		Stack: "prod", Project: "dns",
		Config: func(key string) (bool, bool) {
			secret, ok := config[key]
			return ok, secret
		},
		FileKeys: []string{"dns:zoneName", "dns:webhookSecret"},
	}
	ps := build(t, info)
	stack := analyzerResource(rules.StackType, "dns-prod", "prod", nil, false)
	got := validate(t, ps[rules.NoPlaintextSecretConfig], stack, nil)
	if len(got) != 1 || !strings.Contains(got[0].msg, `configuration key "cloudflare:apiToken" looks like a secret`) {
		t.Errorf("reports %v", got)
	}
	// Keys named in the policy config are checked too.
	got = validate(t, ps[rules.NoPlaintextSecretConfig], stack, map[string]any{"keys": []any{"dns:extraToken"}})
	if len(got) != 2 || !strings.Contains(got[1].msg, `"dns:extraToken"`) {
		t.Errorf("with keys: reports %v", got)
	}
	// Other resources are not the stack.
	if got := validate(t, ps[rules.NoPlaintextSecretConfig], analyzerResource(rules.TypeQueue, "q", "prod", nil, false), nil); len(got) != 0 {
		t.Errorf("queue: %v", got)
	}
}

func TestStackFileKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Pulumi.dev.yaml")
	err := os.WriteFile(path, []byte("encryptionsalt: v1:abc\nconfig:\n  dns:zoneName: clustera.io\n  webhookSecret:\n    secure: v1:xyz\n  gcp:project: p\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	info := StackInfo{Stack: "dev", Project: "dns", Config: func(string) (bool, bool) { return true, false }}
	info.FileKeys = stackfile.Keys(path, "dns")
	var keys []string
	for _, e := range StackConfig(info, []string{"dns:zoneName"}) {
		keys = append(keys, e.Key)
	}
	want := "aiven:apiToken cloudflare:apiKey cloudflare:apiToken cloudflare:apiUserServiceKey dns:webhookSecret dns:zoneName gcp:accessToken gcp:credentials gcp:project vectorize:apiToken"
	if strings.Join(keys, " ") != want {
		t.Errorf("keys\n got %s\nwant %s", strings.Join(keys, " "), want)
	}
}
