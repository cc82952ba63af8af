package stackrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func ev(e apitype.EngineEvent) events.EngineEvent { return events.EngineEvent{EngineEvent: e} }

func TestCollector(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []string
	c := newCollector(f, func(m string) { msgs = append(msgs, m) })
	urn := "urn:pulumi:local::dns::clustera:dns:Records$cloudflare:index/dnsRecord:DnsRecord::local-1.clustera.test-192.0.2.1"
	ch := make(chan events.EngineEvent, 10)
	ch <- ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
		Op: apitype.OpUpdate, URN: urn, Type: "cloudflare:index/dnsRecord:DnsRecord", Diffs: []string{"ttl"}}}})
	ch <- ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
		Op: apitype.OpSame, URN: urn + "b", Type: "cloudflare:index/dnsRecord:DnsRecord"}}})
	ch <- ev(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{}})
	ch <- ev(apitype.EngineEvent{PolicyEvent: &apitype.PolicyEvent{ResourceURN: urn, PolicyName: "dns-a-record-ttl",
		EnforcementLevel: "mandatory", Message: "TTL must be 300.\nFix: set it"}})
	ch <- ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{URN: urn, Severity: "error", Message: "boom\n"}})
	ch <- ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{URN: urn, Severity: "error", Message: "boom\n"}})
	ch <- ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning", Message: "ignored"}})
	close(ch)
	c.consume(ch)

	if got := c.changed(); len(got) != 1 || got[0] != "update cloudflare:index/dnsRecord:DnsRecord local-1.clustera.test-192.0.2.1 (ttl)" {
		t.Fatalf("changed = %v", got)
	}
	if v := c.policyViolations(); len(v) != 1 || !strings.HasPrefix(v[0], "[mandatory] dns-a-record-ttl: local-1.clustera.test-192.0.2.1 TTL must be 300.") {
		t.Fatalf("violations = %v", v)
	}
	if err := c.explain(context.Background(), errors.New("exit status 255\nstderr: long")); err == nil || err.Error() != "local-1.clustera.test-192.0.2.1: boom" {
		t.Fatalf("explain = %v (duplicate diagnostics must collapse)", err)
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "updating DnsRecord local-1.clustera.test-192.0.2.1") || !strings.HasPrefix(msgs[1], "0 done") {
		t.Fatalf("progress messages = %v", msgs)
	}
	data, _ := os.ReadFile(f.Name())
	if n := strings.Count(string(data), "\n"); n != 7 {
		t.Fatalf("event stream has %d lines, want 7", n)
	}
}

func TestExplainWithoutDiagnostics(t *testing.T) {
	c := newCollector(nil, nil)
	err := c.explain(context.Background(), errors.New("failed to run update: exit status 255\ncode: 255\nstdout: x\nstderr: error: the stack is currently locked by 1 lock(s)"))
	if err.Error() != "error: the stack is currently locked by 1 lock(s)" {
		t.Fatalf("explain = %q", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.explain(ctx, errors.New("x")); !strings.HasPrefix(err.Error(), "interrupted") {
		t.Fatalf("explain after cancel = %v", err)
	}
}

// TestCollectorIsSafeAfterStop: events that arrive after the operation
// returned (the drain timeout) are dropped, and reading the collector while
// they arrive is not a data race (go test -race).
func TestCollectorIsSafeAfterStop(t *testing.T) {
	var buf strings.Builder
	c := newCollector(&lockedWriter{w: &buf}, nil)
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() { c.consume(ch); close(done) }()
	urn := "urn:pulumi:local::dns::cloudflare:index/dnsRecord:DnsRecord::a"
	pre := func(u string) events.EngineEvent {
		return ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
			Op: apitype.OpCreate, URN: u, Type: "cloudflare:index/dnsRecord:DnsRecord"}}})
	}
	ch <- pre(urn)
	go func() {
		for i := 0; i < 200; i++ {
			ch <- pre(urn + strings.Repeat("x", i))
		}
		close(ch)
	}()
	for i := 0; i < 50; i++ {
		_ = c.changed()
		_ = c.policyViolations()
	}
	c.stop()
	n := len(c.changed())
	<-done
	if got := len(c.changed()); got != n {
		t.Fatalf("steps grew from %d to %d after stop", n, got)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestPendingOperationsAndStepsInFlight: the engine's warning about an
// earlier run's pending operations is read line by line (its resolution
// text is not an operation), and the steps started but not finished are
// what an interrupted run names.
func TestPendingOperationsAndStepsInFlight(t *testing.T) {
	c := newCollector(nil, nil)
	urn := "urn:pulumi:local::kafka-data-plane::clustera:kafka:DataPlane$aiven:index/kafkaTopic:KafkaTopic::runtime"
	c.add(ev(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{Severity: "warning", Message: "Attempting to deploy or update resources with 1 pending operations from previous deployment.\n" +
		"  * " + urn + ", interrupted while creating\n" +
		"These resources are in an unknown state because the Pulumi CLI was interrupted while waiting for changes to these resources to complete."}}))
	if got := c.pendingOps(); len(got) != 1 || got[0] != "KafkaTopic runtime (interrupted while creating)" {
		t.Fatalf("pending = %q", got)
	}
	c.add(ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{Op: apitype.OpCreate, URN: urn, Type: "aiven:index/kafkaTopic:KafkaTopic"}}}))
	c.add(ev(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{Op: apitype.OpCreate, URN: urn + "2", Type: "aiven:index/kafkaTopic:KafkaTopic"}}}))
	c.add(ev(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{URN: urn + "2"}}}))
	if got := c.inFlight(); len(got) != 1 || got[0] != "creating KafkaTopic runtime" {
		t.Fatalf("in flight = %q", got)
	}
}

func TestMaskedWriterKeepsNoSecret(t *testing.T) {
	t.Setenv("CLOUDFLARE_API_TOKEN", "cf-token-e2e-123456")
	var b strings.Builder
	w := masked(&b, EnvSecrets())
	if _, err := w.Write([]byte("error: 401 for token cf-token-e2e-123456\n")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "cf-token-e2e-123456") || !strings.Contains(b.String(), "[secret]") {
		t.Fatalf("log line %q", b.String())
	}
}
