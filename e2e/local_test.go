package e2e

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/offline/mockrun"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
)

const (
	typeD1         = "cloudflare:index/d1Database:D1Database"
	typeR2         = "cloudflare:index/r2Bucket:R2Bucket"
	typeQueue      = "cloudflare:index/queue:Queue"
	typeConsumer   = "cloudflare:index/queueConsumer:QueueConsumer"
	typeNotify     = "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification"
	typeScript     = "cloudflare:index/workersScript:WorkersScript"
	typeCron       = "cloudflare:index/workersCronTrigger:WorkersCronTrigger"
	typeDNS        = "cloudflare:index/dnsRecord:DnsRecord"
	typeIndex      = "vectorize:index:Index"
	typeTopic      = "aiven:index/kafkaTopic:KafkaTopic"
	typePubTopic   = "gcp:pubsub/topic:Topic"
	typeSub        = "gcp:pubsub/subscription:Subscription"
	typeIAM        = "gcp:pubsub/topicIAMMember:TopicIAMMember"
	typeStackRef   = "pulumi:pulumi:StackReference"
	gmailPushAgent = "serviceAccount:gmail-api-push@system.gserviceaccount.com"
)

// declaredInventory is what the programs declare for the local environment
// when they run under mocks with the committed configuration
// (internal/offline/mockrun): the cloud objects by type, and the
// StackReferences. Nothing here is listed by hand, so a new project, Worker,
// integration folder or topic changes the expected inventory with no edit;
// the design's own counts are checked by each project's unit tests.
func declaredInventory(t *testing.T) (objects map[string]int, refs int) {
	t.Helper()
	res, err := mockrun.Run("local", mockrun.Options{})
	if err != nil {
		t.Fatalf("the programs under mocks: %v", err)
	}
	objects = map[string]int{}
	for _, p := range res.Projects {
		if !p.OK() {
			t.Fatalf("%s under mocks: %v", p.Name, p.Err)
		}
		for _, r := range p.Resources {
			if r.Custom && !strings.HasPrefix(r.Type, "pulumi:") {
				objects[r.Type]++
			}
		}
		refs += len(p.StackRefs)
	}
	if len(objects) == 0 || refs == 0 {
		t.Fatalf("the programs under mocks declare %d object types and %d StackReferences: the inventory cannot be checked", len(objects), refs)
	}
	return objects, refs
}

// TestLocalEnvironment drives the local environment through the real engine
// the way a team does: deploy from empty, redeploy, change a topic and
// deploy what is affected, survive a fault, detect and repair drift, be
// stopped by a policy, be interrupted, and destroy everything.
func TestLocalEnvironment(t *testing.T) {
	w := newWorkspace(t)
	// Each step builds on the state the previous one left: stop at the
	// first failure rather than report its consequences.
	step := func(name string, fn func(t *testing.T)) {
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}

	step("preview of a new environment uses labelled placeholders", func(t *testing.T) {
		r := w.infra("preview", "-env", "local")
		if r.code != 2 {
			t.Fatalf("exit %d, want 2 (changes pending)\n%s", r.code, r.out)
		}
		want := map[string][]string{
			"cloudflare-workers": {"cloudflare-storage"},
			"kafka-integrations": {"kafka-data-plane"},
			"gcp-gmail":          {"kafka-integrations"},
		}
		for _, row := range r.report.Rows {
			if row.Result != report.Changed {
				t.Errorf("%s: %s, want changed", row.Project, row.Label())
			}
			if !reflect.DeepEqual(row.Placeholders, want[row.Project]) {
				t.Errorf("%s: placeholders %v, want %v", row.Project, row.Placeholders, want[row.Project])
			}
		}
		if !strings.Contains(r.out, "PLACEHOLDER") {
			t.Errorf("placeholders are not labelled in the output:\n%s", r.out)
		}
		if objs := w.objects(); len(objs) != 0 {
			t.Fatalf("a preview created %d cloud objects", len(objs))
		}
	})

	step("deploy all from empty", func(t *testing.T) {
		r := w.infra("deploy", "-env", "local")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		for _, p := range contracts.Projects {
			if row := r.row(p); row.Result != report.Changed || row.Changes.Create == 0 {
				t.Errorf("%s: %s with %+v, want changed with creates", p, row.Label(), row.Changes)
			}
		}
		if !strings.Contains(r.out, "PROJECT") || !strings.Contains(r.out, "Outputs:") {
			t.Errorf("no summary table or outputs:\n%s", r.out)
		}
		checkInventory(t, w)
	})

	step("second deploy changes nothing", func(t *testing.T) {
		r := w.infra("deploy", "-env", "local")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		for _, row := range r.report.Rows {
			if row.Result != report.NoOp || row.Changes.Any() {
				t.Errorf("%s: %s %+v, want no-op", row.Project, row.Label(), row.Changes)
			}
		}
	})

	step("deploy affected touches only the changed Kafka projects", func(t *testing.T) {
		const file = "projects/kafka-integrations/integrations/slack/kafka-topics.yaml"
		y := w.read(file)
		y = strings.Replace(y, `- name: "{stack}-integrations-worker-slack"`, "- name: \"{stack}-integrations-worker-slack\"\n    retention_ms: \"172800000\"", 1)
		w.write(file, y)
		w.commit("slack: keep worker messages 2 days")
		r := w.infra("deploy", "-env", "local", "-affected", "HEAD~1")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		var ran []string
		for _, row := range r.report.Rows {
			ran = append(ran, row.Project)
		}
		if want := []string{"kafka-integrations", "gcp-gmail"}; !reflect.DeepEqual(ran, want) {
			t.Fatalf("ran %v, want %v\n%s", ran, want, r.out)
		}
		if c := r.row("kafka-integrations").Changes; c.Update != 1 || c.Create+c.Replace+c.Delete != 0 {
			t.Errorf("kafka-integrations changes %+v, want exactly one update", c)
		}
		if row := r.row("gcp-gmail"); row.Result != report.NoOp {
			t.Errorf("gcp-gmail %s, want no-op", row.Label())
		}
		topic, ok, _ := w.cloud().Find(typeTopic, "local-integrations-worker-slack")
		if !ok || configOf(topic)["retentionMs"] != "172800000" {
			t.Errorf("slack topic in the cloud: %+v", topic.Props)
		}
	})

	step("a fault blocks dependents only, and a rerun converges", func(t *testing.T) {
		const file = "projects/kafka-data-plane/kafka-topics.yaml"
		y := w.read(file)
		w.write(file, strings.Replace(y, "    partitions: 10\n", "    partitions: 10\n    retention_ms: \"259200000\"\n", 1))
		if err := sandbox.SetFaults(w.sandboxDir(), []sandbox.Fault{{Op: "update", Type: typeTopic, Name: "local-runtime", Message: "injected: Aiven API unavailable"}}); err != nil {
			t.Fatal(err)
		}
		r := w.infra("deploy", "-env", "local")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.out)
		}
		want := map[string]string{
			"kafka-data-plane": "failed", "kafka-integrations": "blocked-by-kafka-data-plane", "gcp-gmail": "blocked-by-kafka-data-plane",
			"cloudflare-storage": "no-op", "cloudflare-workers": "no-op", "dns": "no-op",
		}
		for p, label := range want {
			if got := r.row(p).Label(); got != label {
				t.Errorf("%s: %s, want %s", p, got, label)
			}
		}
		if !strings.Contains(r.out, "injected: Aiven API unavailable") || !strings.Contains(r.out, "full log:") {
			t.Errorf("failure output does not show the error and the log path:\n%s", r.out)
		}
		if err := sandbox.SetFaults(w.sandboxDir(), nil); err != nil {
			t.Fatal(err)
		}
		r = w.infra("deploy", "-env", "local")
		if r.code != 0 {
			t.Fatalf("rerun: exit %d\n%s", r.code, r.out)
		}
		if c := r.row("kafka-data-plane").Changes; c.Update != 1 {
			t.Errorf("rerun: kafka-data-plane %+v, want the pending update", c)
		}
		for _, p := range contracts.Projects {
			d := w.export(p)
			if len(d.Deployment.PendingOperations) > 0 {
				t.Errorf("%s: pending operations after convergence: %v", p, d.Deployment.PendingOperations)
			}
		}
	})

	step("drift is detected, refreshed and repaired", func(t *testing.T) {
		if err := w.cloud().Mutate(typeDNS, "local-1.clustera.test", func(p map[string]any) { p["ttl"] = 3600 }); err != nil {
			t.Fatal(err)
		}
		r := w.infra("drift", "-env", "local")
		if r.code != 2 {
			t.Fatalf("drift exit %d, want 2\n%s", r.code, r.out)
		}
		drift := r.row("dns").Drift
		if len(drift) != 1 || !strings.Contains(drift[0], "DnsRecord") || !strings.Contains(drift[0], "ttl") {
			t.Fatalf("drift %v, want the DNS record's ttl\n%s", drift, r.out)
		}
		for _, row := range r.report.Rows {
			if row.Project != "dns" && row.Result != report.NoOp {
				t.Errorf("%s: %s, want no drift", row.Project, row.Label())
			}
		}
		if r := w.infra("refresh", "-env", "local"); r.code != 0 || r.row("dns").Result != report.Changed {
			t.Fatalf("refresh: exit %d, dns %s\n%s", r.code, r.row("dns").Label(), r.out)
		}
		if r := w.infra("deploy", "-env", "local"); r.code != 0 || r.row("dns").Changes.Update != 1 {
			t.Fatalf("deploy after refresh: exit %d, dns %+v\n%s", r.code, r.row("dns").Changes, r.out)
		}
		rec, _, _ := w.cloud().Find(typeDNS, "local-1.clustera.test")
		if ttl, _ := rec.Props["ttl"].(float64); ttl != 300 {
			t.Fatalf("ttl after repair = %v, want 300", rec.Props["ttl"])
		}
		if r := w.infra("drift", "-env", "local"); r.code != 0 {
			t.Fatalf("drift after repair: exit %d\n%s", r.code, r.out)
		}
	})

	step("a mandatory policy blocks the change and the cloud is untouched", func(t *testing.T) {
		env := w.read("environments/local.yaml")
		w.write("environments/local.yaml", env+"policy:\n  overrides:\n    kafka-topic-max-message-size: mandatory\n")
		const file = "projects/kafka-data-plane/kafka-topics.yaml"
		orig := w.read(file)
		w.write(file, strings.Replace(orig, "    partitions: 10\n", "    partitions: 10\n    max_message_bytes: \"52428800\"\n", 1))
		before := snapshot(t, w)
		r := w.infra("deploy", "-env", "local", "-project", "kafka-data-plane")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.out)
		}
		if !strings.Contains(r.out, "kafka-topic-max-message-size") {
			t.Errorf("the violated policy is not named:\n%s", r.out)
		}
		if after := snapshot(t, w); after != before {
			t.Fatalf("the sandbox changed although the policy blocked the update")
		}
		w.write("environments/local.yaml", env)
		w.write(file, orig)
	})

	step("SIGINT stops cleanly and the next run succeeds", func(t *testing.T) {
		w.write("projects/kafka-integrations/integrations/e2e/kafka-topics.yaml",
			"topics:\n  - name: \"{stack}-integrations-worker-e2e\"\n  - name: \"{stack}-integrations-worker-e2e-dlq\"\n")
		if err := sandbox.SetFaults(w.sandboxDir(), []sandbox.Fault{{Op: "create", Type: typeTopic, Delay: "4s"}}); err != nil {
			t.Fatal(err)
		}
		cmd := w.command("deploy", "-env", "local")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		started := make(chan struct{})
		scanned := make(chan struct{})
		go func() {
			defer close(scanned)
			sc := bufio.NewScanner(stdout)
			once := false
			for sc.Scan() {
				out.WriteString(sc.Text() + "\n")
				if !once && strings.Contains(sc.Text(), "kafka-integrations deploy started") {
					once = true
					close(started)
				}
			}
		}()
		select {
		case <-started:
		case <-time.After(3 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatal("kafka-integrations never started")
		}
		time.Sleep(time.Second) // inside the slow topic creation

		// A second run on the same environment and project fails fast and
		// names the run holding it.
		second := w.infra("deploy", "-env", "local", "-project", "kafka-integrations")
		if second.code != 1 || second.took > 10*time.Second || !strings.Contains(second.out, "is locked by another run: pid "+strconv.Itoa(cmd.Process.Pid)) {
			t.Errorf("second concurrent run: exit %d after %s, want a fast failure naming pid %d\n%s", second.code, second.took, cmd.Process.Pid, second.out)
		}

		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { <-scanned; waited <- cmd.Wait() }()
		select {
		case err = <-waited:
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("the run did not stop within 2 minutes of SIGINT\n%s", out.String())
		}
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != report.ExitInterrupted {
			t.Fatalf("exit %v, want %d (interrupted)\n%s", err, report.ExitInterrupted, out.String())
		}
		rep := w.loadReport(out.String())
		if rep == nil || !rep.Interrupted {
			t.Fatalf("report does not say interrupted\n%s", out.String())
		}
		for _, row := range rep.Rows {
			// Running projects end interrupted (state saved), the others
			// skipped: nothing that was cancelled is reported as failed.
			if row.Result != report.Interrupted && row.Result != report.Skipped && row.Result != report.NoOp && row.Result != report.Changed {
				t.Errorf("%s: %s after Ctrl-C, want interrupted, skipped or done", row.Project, row.Label())
			}
		}
		if locks := w.lockFiles(); len(locks) > 0 {
			t.Fatalf("stale stack locks left: %v", locks)
		}
		if err := sandbox.SetFaults(w.sandboxDir(), nil); err != nil {
			t.Fatal(err)
		}
		r := w.infra("deploy", "-env", "local")
		if r.code != 0 {
			t.Fatalf("next run: exit %d\n%s", r.code, r.out)
		}
		if _, ok, _ := w.cloud().Find(typeTopic, "local-integrations-worker-e2e-dlq"); !ok {
			t.Fatal("the new integration's topics were not created by the next run")
		}
	})

	step("a killed run leaves a stale lock that the next run clears", func(t *testing.T) {
		if err := sandbox.SetFaults(w.sandboxDir(), []sandbox.Fault{{Op: "update", Type: typeTopic, Delay: "30s"}}); err != nil {
			t.Fatal(err)
		}
		const file = "projects/kafka-data-plane/kafka-topics.yaml"
		y := w.read(file)
		if !strings.Contains(y, `retention_ms: "259200000"`) {
			t.Fatal("the runtime topic's retention set by an earlier step is gone")
		}
		w.write(file, strings.Replace(y, `retention_ms: "259200000"`, `retention_ms: "345600000"`, 1))
		cmd := w.command("deploy", "-env", "local", "-project", "kafka-data-plane")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		deadline := time.After(2 * time.Minute)
	wait:
		for len(w.lockFiles()) == 0 {
			select {
			case <-exited:
				t.Fatalf("the run ended before taking its stack lock\n%s", out.String())
			case <-deadline:
				break wait
			case <-time.After(200 * time.Millisecond):
			}
		}
		if len(w.lockFiles()) == 0 {
			_ = cmd.Process.Kill()
			t.Fatal("the update never took its stack lock")
		}
		// A crash: the orchestrator and every process it started die at once.
		for _, pid := range append(descendants(cmd.Process.Pid), cmd.Process.Pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		<-exited
		if len(w.lockFiles()) == 0 {
			t.Fatal("no stale lock after the crash; the test would prove nothing")
		}
		if err := sandbox.SetFaults(w.sandboxDir(), nil); err != nil {
			t.Fatal(err)
		}
		r := w.infra("deploy", "-env", "local", "-project", "kafka-data-plane")
		if r.code != 0 || !strings.Contains(r.out, "removed the stale lock of kafka-data-plane/local") {
			t.Fatalf("exit %d; want the stale lock cleared and the update done\n%s", r.code, r.out)
		}
		if locks := w.lockFiles(); len(locks) > 0 {
			t.Fatalf("locks left: %v", locks)
		}
	})

	step("destroy all runs in reverse order and empties everything", func(t *testing.T) {
		r := w.infra("destroy", "-env", "local")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		// A project's destroy starts only after its dependents finished.
		for _, p := range contracts.Projects {
			for _, u := range contracts.Upstreams(p) {
				done := strings.Index(r.out, "✓ "+p+" ")
				start := strings.Index(r.out, "▶ "+u+" ")
				if done < 0 || start < 0 || start < done {
					t.Errorf("%s destroy started before its dependent %s finished\n%s", u, p, r.out)
				}
			}
		}
		if objs := w.objects(); len(objs) != 0 {
			t.Fatalf("sandbox still holds %d objects: %v", len(objs), objs[0])
		}
		for _, p := range contracts.Projects {
			d := w.export(p)
			if n := len(d.Deployment.Resources); n != 0 {
				t.Errorf("%s: %d resources left in the stack", p, n)
			}
		}
	})
}

// checkInventory compares the deployed state with the design.
func checkInventory(t *testing.T, w *workspace) {
	t.Helper()
	got := map[string]int{}
	byName := map[string]map[string]any{} // "type name" -> inputs
	refs := 0
	for _, p := range contracts.Projects {
		d := w.export(p)
		var stackOutputs map[string]any
		for _, r := range d.Deployment.Resources {
			switch {
			case r.Type == "pulumi:pulumi:Stack":
				stackOutputs = r.Outputs
			case r.Type == typeStackRef:
				refs++
				if outs, _ := r.Outputs["outputs"].(map[string]any); len(outs) == 0 {
					t.Errorf("%s: StackReference %s resolved no outputs", p, r.ID)
				}
			case r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:"):
				got[r.Type]++
				name := r.URN[strings.LastIndex(r.URN, "::")+2:]
				byName[r.Type+" "+name] = r.Inputs
			}
		}
		c, _ := contracts.For(p)
		var keys []string
		for k := range stackOutputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := contracts.Keys(c); !reflect.DeepEqual(keys, want) {
			t.Errorf("%s outputs %v, want the contract %v", p, keys, want)
		}
	}
	wantInventory, wantRefs := declaredInventory(t)
	if !reflect.DeepEqual(got, wantInventory) {
		t.Errorf("inventory %v\nwant %v (the programs under mocks)", got, wantInventory)
	}
	if refs != wantRefs {
		t.Errorf("%d StackReferences, want %d (the programs under mocks)", refs, wantRefs)
	}
	cloudCount := map[string]int{}
	for _, o := range w.objects() {
		cloudCount[o.Type]++
	}
	if !reflect.DeepEqual(cloudCount, wantInventory) {
		t.Errorf("sandbox holds %v\nwant %v", cloudCount, wantInventory)
	}

	// Key properties.
	find := func(typ, field, value string) map[string]any {
		for k, in := range byName {
			if strings.HasPrefix(k, typ+" ") && in[field] == value {
				return in
			}
		}
		t.Errorf("no %s with %s=%s", typ, field, value)
		return map[string]any{}
	}
	rt := find(typeTopic, "topicName", "local-runtime")
	if rt["partitions"] != 10.0 || rt["replication"] != 3.0 {
		t.Errorf("local-runtime partitions/replication %v/%v", rt["partitions"], rt["replication"])
	}
	if cfg, _ := rt["config"].(map[string]any); cfg["retentionMs"] != "604800000" || cfg["maxMessageBytes"] != "26214400" || cfg["compressionType"] != "snappy" {
		t.Errorf("local-runtime config %v", cfg)
	}
	gw := find(typeTopic, "topicName", "local-integrations-worker-gmail")
	if cfg, _ := gw["config"].(map[string]any); gw["replication"] != 2.0 || cfg["retentionMs"] != "259200000" || cfg["retentionBytes"] != "629145600" {
		t.Errorf("gmail worker topic %v", gw)
	}
	cron := find(typeCron, "scriptName", "local-dome-cron")
	if s, _ := cron["schedules"].([]any); len(s) != 1 || s[0].(map[string]any)["cron"] != "*/5 * * * *" {
		t.Errorf("cron schedules %v", cron["schedules"])
	}
	for k, in := range byName {
		if strings.HasPrefix(k, typeDNS+" ") && (in["ttl"] != 300.0 || in["proxied"] != false || in["type"] != "A") {
			t.Errorf("%s: ttl %v proxied %v type %v", k, in["ttl"], in["proxied"], in["type"])
		}
	}
	storage := w.export("cloudflare-storage")
	queueIDs := map[string]string{}
	for _, r := range storage.Deployment.Resources {
		if r.Type == typeQueue {
			queueIDs[r.Inputs["queueName"].(string)] = r.ID
		}
	}
	var dlq string
	for k, in := range byName {
		if strings.HasPrefix(k, typeConsumer+" ") && in["queueId"] == queueIDs["local-new-content-constellation"] {
			dlq, _ = in["deadLetterQueue"].(string)
			if in["scriptName"] != "local-constellation" {
				t.Errorf("embedding consumer is %v", in["scriptName"])
			}
		}
	}
	if dlq != "local-embed-dead-letter" {
		t.Errorf("embedding consumer DLQ = %q", dlq)
	}
	api := find(typeScript, "scriptName", "local-dome-api")
	services := map[string]bool{}
	bindings, _ := api["bindings"].([]any)
	for _, b := range bindings {
		m := b.(map[string]any)
		if m["type"] == "service" {
			services[m["service"].(string)] = true
		}
	}
	if !services["local-constellation"] || !services["local-silo"] {
		t.Errorf("dome-api service bindings %v", services)
	}
	iam := find(typeIAM, "member", gmailPushAgent)
	if iam["role"] != "roles/pubsub.publisher" {
		t.Errorf("gmail IAM member %v", iam)
	}
}

func configOf(o sandbox.Object) map[string]any {
	cfg, _ := o.Props["config"].(map[string]any)
	return cfg
}

// snapshot returns the sandbox's objects as canonical JSON.
func snapshot(t *testing.T, w *workspace) string {
	t.Helper()
	b, err := json.Marshal(w.objects())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
