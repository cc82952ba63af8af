package crossstack

import (
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/policies/rules"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const acc = "10ca1000000000000000000000000001"

func res(typ, name string, inputs, outputs map[string]any) mocktest.Resource {
	r := mocktest.Resource{Type: typ, Name: name, Custom: true, Inputs: resource.NewPropertyMapFromMap(inputs)}
	if outputs != nil {
		r.Outputs = resource.NewPropertyMapFromMap(outputs)
	}
	return r
}

func project(name string, rs ...mocktest.Resource) *mockrun.ProjectResult {
	return &mockrun.ProjectResult{Name: name, Stack: "local", Upstreams: contracts.Upstreams(name), Resources: rs}
}

func result(ps ...*mockrun.ProjectResult) *mockrun.Result {
	return &mockrun.Result{Env: "local", Projects: ps}
}

// expect checks that fs holds exactly n findings of check, each mentioning
// every string of want.
func expect(t *testing.T, fs []Finding, check string, n int, want ...string) {
	t.Helper()
	var got []Finding
	for _, f := range fs {
		if f.Check == check {
			got = append(got, f)
		}
	}
	if len(got) != n {
		t.Fatalf("%d %s findings, want %d: %v", len(got), check, n, fs)
	}
	for _, f := range got {
		if f.Problem == "" || f.Fix == "" || f.Subject == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		for _, w := range want {
			if !strings.Contains(f.String(), w) {
				t.Errorf("finding %q lacks %q", f, w)
			}
		}
	}
}

func dnsRecord(name, content string) mocktest.Resource {
	return res(rules.TypeDNSRecord, name+"-"+content, map[string]any{"zoneId": "z", "name": name, "type": "A", "content": content, "ttl": 300}, nil)
}

func TestDNSRecordsOnlyInDNS(t *testing.T) {
	ok := result(project(contracts.DNSProject, dnsRecord("a.clustera.test", "192.0.2.1")), project(contracts.CloudflareWorkersProject))
	expect(t, DNSRecordsOnlyInDNS(ok), DNSOwner, 0)
	bad := result(project(contracts.DNSProject), project(contracts.CloudflareWorkersProject, dnsRecord("api.clustera.test", "192.0.2.9")))
	expect(t, DNSRecordsOnlyInDNS(bad), DNSOwner, 1, "cloudflare-workers", `"api.clustera.test"`, "dns:nodes")
}

func TestContractReads(t *testing.T) {
	ki := project(contracts.KafkaIntegrationsProject)
	ki.StackRefs = []string{"organization/kafka-data-plane/local"}
	expect(t, ContractReadsOf(result(ki)), ContractReads, 0)

	t.Run("undeclared upstream and other stack", func(t *testing.T) {
		p := project(contracts.KafkaIntegrationsProject)
		p.StackRefs = []string{"organization/kafka-data-plane/local", "organization/dns/prod"}
		fs := ContractReadsOf(result(p))
		expect(t, fs, ContractReads, 2, "organization/dns/prod")
		if !strings.Contains(fs[0].Problem+fs[1].Problem, "not one of its declared upstreams (kafka-data-plane)") ||
			!strings.Contains(fs[0].Problem+fs[1].Problem, "reads stack prod from the local stack") {
			t.Errorf("findings %v", fs)
		}
	})
	t.Run("declared upstream never read", func(t *testing.T) {
		p := project(contracts.KafkaIntegrationsProject)
		expect(t, ContractReadsOf(result(p)), ContractReads, 1, "declares kafka-data-plane as an upstream but never reads")
		// A failed program may have stopped before reading: no finding.
		p.Err = &mockrun.ProgramError{Project: p.Name, Stack: "local", Err: errString("invalid configuration")}
		expect(t, ContractReadsOf(result(p)), ContractReads, 0)
		// A blocked one never ran.
		p.Err = &walk.BlockedError{By: []string{"kafka-data-plane"}}
		expect(t, ContractReadsOf(result(p)), ContractReads, 0)
	})
	t.Run("missing keys", func(t *testing.T) {
		p := project(contracts.KafkaIntegrationsProject)
		p.StackRefs = []string{"organization/kafka-data-plane/local"}
		p.MissingKeys = map[string][]string{contracts.KafkaDataPlaneProject: {"kafkaService"}}
		p.Err = &mockrun.ProgramError{Project: p.Name, Stack: "local", Err: errString(`awaiting input property "serviceName": stack organization/kafka-data-plane/local has no output "kafkaService", which its contract requires`)}
		// Reported once, from MissingKeys and the error alike.
		expect(t, ContractReadsOf(result(p)), ContractReads, 1, `reads output "kafkaService", which kafka-data-plane does not export`)
		p.MissingKeys = nil
		expect(t, ContractReadsOf(result(p)), ContractReads, 1, `"kafkaService"`)
	})
	t.Run("wrong type and missing map entry", func(t *testing.T) {
		p := project(contracts.CloudflareWorkersProject)
		p.StackRefs = []string{"organization/cloudflare-storage/local"}
		p.Err = &mockrun.ProgramError{Project: p.Name, Stack: "local", Err: errString(
			`stack organization/cloudflare-storage/local: output "queueIds" is a map[string]interface {}, but its contract expects a string; ` +
				`cloudflare-storage output "queueNames" has no entry "embed-dead-letter" (it has [a b])`)}
		fs := ContractReadsOf(result(p))
		expect(t, fs, ContractReads, 2)
		all := fs[0].String() + fs[1].String()
		for _, w := range []string{`output "queueIds" of cloudflare-storage is a map[string]interface {}`, `needs the entry "embed-dead-letter"`} {
			if !strings.Contains(all, w) {
				t.Errorf("findings lack %q: %v", w, fs)
			}
		}
	})
}

type errString string

func (e errString) Error() string { return string(e) }

func TestContractExports(t *testing.T) {
	dp := project(contracts.KafkaDataPlaneProject)
	dp.Exports = map[string]any{"aivenProject": "p", "kafkaService": "k", "topicNames": map[string]any{}}
	expect(t, ContractExportsOf(result(dp)), ContractExports, 0)
	dp.Exports = map[string]any{"aivenProject": "p", "topicNames": map[string]any{}, "brokers": "x"}
	fs := ContractExportsOf(result(dp))
	expect(t, fs, ContractExports, 2, "kafka-data-plane")
	if !strings.Contains(fs[0].String()+fs[1].String(), `key "kafkaService"`) || !strings.Contains(fs[0].String()+fs[1].String(), `exports "brokers"`) {
		t.Errorf("findings %v", fs)
	}
	// A failed program exported nothing: no finding.
	dp.Err = errString("boom")
	expect(t, ContractExportsOf(result(dp)), ContractExports, 0)
}

func queueRes(logical, name, id string) mocktest.Resource {
	return res(rules.TypeQueue, logical, map[string]any{"accountId": acc, "queueName": name}, map[string]any{"accountId": acc, "queueName": name, "queueId": id})
}

func TestUniqueCloudObjects(t *testing.T) {
	ok := result(
		project(contracts.CloudflareStorageProject, queueRes("jobs", "local-jobs", "q1"),
			res(rules.TypeD1Database, "meta", map[string]any{"accountId": acc, "name": "local-meta"}, nil)),
		project(contracts.CloudflareWorkersProject,
			// Same name in another account is another object.
			res(rules.TypeQueue, "jobs", map[string]any{"accountId": "other", "queueName": "local-jobs"}, nil)),
		project(contracts.DNSProject, dnsRecord("a.clustera.test", "192.0.2.1"), dnsRecord("a.clustera.test", "192.0.2.2")),
	)
	expect(t, UniqueCloudObjects(ok), UniqueObjects, 0)

	bad := result(
		project(contracts.CloudflareStorageProject, queueRes("jobs", "local-jobs", "q1"),
			res(rules.TypeR2Bucket, "raw", map[string]any{"accountId": acc, "name": "local-raw"}, nil)),
		project(contracts.CloudflareWorkersProject, queueRes("jobs-again", "local-jobs", "q2"),
			res(rules.TypeR2Bucket, "raw", map[string]any{"accountId": acc, "name": "local-raw", "jurisdiction": "default"}, nil)),
		project(contracts.KafkaDataPlaneProject, res(rules.TypeKafkaTopic, "runtime", map[string]any{"project": "p", "serviceName": "s", "topicName": "local-runtime"}, nil)),
		project(contracts.KafkaIntegrationsProject, res(rules.TypeKafkaTopic, "rt", map[string]any{"project": "p", "serviceName": "s", "topicName": "local-runtime"}, nil)),
		project(contracts.DNSProject, dnsRecord("a.clustera.test", "192.0.2.1"), dnsRecord("a.clustera.test", "192.0.2.1")),
	)
	fs := UniqueCloudObjects(bad)
	expect(t, fs, UniqueObjects, 4)
	all := ""
	for _, f := range fs {
		all += f.String() + "\n"
	}
	for _, w := range []string{
		`stacks cloudflare-storage, cloudflare-workers manage the same queue`,
		`R2 bucket accountId="` + acc + `" jurisdiction="default" name="local-raw"`,
		`stacks kafka-data-plane, kafka-integrations manage the same Kafka topic`,
		`2 resources manage the same DNS record`,
	} {
		if !strings.Contains(all, w) {
			t.Errorf("findings lack %q:\n%s", w, all)
		}
	}
}

func consumer(queueID, script, dlq string) mocktest.Resource {
	in := map[string]any{"accountId": acc, "queueId": queueID, "type": "worker", "scriptName": script}
	if dlq != "" {
		in["deadLetterQueue"] = dlq
	}
	return res(rules.TypeQueueConsumer, "c-"+script+"-"+queueID, in, nil)
}

func script(name string) mocktest.Resource {
	return res(rules.TypeWorkersScript, name, map[string]any{"accountId": acc, "scriptName": name}, nil)
}

func storage() *mockrun.ProjectResult {
	return project(contracts.CloudflareStorageProject,
		queueRes("new-content-constellation", "local-new-content-constellation", "q-embed"),
		queueRes("embed-dead-letter", "local-embed-dead-letter", "q-dlq"),
		queueRes("content-events", "local-content-events", "q-events"))
}

func TestQueueConsumers(t *testing.T) {
	ok := result(storage(), project(contracts.CloudflareWorkersProject,
		script("local-constellation"), script("local-silo"),
		consumer("q-embed", "local-constellation", "local-embed-dead-letter"),
		consumer("q-events", "local-silo", "")))
	expect(t, QueueConsumersOf(ok), QueueConsumers, 0)

	cases := []struct {
		name string
		rs   []mocktest.Resource
		want string
	}{
		{"two consumers across stacks", nil, "the queue has 2 consumers across stacks cloudflare-storage, cloudflare-workers"},
		{"embedding consumer without DLQ", []mocktest.Resource{consumer("q-embed", "local-constellation", "")}, "has no dead-letter queue"},
		{"embedding queue as its own DLQ", []mocktest.Resource{consumer("q-embed", "local-constellation", "local-new-content-constellation")}, "uses the queue itself"},
		{"DLQ no stack declares", []mocktest.Resource{consumer("q-embed", "local-constellation", "local-nowhere")}, `"local-nowhere", which no stack of the environment declares`},
		{"unknown queue", []mocktest.Resource{consumer("q-gone", "local-constellation", "")}, `queue ID "q-gone", which no stack`},
		{"unknown Worker", []mocktest.Resource{consumer("q-events", "local-ghost", "")}, `Worker "local-ghost" is declared by no stack`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storage()
			workers := project(contracts.CloudflareWorkersProject, script("local-constellation"), script("local-silo"))
			workers.Resources = append(workers.Resources, tc.rs...)
			if tc.rs == nil {
				// A second consumer of content-events, in another stack.
				workers.Resources = append(workers.Resources, consumer("q-events", "local-silo", ""))
				st.Resources = append(st.Resources, consumer("q-events", "local-constellation", ""))
			}
			expect(t, QueueConsumersOf(result(st, workers)), QueueConsumers, 1, tc.want)
		})
	}
}

func TestScanSource(t *testing.T) {
	bad := map[string]string{
		"direct": `package p
import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
func f(ctx *pulumi.Context) {
	ref, _ := pulumi.NewStackReference(ctx, "organization/dns/local", nil)
	_ = ref.GetStringOutput(pulumi.String("fqdns"))
}`,
		"alias": `package p
import sdk "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
var _ *sdk.StackReference`,
		"dot": `package p
import . "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
var _ StackReferenceArgs`,
		"token": `package p
const t = "pulumi:pulumi:StackReference"`,
		"read on a value from elsewhere": `package p
func f(ref interface{ GetOutput(any) any }) { ref.GetOutput("x") }`,
	}
	wantN := map[string]int{"direct": 2, "alias": 1, "dot": 1, "token": 1, "read on a value from elsewhere": 1}
	for name, src := range bad {
		fs, err := ScanSource("projects/dns/program/x.go", src)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, fs, DirectStackReference, wantN[name], "projects/dns/program/x.go:", "contracts.Read")
		if fs[0].Project != "dns" {
			t.Errorf("%s: project %q", name, fs[0].Project)
		}
	}
	good := `package p
import (
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi-cloudflare/sdk/v6/go/cloudflare"
)
func f(ctx *pulumi.Context) error {
	_, err := contracts.Read[contracts.DNS](ctx, "")
	_ = cloudflare.LookupZoneOutput
	return err
}`
	fs, err := ScanSource("projects/dns/program/x.go", good)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, fs, DirectStackReference, 0)
	if _, err := ScanSource("x.go", "package"); err == nil {
		t.Error("a syntax error was not reported")
	}
}

func TestScanSourcesSkipsContractsAndTests(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		if err := writeFile(root, rel, src); err != nil {
			t.Fatal(err)
		}
	}
	direct := "package p\nconst t = \"pulumi:pulumi:StackReference\"\n"
	write("shared/contracts/io.go", direct)
	write("shared/mocktest/mocktest.go", direct)
	write("projects/dns/program/program_test.go", direct)
	write("projects/dns/program/program.go", "package program\n")
	fs, err := ScanSources(root)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, fs, DirectStackReference, 0)
	write("projects/gcp-gmail/program/read.go", direct)
	write("shared/topics/read.go", direct)
	fs, err = ScanSources(root)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, fs, DirectStackReference, 2)
	if fs[0].Subject != "projects/gcp-gmail/program/read.go:2:11" || fs[1].Project != "shared" {
		t.Errorf("findings %v", fs)
	}
}

// TestRepositoryPasses runs every program of the repository under mocks
// for local (and staging, where dns cannot run without a zone ID) and
// checks the whole repository passes every check.
func TestRepositoryPasses(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"local", "staging"} {
		r, err := mockrun.Run(env, mockrun.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if env == "local" && len(r.Failed()) > 0 {
			t.Fatalf("local: %v", r.Failed()[0].Err)
		}
		fs, err := Check(r, root)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			t.Errorf("%s: %s", env, f)
		}
	}
}

// TestDroppedKeysAreFound feeds consumers less than their producers
// export and checks the contract-reads check names the key: a top-level
// key (used or not) and a map entry.
func TestDroppedKeysAreFound(t *testing.T) {
	for _, tc := range []struct {
		producer, key, entry, want string
	}{
		{contracts.KafkaDataPlaneProject, "kafkaService", "", `kafka-integrations reads output "kafkaService", which kafka-data-plane does not export`},
		{contracts.KafkaDataPlaneProject, "topicNames", "", `kafka-integrations reads output "topicNames", which kafka-data-plane does not export`},
		{contracts.KafkaIntegrationsProject, "gmailWorkerTopic", "", `gcp-gmail reads output "gmailWorkerTopic"`},
		{contracts.CloudflareStorageProject, "queueIds", "", `cloudflare-workers reads output "queueIds"`},
		{contracts.CloudflareStorageProject, "queueNames", "embed-dead-letter", `cloudflare-workers needs the entry "embed-dead-letter", which cloudflare-storage does not export`},
	} {
		r, err := mockrun.Run("local", mockrun.Options{Feed: func(p string, e map[string]any) map[string]any {
			if p != tc.producer {
				return e
			}
			if tc.entry == "" {
				delete(e, tc.key)
			} else {
				delete(e[tc.key].(map[string]any), tc.entry)
			}
			return e
		}})
		if err != nil {
			t.Fatal(err)
		}
		fs := ContractReadsOf(r)
		if len(fs) != 1 || !strings.Contains(fs[0].String(), tc.want) {
			t.Errorf("drop %s %s %s: findings %v", tc.producer, tc.key, tc.entry, fs)
		}
	}
}

func TestChecksAreNamed(t *testing.T) {
	if len(Checks()) != 6 {
		t.Fatalf("Checks() = %v", Checks())
	}
	if sandbox.QueueType != rules.TypeQueue || sandbox.DNSRecordType != rules.TypeDNSRecord {
		t.Fatal("the sandbox and the policy rules disagree on type tokens")
	}
}
