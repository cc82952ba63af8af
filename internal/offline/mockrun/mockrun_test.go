package mockrun

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/engine/walk"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func run(t *testing.T, env string, opts Options) *Result {
	t.Helper()
	res, err := Run(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestLocalRunsEveryProgramUpstreamsFirst(t *testing.T) {
	res := run(t, "local", Options{})
	if len(res.Projects) != len(contracts.Projects) {
		t.Fatalf("ran %d projects, want %d", len(res.Projects), len(contracts.Projects))
	}
	pos := map[string]int{}
	for i, p := range res.Projects {
		pos[p.Name] = i
	}
	for _, p := range res.Projects {
		if p.Err != nil {
			t.Fatalf("%s failed: %v", p.Name, p.Err)
		}
		if p.Stack != "local" || len(p.Resources) == 0 {
			t.Errorf("%s: stack %q, %d resources", p.Name, p.Stack, len(p.Resources))
		}
		var want []string
		for _, u := range contracts.Upstreams(p.Name) {
			if pos[u] >= pos[p.Name] {
				t.Errorf("%s ran before its upstream %s", p.Name, u)
			}
			want = append(want, contracts.StackName("organization", u, "local"))
		}
		if !reflect.DeepEqual(p.StackRefs, want) {
			t.Errorf("%s: StackRefs = %v, want %v", p.Name, p.StackRefs, want)
		}
		c, _ := contracts.For(p.Name)
		if got := sortedKeys(p.Exports); !reflect.DeepEqual(got, contracts.Keys(c)) {
			t.Errorf("%s: exports %v, want the contract's keys %v", p.Name, got, contracts.Keys(c))
		}
		if len(p.MissingKeys) != 0 {
			t.Errorf("%s: missing keys %v", p.Name, p.MissingKeys)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestConsumerReadsOnlyWhatTheProducerExported(t *testing.T) {
	res := run(t, "local", Options{Feed: func(producer string, e map[string]any) map[string]any {
		if producer == contracts.KafkaDataPlaneProject {
			delete(e, "kafkaService")
		}
		return e
	}})
	ki := res.Get(contracts.KafkaIntegrationsProject)
	var pe *ProgramError
	if !errors.As(ki.Err, &pe) || !strings.Contains(ki.Err.Error(), `organization/kafka-data-plane/local has no output "kafkaService"`) {
		t.Fatalf("kafka-integrations: err = %v", ki.Err)
	}
	if got := ki.MissingKeys[contracts.KafkaDataPlaneProject]; !reflect.DeepEqual(got, []string{"kafkaService"}) {
		t.Errorf("MissingKeys = %v", ki.MissingKeys)
	}
	// The producer's own record is untouched by the feed.
	if _, ok := res.Get(contracts.KafkaDataPlaneProject).Exports["kafkaService"]; !ok {
		t.Error("Feed changed the producer's recorded exports")
	}
	gm := res.Get(contracts.GCPGmailProject)
	var b *walk.BlockedError
	if !errors.As(gm.Err, &b) || gm.Status() != walk.Blocked || !reflect.DeepEqual(b.By, []string{contracts.KafkaIntegrationsProject}) {
		t.Fatalf("gcp-gmail: err = %v", gm.Err)
	}
	for _, name := range []string{contracts.CloudflareStorageProject, contracts.CloudflareWorkersProject, contracts.DNSProject, contracts.KafkaDataPlaneProject} {
		if p := res.Get(name); !p.OK() {
			t.Errorf("%s: %v", name, p.Err)
		}
	}
	if got := len(res.Failed()); got != 2 {
		t.Errorf("Failed() has %d projects, want 2", got)
	}
}

func TestUnusedMissingKeyIsRecorded(t *testing.T) {
	// kafka-integrations reads topicNames of kafka-data-plane (contracts.Read
	// reads every key) without using it: the run succeeds, but the missing
	// key is recorded.
	res := run(t, "local", Options{Feed: func(producer string, e map[string]any) map[string]any {
		if producer == contracts.KafkaDataPlaneProject {
			delete(e, "topicNames")
		}
		return e
	}})
	ki := res.Get(contracts.KafkaIntegrationsProject)
	if got := ki.MissingKeys[contracts.KafkaDataPlaneProject]; !reflect.DeepEqual(got, []string{"topicNames"}) {
		t.Fatalf("MissingKeys = %v (err %v)", ki.MissingKeys, ki.Err)
	}
}

func TestConfigErrorDoesNotStopTheOthers(t *testing.T) {
	// A node without an address fails dns's validation; the others run.
	res := run(t, "staging", Options{Config: map[string]map[string]string{
		contracts.DNSProject: {"dns:nodes": `[{"name":"staging-1","ips":[],"domain":"staging-1.clustera.io"}]`},
	}})
	for _, p := range res.Projects {
		if p.Name == contracts.DNSProject {
			if p.OK() || !strings.Contains(p.Err.Error(), "projects/dns/Pulumi.staging.yaml: dns:nodes[0].ips") {
				t.Errorf("dns: err = %v", p.Err)
			}
			if len(p.Resources) != 0 {
				t.Errorf("dns registered %d resources before failing validation", len(p.Resources))
			}
			continue
		}
		if !p.OK() {
			t.Errorf("%s: %v", p.Name, p.Err)
		}
	}
}

// TestSharedEnvironmentsRunOffline runs every program of staging and prod
// with their committed configuration: the DNS zone, which their
// environment files name but do not identify, is answered from the
// environment files as the sandbox answers it, and the Worker bundles are
// not fetched (their content is unknown offline; their pins are checked).
func TestSharedEnvironmentsRunOffline(t *testing.T) {
	for _, env := range []string{"staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			res := run(t, env, Options{})
			for _, p := range res.Projects {
				if !p.OK() {
					t.Errorf("%s: %v", p.Name, p.Err)
				}
			}
			zone := sandbox.ZoneID("2d45fcd3b3e68735a6ab3542fb494c19", "clustera.io")
			var records int
			for _, r := range res.Get(contracts.DNSProject).Resources {
				if r.Type == sandbox.DNSRecordType {
					records++
					if r.String("zoneId") != zone {
						t.Errorf("%s: zone %q, want %s", r.Name, r.String("zoneId"), zone)
					}
				}
			}
			if records == 0 {
				t.Error("dns declared no record")
			}
			for _, r := range res.Get(contracts.CloudflareWorkersProject).Resources {
				if r.Type == sandbox.WorkersScriptType && (!r.Get("content").IsNull() || r.String("mainModule") != "index.js") {
					t.Errorf("%s: content %v, mainModule %q: the offline run fetched or made up Worker code", r.Name, r.Get("content"), r.String("mainModule"))
				}
			}
		})
	}
}

// TestOfflineInvokes checks the invokes the offline run answers: the zone
// data source, as the sandbox does; any other function fails, naming it.
func TestOfflineInvokes(t *testing.T) {
	zones := []sandbox.Zone{{ID: "0123456789abcdef0123456789abcdef", Name: "clustera.io", AccountID: "a"}}
	call := invoke(zones)
	args := resource.NewPropertyMapFromMap(map[string]any{"filter": map[string]any{"name": "clustera.io", "match": "all"}})
	out, err := call(pulumi.MockCallArgs{Token: sandbox.GetZoneToken, Args: args})
	if err != nil || out["zoneId"].StringValue() != zones[0].ID {
		t.Fatalf("getZone = %v, %v", out["zoneId"], err)
	}
	args = resource.NewPropertyMapFromMap(map[string]any{"filter": map[string]any{"name": "clustera.dev"}})
	if _, err := call(pulumi.MockCallArgs{Token: sandbox.GetZoneToken, Args: args}); err == nil || !strings.Contains(err.Error(), "0 found") {
		t.Errorf("unknown zone: %v", err)
	}
	if _, err := call(pulumi.MockCallArgs{Token: "gcp:organizations/getProject:getProject"}); err == nil || !strings.Contains(err.Error(), "getProject") {
		t.Errorf("other function: %v", err)
	}
}

// replace returns the registry with one project's Deploy replaced.
func replace(name string, deploy func(*pulumi.Context) (contracts.Contract, error)) []Project {
	ps := Registry()
	for i := range ps {
		if ps[i].Name == name {
			ps[i].Deploy = deploy
		}
	}
	return ps
}

func TestFailureBlocksDependentsTransitively(t *testing.T) {
	res := run(t, "local", Options{Projects: replace(contracts.KafkaDataPlaneProject, func(*pulumi.Context) (contracts.Contract, error) {
		return nil, errors.New("boom")
	})})
	if p := res.Get(contracts.KafkaDataPlaneProject); p.Blocked() || !strings.Contains(p.Err.Error(), "kafka-data-plane (stack local): boom") {
		t.Fatalf("kafka-data-plane: %v", p.Err)
	}
	// Each dependent names the root failure, as the walker reports it.
	for _, name := range []string{contracts.KafkaIntegrationsProject, contracts.GCPGmailProject} {
		p := res.Get(name)
		var b *walk.BlockedError
		if !errors.As(p.Err, &b) || !reflect.DeepEqual(b.By, []string{contracts.KafkaDataPlaneProject}) || p.Status() != walk.Blocked || len(p.Resources) != 0 {
			t.Errorf("%s: err = %v, %d resources", name, p.Err, len(p.Resources))
		}
	}
	for _, name := range []string{contracts.CloudflareStorageProject, contracts.CloudflareWorkersProject, contracts.DNSProject} {
		if p := res.Get(name); !p.OK() {
			t.Errorf("%s: %v", name, p.Err)
		}
	}
}

func TestPanicIsAProgramError(t *testing.T) {
	res := run(t, "local", Options{Projects: replace(contracts.DNSProject, func(*pulumi.Context) (contracts.Contract, error) {
		panic("kaboom")
	})})
	if p := res.Get(contracts.DNSProject); p.OK() || !strings.Contains(p.Err.Error(), "program panicked: kaboom") {
		t.Fatalf("dns: %v", p.Err)
	}
	if p := res.Get(contracts.KafkaDataPlaneProject); !p.OK() {
		t.Fatalf("kafka-data-plane: %v", p.Err)
	}
}

func TestSecretExportsAreRecorded(t *testing.T) {
	res := run(t, "local", Options{Projects: replace(contracts.DNSProject, func(*pulumi.Context) (contracts.Contract, error) {
		return contracts.DNS{
			FQDNs:   pulumi.ToSecret(pulumi.ToStringArray([]string{"a.clustera.test"})).(pulumi.StringArrayOutput),
			Records: pulumi.ToStringMap(map[string]string{"a.clustera.test/192.0.2.1": "x"}).ToStringMapOutput(),
		}, nil
	})})
	p := res.Get(contracts.DNSProject)
	if !p.OK() {
		t.Fatal(p.Err)
	}
	if !reflect.DeepEqual(p.SecretExports, map[string]bool{"fqdns": true}) {
		t.Fatalf("SecretExports = %v", p.SecretExports)
	}
	if !reflect.DeepEqual(p.Exports["fqdns"], []any{"a.clustera.test"}) {
		t.Fatalf("Exports = %v", p.Exports)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	if _, err := Run("Not An Env", Options{}); err == nil || !strings.Contains(err.Error(), "unknown environment") {
		t.Errorf("unknown env: %v", err)
	}
	deploy := func(*pulumi.Context) (contracts.Contract, error) { return nil, nil }
	_, err := Run("local", Options{Projects: []Project{
		{Name: "a", Upstreams: []string{"b"}, Deploy: deploy},
		{Name: "b", Upstreams: []string{"a"}, Deploy: deploy},
	}})
	if err == nil || !strings.Contains(err.Error(), "dependency cycle: a → b → a") {
		t.Errorf("cycle: %v", err)
	}
	_, err = Run("local", Options{Projects: []Project{{Name: "a"}}})
	if err == nil || !strings.Contains(err.Error(), `"a" has no Deploy`) {
		t.Errorf("no deploy: %v", err)
	}
	_, err = Run("local", Options{Projects: []Project{{Name: "a", Deploy: deploy}, {Name: "a", Deploy: deploy}}})
	if err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate: %v", err)
	}
}

// TestQueueOutputsJoinAcrossStacks: a queue's queueId output is its ID (as
// in the sandbox), the ID the storage contract exports, so a Worker's
// consumer resolves the queue's name across stacks.
func TestQueueOutputsJoinAcrossStacks(t *testing.T) {
	res := run(t, "local", Options{})
	st := res.Get(contracts.CloudflareStorageProject)
	ids, _ := st.Exports["queueIds"].(map[string]any)
	names, _ := st.Exports["queueNames"].(map[string]any)
	queues := 0
	for _, r := range st.Resources {
		if r.Type != sandbox.QueueType {
			continue
		}
		queues++
		if got := r.Outputs["queueId"]; !got.IsString() || got.StringValue() != ids[r.Name] {
			t.Errorf("queue %s: queueId output %v, contract ID %v", r.Name, got, ids[r.Name])
		}
	}
	if queues == 0 || queues != len(ids) {
		t.Fatalf("%d queues, %d contract IDs", queues, len(ids))
	}
	consumers := 0
	for _, r := range res.Get(contracts.CloudflareWorkersProject).Resources {
		if r.Type != sandbox.QueueConsumerType {
			continue
		}
		consumers++
		logical := strings.TrimSuffix(r.Name, "-consumer")
		if got := r.Outputs["queueName"]; !got.IsString() || got.StringValue() != names[logical] {
			t.Errorf("consumer %s: queueName output %v, want %v", r.Name, got, names[logical])
		}
		if got := r.Outputs["consumerId"]; !got.IsString() || len(got.StringValue()) != 32 {
			t.Errorf("consumer %s: consumerId %v", r.Name, got)
		}
	}
	if consumers == 0 {
		t.Fatal("no consumers")
	}
	for _, r := range st.Resources {
		if r.Type == sandbox.R2BucketEventNotificationType {
			if got := r.Outputs["queueName"]; !got.IsString() || !slices.Contains(values(names), got.StringValue()) {
				t.Errorf("notification %s: queueName %v", r.Name, got)
			}
		}
	}
}

func values(m map[string]any) []string {
	var out []string
	for _, v := range m {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func TestDependentsRegisterNothingBeforeTheirUpstreamsFinish(t *testing.T) {
	// The orchestrator starts a dependent while its upstreams deploy; its
	// program waits in contracts.Read. Should an upstream then fail, the
	// dependent must have declared nothing: every program reads its
	// upstreams before it registers a resource. Each upstream fails in
	// turn, on every edge of the graph.
	errUpstream := errors.New("upstream failed")
	edges := 0
	for _, failing := range contracts.Projects {
		release := contracts.AwaitUpstreams(func(upstream string) error {
			if upstream == failing {
				return errUpstream
			}
			return nil
		})
		for _, env := range []string{"local", "prod"} {
			for _, p := range run(t, env, Options{}).Projects {
				if !slices.Contains(p.Upstreams, failing) {
					continue
				}
				edges++
				if !errors.Is(p.Err, errUpstream) {
					t.Errorf("%s/%s with %s failing: err = %v, want the upstream's failure", env, p.Name, failing, p.Err)
				}
				if len(p.Resources) != 0 {
					t.Errorf("%s/%s registered %d resource(s) before reading %s (first: %s %s)", env, p.Name,
						len(p.Resources), failing, p.Resources[0].Type, p.Resources[0].Name)
				}
			}
		}
		release()
	}
	if edges == 0 {
		t.Fatal("no project reads an upstream")
	}
}

func TestOnlyRunsTheNamedProjectsAndTheirUpstreams(t *testing.T) {
	for _, name := range contracts.Projects {
		want := map[string]bool{name: true}
		var add func(string)
		add = func(p string) {
			for _, u := range contracts.Upstreams(p) {
				want[u] = true
				add(u)
			}
		}
		add(name)
		res := run(t, "local", Options{Only: []string{name}})
		if len(res.Projects) != len(want) {
			t.Errorf("Only %s ran %d projects, want %v", name, len(res.Projects), want)
		}
		for _, p := range res.Projects {
			if !want[p.Name] || !p.OK() {
				t.Errorf("Only %s: ran %s (%v)", name, p.Name, p.Err)
			}
		}
	}
	if _, err := Run("local", Options{Only: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `unknown project "nope"`) {
		t.Errorf("unknown name: %v", err)
	}
}
