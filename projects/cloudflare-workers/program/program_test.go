package program_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/mocktest"
)

// TestScripts checks the six scripts of two non-production stacks and of
// prod: names, account, code (each Worker's bundle of the pinned release,
// verified and uploaded as its main module), compatibility settings and
// observability.
func TestScripts(t *testing.T) {
	for _, tc := range []struct{ stack, account, prefix string }{
		{"local", localAccount, "local-"},
		{"staging", sharedAccount, "staging-"},
		{"steve1", sharedAccount, "steve1-"},
		{"prod", sharedAccount, ""},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			res := run(t, tc.stack, nil)
			rel, err := committedRelease(tc.stack)
			if err != nil {
				t.Fatal(err)
			}
			scripts := res.OfType(scriptType)
			if len(scripts) != len(workers) {
				t.Fatalf("%d scripts, want %d", len(scripts), len(workers))
			}
			for i, s := range scripts {
				if s.Name != workers[i] {
					t.Errorf("script %d is %q, want %q", i, s.Name, workers[i])
				}
				if got, want := s.String("scriptName"), tc.prefix+s.Name; got != want {
					t.Errorf("%s: scriptName = %q, want %q", s.Name, got, want)
				}
				if s.String("accountId") != tc.account {
					t.Errorf("%s: accountId = %q", s.Name, s.String("accountId"))
				}
				if s.String("content") != placeholderBundle(s.Name, rel.Version) || s.String("mainModule") != "index.js" {
					t.Errorf("%s: content %d bytes, mainModule %q; want the bundle of release %s", s.Name, len(s.String("content")), s.String("mainModule"), rel.Version)
				}
				if s.String("compatibilityDate") != "2026-09-01" {
					t.Errorf("%s: compatibilityDate = %q", s.Name, s.String("compatibilityDate"))
				}
				flags := s.Get("compatibilityFlags").ArrayValue()
				if len(flags) != 1 || flags[0].StringValue() != "nodejs_compat" {
					t.Errorf("%s: compatibilityFlags = %v", s.Name, flags)
				}
				if !s.Bool("observability.enabled") || s.Number("observability.headSamplingRate") != 1 {
					t.Errorf("%s: observability = %v", s.Name, s.Get("observability"))
				}
				if !strings.Contains(s.Parent, "::"+program.WorkerType+"::"+s.Name) {
					t.Errorf("%s: parent %q, want its Worker component", s.Name, s.Parent)
				}
				if s.Protect {
					t.Errorf("%s: a script holds no data and is not protected", s.Name)
				}
			}
		})
	}
}

// bindingsOf returns a script's bindings as name → "type target", where
// target is the one field that names what is bound.
func bindingsOf(s mocktest.Resource) map[string]string {
	out := map[string]string{}
	v := s.Get("bindings")
	if !v.IsArray() {
		return out
	}
	for _, b := range v.ArrayValue() {
		obj := b.ObjectValue()
		var fields []string
		for k, v := range obj {
			if k == "name" || k == "type" {
				continue
			}
			fields = append(fields, string(k)+"="+v.StringValue())
		}
		sort.Strings(fields)
		out[obj["name"].StringValue()] = strings.TrimSpace(obj["type"].StringValue() + " " + strings.Join(fields, " "))
	}
	return out
}

// TestBindings checks every binding of every Worker against the design,
// with the targets taken from the storage contract of the same stack.
func TestBindings(t *testing.T) {
	for _, stack := range []string{"local", "staging"} {
		t.Run(stack, func(t *testing.T) {
			p := stack + "-"
			res := run(t, stack, nil)
			want := map[string]map[string]string{
				"dome-api": {
					"D1_DATABASE":   "d1 id=uuid-dome-meta",
					"AI":            "ai",
					"CONSTELLATION": "service service=" + p + "constellation",
					"SILO":          "service service=" + p + "silo",
				},
				"silo": {
					"DB":                        "d1 id=uuid-silo",
					"BUCKET":                    "r2_bucket bucketName=" + p + "silo-content",
					"NEW_CONTENT_CONSTELLATION": "queue queueName=" + p + "new-content-constellation",
					"NEW_CONTENT_AI":            "queue queueName=" + p + "new-content-ai",
					"DOME_EVENTS":               "queue queueName=" + p + "dome-events",
				},
				"constellation": {
					"VECTORIZE":         "vectorize indexName=" + p + "dome-notes",
					"AI":                "ai",
					"SILO":              "service service=" + p + "silo",
					"EMBED_DEAD_LETTER": "queue queueName=" + p + "embed-dead-letter",
					"DOME_EVENTS":       "queue queueName=" + p + "dome-events",
				},
				"ai-processor": {
					"AI":               "ai",
					"SILO":             "service service=" + p + "silo",
					"ENRICHED_CONTENT": "queue queueName=" + p + "enriched-content",
					"DOME_EVENTS":      "queue queueName=" + p + "dome-events",
				},
				"dome-cron": {
					"D1_DATABASE": "d1 id=uuid-dome-meta",
					"DOME_EVENTS": "queue queueName=" + p + "dome-events",
				},
				"dome-notify": {},
			}
			for w := range want {
				got := bindingsOf(find(t, res, scriptType, w))
				if !reflect.DeepEqual(got, want[w]) {
					t.Errorf("%s bindings:\n got %v\nwant %v", w, got, want[w])
				}
			}
			for _, w := range topology.Workers {
				got := bindingsOf(find(t, res, scriptType, w.Name))
				if len(got) != len(w.Bindings) {
					t.Errorf("%s: %d bindings, want the %d declared", w.Name, len(got), len(w.Bindings))
				}
				for _, b := range w.Bindings {
					if _, ok := got[b.Name]; !ok {
						t.Errorf("%s: declared binding %s missing from %v", w.Name, b.Name, got)
					}
				}
			}
		})
	}
}

// TestServiceBindingsWaitForTargets checks that a Worker depends on the
// Workers it binds to, so each service exists when it is bound.
func TestServiceBindingsWaitForTargets(t *testing.T) {
	res := run(t, "local", nil)
	for from, targets := range map[string][]string{
		"dome-api":      {"constellation", "silo"},
		"constellation": {"silo"},
		"ai-processor":  {"silo"},
	} {
		deps := find(t, res, scriptType, from).DependsOn
		for _, to := range targets {
			found := false
			for _, d := range deps {
				found = found || strings.HasSuffix(d, "$"+scriptType+"::"+to)
			}
			if !found {
				t.Errorf("%s does not depend on script %s; dependencies %v", from, to, deps)
			}
		}
	}
}

// TestQueueConsumers checks every consumer: queue, Worker, batch and retry
// settings and the dead letter queue.
func TestQueueConsumers(t *testing.T) {
	for _, stack := range []string{"local", "prod"} {
		t.Run(stack, func(t *testing.T) {
			p := stack + "-"
			scriptPrefix := p
			if stack == "prod" {
				scriptPrefix = ""
			}
			res := run(t, stack, nil)
			type want struct {
				worker                      string
				batch, wait, retries, delay float64
				dlq                         string
			}
			wants := map[string]want{
				"new-content-constellation": {"constellation", 10, 5000, 5, 30, p + "embed-dead-letter"},
				"new-content-ai":            {"ai-processor", 5, 5000, 3, 60, ""},
				"content-events":            {"silo", 25, 2000, 3, 10, ""},
				"enriched-content":          {"silo", 10, 5000, 3, 10, ""},
				"dome-events":               {"dome-notify", 10, 1000, 3, 5, ""},
			}
			consumers := res.OfType(consumerType)
			if len(consumers) != len(topology.Consumers()) {
				t.Fatalf("%d consumers, want the %d declared", len(consumers), len(topology.Consumers()))
			}
			for queue, w := range wants {
				c := find(t, res, consumerType, queue+"-consumer")
				if c.String("queueId") != "qid-"+queue {
					t.Errorf("%s: queueId = %q", queue, c.String("queueId"))
				}
				if c.String("scriptName") != scriptPrefix+w.worker || c.String("type") != "worker" {
					t.Errorf("%s: consumer %q of type %q, want %s", queue, c.String("scriptName"), c.String("type"), scriptPrefix+w.worker)
				}
				if !strings.Contains(c.Parent, "::"+program.WorkerType+"::"+w.worker) {
					t.Errorf("%s: parent %q, want Worker %s", queue, c.Parent, w.worker)
				}
				got := [4]float64{c.Number("settings.batchSize"), c.Number("settings.maxWaitTimeMs"), c.Number("settings.maxRetries"), c.Number("settings.retryDelay")}
				if got != [4]float64{w.batch, w.wait, w.retries, w.delay} {
					t.Errorf("%s: settings = %v", queue, c.Get("settings"))
				}
				if !c.Get("settings.maxConcurrency").IsNull() {
					t.Errorf("%s: maxConcurrency set, want the platform maximum", queue)
				}
				if c.String("deadLetterQueue") != w.dlq {
					t.Errorf("%s: deadLetterQueue = %q, want %q", queue, c.String("deadLetterQueue"), w.dlq)
				}
			}
		})
	}
}

// TestDomeEventsHasOneConsumer checks the resolution of the two consumers
// the design lists for dome-events: dome-notify consumes, dome-cron only
// produces.
func TestDomeEventsHasOneConsumer(t *testing.T) {
	res := run(t, "local", nil)
	var on []string
	for _, c := range res.OfType(consumerType) {
		if c.String("queueId") == "qid-dome-events" {
			on = append(on, c.String("scriptName"))
		}
	}
	if !reflect.DeepEqual(on, []string{"local-dome-notify"}) {
		t.Errorf("dome-events consumers = %v", on)
	}
	if b := bindingsOf(find(t, res, scriptType, "dome-cron"))["DOME_EVENTS"]; b != "queue queueName=local-dome-events" {
		t.Errorf("dome-cron DOME_EVENTS = %q", b)
	}
}

// TestConsumerDefaultsAndConcurrency checks the defaults of unset
// settings, the declared ones (topology.Worker.Consumes), and an explicit
// concurrency cap.
func TestConsumerDefaultsAndConcurrency(t *testing.T) {
	consumers := committedConsumers(t, "local")
	for _, c := range consumers {
		for _, k := range []string{"batchSize", "maxWaitTimeMs", "maxRetries", "retryDelay", "worker", "deadLetterQueue"} {
			delete(c, k)
		}
		if c["queue"] == "new-content-ai" {
			c["maxConcurrency"] = 2
		}
	}
	res := run(t, "dev", map[string]string{ns + "consumers": mustJSON(consumers)})
	checkDeclaredConsumers(t, res, "dev", map[string]float64{"new-content-ai": 2})
}

// checkDeclaredConsumers checks that a stack runs exactly the declared
// consumers with their declared settings, and the given concurrency caps.
func checkDeclaredConsumers(t *testing.T, res *mocktest.Result, stack string, concurrency map[string]float64) {
	t.Helper()
	declared := topology.Consumers()
	if got := len(res.OfType(consumerType)); got != len(declared) {
		t.Errorf("%s: %d consumers, want the %d declared", stack, got, len(declared))
	}
	for _, d := range declared {
		c := find(t, res, consumerType, d.Queue+"-consumer")
		s := d.Settings
		got := [4]float64{c.Number("settings.batchSize"), c.Number("settings.maxWaitTimeMs"), c.Number("settings.maxRetries"), c.Number("settings.retryDelay")}
		if want := [4]float64{float64(s.BatchSize), float64(s.MaxWaitTimeMs), float64(s.MaxRetries), float64(s.RetryDelay)}; got != want {
			t.Errorf("%s: %s: settings = %v, want the declared %v", stack, c.Name, got, want)
		}
		if c.Number("settings.maxConcurrency") != concurrency[d.Queue] {
			t.Errorf("%s: %s: maxConcurrency = %v, want %v", stack, c.Name, c.Number("settings.maxConcurrency"), concurrency[d.Queue])
		}
		if want := scriptPrefix(stack) + d.Worker; c.String("scriptName") != want || !strings.Contains(c.Parent, "::"+program.WorkerType+"::"+d.Worker) {
			t.Errorf("%s: %s: run by %q under %q, want %s", stack, c.Name, c.String("scriptName"), c.Parent, want)
		}
		want := ""
		if d.DeadLetterQueue != "" {
			want = stack + "-" + d.DeadLetterQueue
		}
		if c.String("deadLetterQueue") != want {
			t.Errorf("%s: %s: deadLetterQueue = %q, want %q", stack, c.Name, c.String("deadLetterQueue"), want)
		}
	}
}

// TestCron checks the cron trigger of dome-cron and configured schedules.
func TestCron(t *testing.T) {
	res := run(t, "staging", nil)
	if n := len(res.OfType(cronType)); n != len(topology.Crons()) {
		t.Fatalf("%d cron triggers, want the %d declared", n, len(topology.Crons()))
	}
	c := find(t, res, cronType, "dome-cron-cron")
	if c.Name != "dome-cron-cron" || c.String("scriptName") != "staging-dome-cron" || c.String("accountId") != sharedAccount {
		t.Errorf("cron trigger = %s %v", c.Name, c.Inputs)
	}
	if s := c.Get("schedules").ArrayValue(); len(s) != 1 || c.String("schedules[0].cron") != "*/5 * * * *" {
		t.Errorf("schedules = %v", c.Get("schedules"))
	}

	res, err := mocktest.RunContract(project, "dev", program.Deploy, options("dev", map[string]string{
		ns + "crons": `{"dome-cron":["*/5 * * * *","0 3 * * MON"],"dome-notify":["30 8 1 * *"]}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := cronSchedules()
	want["dome-cron"], want["dome-notify"] = "*/5 * * * *,0 3 * * MON", "30 8 1 * *"
	if !reflect.DeepEqual(res.Exports["cronSchedules"], want) {
		t.Errorf("cronSchedules = %v", res.Exports["cronSchedules"])
	}
	if n := find(t, res, cronType, "dome-notify-cron"); n.String("scriptName") != "dev-dome-notify" {
		t.Errorf("dome-notify cron = %v", n.Inputs)
	}
}

// TestDefaultsWithoutOptionalKeys checks the defaults of the optional keys
// (crons, observability, compatibilityFlags, consumers) on a stack file
// without them.
func TestDefaultsWithoutOptionalKeys(t *testing.T) {
	cfg, err := mocktest.StackConfig(project, "local")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"crons", "observability", "compatibilityFlags", "consumers"} {
		if _, ok := cfg[ns+k]; !ok {
			t.Fatalf("the committed local stack has no %s to remove", k)
		}
		delete(cfg, ns+k)
	}
	res, err := mocktest.RunContract(project, "local", program.Deploy, mocktest.Options{NoStackFile: true, Config: cfg, Upstreams: upstream("local")})
	if err != nil {
		t.Fatal(err)
	}
	for w, schedules := range topology.Crons() {
		c := find(t, res, cronType, w+"-cron")
		if c.String("scriptName") != "local-"+w || c.String("schedules[0].cron") != schedules[0] {
			t.Errorf("default cron trigger of %s = %v", w, c.Inputs)
		}
	}
	if n := len(res.OfType(cronType)); n != len(topology.Crons()) {
		t.Errorf("%d cron triggers, want the %d declared", n, len(topology.Crons()))
	}
	if got := res.Exports["cronSchedules"]; !reflect.DeepEqual(got, cronSchedules()) || got.(map[string]any)["dome-cron"] != "*/5 * * * *" {
		t.Errorf("cronSchedules = %v", got)
	}
	checkDeclaredConsumers(t, res, "local", nil)
	for _, s := range res.OfType(scriptType) {
		if !s.Bool("observability.enabled") || s.Number("observability.headSamplingRate") != 1 {
			t.Errorf("%s: default observability = %v", s.Name, s.Get("observability"))
		}
		if n := len(s.Get("compatibilityFlags").ArrayValue()); n != 0 {
			t.Errorf("%s: %d compatibility flags by default", s.Name, n)
		}
	}
}

// TestObservabilityPerEnvironment checks that a stack can change sampling
// and turn observability off.
func TestObservabilityPerEnvironment(t *testing.T) {
	res := run(t, "testing", map[string]string{ns + "observability": `{"headSamplingRate":0.25}`})
	for _, s := range res.OfType(scriptType) {
		if !s.Bool("observability.enabled") || s.Number("observability.headSamplingRate") != 0.25 {
			t.Errorf("%s: observability = %v", s.Name, s.Get("observability"))
		}
	}
	res = run(t, "testing", map[string]string{ns + "observability": `{"enabled":false}`})
	for _, s := range res.OfType(scriptType) {
		if v := s.Get("observability.enabled"); !v.IsBool() || v.BoolValue() {
			t.Errorf("%s: observability = %v, want disabled", s.Name, s.Get("observability"))
		}
	}
}

// TestContract checks the exported contract.
func TestContract(t *testing.T) {
	res, err := mocktest.RunContract(project, "staging", program.Deploy, options("staging", nil))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]any{}
	for _, w := range workers {
		names[w] = "staging-" + w
	}
	want := map[string]any{"scriptNames": names, "cronSchedules": cronSchedules()}
	if !reflect.DeepEqual(res.Exports, want) {
		t.Errorf("exports = %v, want %v", res.Exports, want)
	}
	if want := []string{"organization/cloudflare-storage/staging"}; !reflect.DeepEqual(res.StackRefs, want) {
		t.Errorf("StackRefs = %v, want %v", res.StackRefs, want)
	}
}

// TestEveryResourceAccountsForTheDesign checks the exact set of resources.
func TestEveryResourceAccountsForTheDesign(t *testing.T) {
	res := run(t, "local", nil)
	want := map[string]int{scriptType: len(topology.Workers), consumerType: len(topology.Consumers()), cronType: len(topology.Crons())}
	if got := res.Count(); !reflect.DeepEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	var comps []string
	for _, r := range res.Resources {
		if !r.Custom {
			comps = append(comps, r.Type+" "+r.Name)
		}
	}
	sort.Strings(comps)
	var wantComps []string
	for _, w := range workers {
		wantComps = append(wantComps, program.WorkerType+" "+w)
	}
	if !reflect.DeepEqual(comps, wantComps) {
		t.Errorf("components = %v", comps)
	}
}
