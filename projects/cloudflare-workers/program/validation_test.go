package program_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/mocktest"
)

// expectInvalid runs the program and checks that it fails with every
// wanted fragment, before registering any resource or reading any stack.
func expectInvalid(t *testing.T, stack string, opts mocktest.Options, want ...string) {
	t.Helper()
	res, err := mocktest.Run(project, stack, program.Program, opts)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
	if len(res.Resources) != 0 || len(res.StackRefs) != 0 {
		t.Errorf("%d resources and stack references %v registered before validation failed", len(res.Resources), res.StackRefs)
	}
}

// withConsumers returns the committed local consumers changed by edit.
func withConsumers(t *testing.T, edit func([]map[string]any) []map[string]any) map[string]string {
	return map[string]string{ns + "consumers": mustJSON(edit(committedConsumers(t, "local")))}
}

// consumer returns the committed consumer of queue.
func consumer(cs []map[string]any, queue string) map[string]any {
	for _, c := range cs {
		if c["queue"] == queue {
			return c
		}
	}
	panic("no consumer of " + queue)
}

// TestSecondConsumerIsRejected checks the rule that resolves the two
// consumers the design lists for dome-events.
func TestSecondConsumerIsRejected(t *testing.T) {
	cfg := withConsumers(t, func(cs []map[string]any) []map[string]any {
		return append(cs, map[string]any{"queue": "dome-events", "worker": "dome-cron"})
	})
	expectInvalid(t, "local", options("local", cfg),
		"projects/cloudflare-workers/Pulumi.local.yaml: cloudflare-workers:consumers[5].queue: queue dome-events already has a consumer, dome-notify (consumers[4]); Cloudflare allows one consumer Worker per queue, so dome-cron cannot consume it too",
		"docs/decisions/0021-one-consumer-per-queue.md")

	cfg = withConsumers(t, func(cs []map[string]any) []map[string]any {
		return append(cs, map[string]any{"queue": "content-events", "worker": "silo"})
	})
	expectInvalid(t, "staging", options("staging", cfg), "Pulumi.staging.yaml: cloudflare-workers:consumers[5].queue: queue content-events already has a consumer, silo (consumers[2])")
}

// TestInvalidConfiguration checks every other validation rule; each error
// names the stack file and the key.
func TestInvalidConfiguration(t *testing.T) {
	set := func(queue, key string, v any) func([]map[string]any) []map[string]any {
		return func(cs []map[string]any) []map[string]any {
			if v == nil {
				delete(consumer(cs, queue), key)
			} else {
				consumer(cs, queue)[key] = v
			}
			return cs
		}
	}
	release := func(edit func(map[string]any)) map[string]string {
		rel := map[string]any{}
		if err := json.Unmarshal([]byte(releaseConfig("2026.09.01-1", nil)[ns+"release"]), &rel); err != nil {
			t.Fatal(err)
		}
		edit(rel)
		return map[string]string{ns + "release": mustJSON(rel)}
	}
	sums := func(edit func(map[string]any)) map[string]string {
		return release(func(rel map[string]any) { edit(rel["sha256"].(map[string]any)) })
	}
	const file = "projects/cloudflare-workers/Pulumi.local.yaml: "
	for _, tc := range []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"empty compatibility date", map[string]string{ns + "compatibilityDate": ""},
			[]string{file + "cloudflare-workers:compatibilityDate: is missing; fix: set the Workers runtime compatibility date, YYYY-MM-DD"}},
		{"malformed compatibility date", map[string]string{ns + "compatibilityDate": "2026-13-01"},
			[]string{`cloudflare-workers:compatibilityDate: "2026-13-01" is not a date in the form YYYY-MM-DD`}},
		{"compatibility date in another form", map[string]string{ns + "compatibilityDate": "01/09/2026"},
			[]string{`cloudflare-workers:compatibilityDate: "01/09/2026" is not a date`}},
		{"compatibility date in the future", map[string]string{ns + "compatibilityDate": "2999-01-01"},
			[]string{"cloudflare-workers:compatibilityDate: 2999-01-01 is in the future"}},
		{"bad compatibility flag", map[string]string{ns + "compatibilityFlags": `["Node-Compat"]`},
			[]string{`cloudflare-workers:compatibilityFlags[0]: "Node-Compat" is not a compatibility flag`}},
		{"duplicate compatibility flag", map[string]string{ns + "compatibilityFlags": `["nodejs_compat","nodejs_compat"]`},
			[]string{`cloudflare-workers:compatibilityFlags[1]: "nodejs_compat" is listed twice`}},

		{"release missing its version", release(func(r map[string]any) { delete(r, "version") }),
			[]string{file + "cloudflare-workers:release.version: is missing; fix: set the release the application pipeline published"}},
		{"release with a path as version", release(func(r map[string]any) { r["version"] = "../2026" }),
			[]string{`cloudflare-workers:release.version: "../2026" cannot name a release`}},
		{"hash of a Worker missing", sums(func(m map[string]any) { delete(m, "dome-notify") }),
			[]string{file + "cloudflare-workers:release.sha256.dome-notify: is missing; fix: pin the SHA-256 the application pipeline reported for workers/dome-notify/2026.09.01-1/index.js"}},
		{"hash of an unknown Worker", sums(func(m map[string]any) { m["dome-web"] = strings.Repeat("a", 64) }),
			[]string{`cloudflare-workers:release.sha256.dome-web: "dome-web" is not a Worker of this project`}},
		{"malformed hash", sums(func(m map[string]any) { m["silo"] = "ABC" }),
			[]string{`cloudflare-workers:release.sha256.silo: Worker silo: "ABC" is not a SHA-256`}},
		{"unknown release field", release(func(r map[string]any) { r["sha"] = map[string]any{} }),
			[]string{"cloudflare-workers:release", `"sha"`}},
		{"bundles of the old convention", map[string]string{ns + "bundles": `{"silo":"build/silo/index.js"}`},
			[]string{file + "cloudflare-workers:bundles: is no longer read: the Worker code is a pinned release fetched from the artifact store", "cloudflare-workers:release"}},

		{"sampling rate above 1", map[string]string{ns + "observability": `{"headSamplingRate":1.5}`},
			[]string{"cloudflare-workers:observability.headSamplingRate: 1.5 is out of range", "from 0 to 1"}},
		{"negative sampling rate", map[string]string{ns + "observability": `{"headSamplingRate":-0.1}`},
			[]string{"cloudflare-workers:observability.headSamplingRate: -0.1 is out of range"}},

		{"unknown queue", withConsumers(t, set("new-content-ai", "queue", "new-content")),
			[]string{`cloudflare-workers:consumers[1].queue: "new-content" is not a queue of cloudflare-storage`}},
		{"consumer without queue", withConsumers(t, set("new-content-ai", "queue", nil)),
			[]string{"cloudflare-workers:consumers[1].queue: is missing"}},
		{"unknown consumer Worker", withConsumers(t, set("dome-events", "worker", "notifier")),
			[]string{`cloudflare-workers:consumers[4].worker: "notifier" is not a Worker of this project`}},
		{"consumer moved to another Worker", withConsumers(t, set("dome-events", "worker", "dome-cron")),
			[]string{file + "cloudflare-workers:consumers[4].worker: queue dome-events is consumed by dome-notify, not dome-cron; fix: remove the key (or set it to dome-notify): which Worker consumes a queue is declared once, in projects/cloudflare-workers/topology/topology.go"}},
		{"batch size 0", withConsumers(t, set("content-events", "batchSize", 0)),
			[]string{"cloudflare-workers:consumers[2].batchSize: 0 is out of range for the consumer of content-events; fix: use 1 to 100 messages"}},
		{"batch size 101", withConsumers(t, set("content-events", "batchSize", 101)),
			[]string{"cloudflare-workers:consumers[2].batchSize: 101 is out of range"}},
		{"batch wait too long", withConsumers(t, set("content-events", "maxWaitTimeMs", 60001)),
			[]string{"cloudflare-workers:consumers[2].maxWaitTimeMs: 60001 is out of range", "use 0 to 60000 milliseconds"}},
		{"too many retries", withConsumers(t, set("content-events", "maxRetries", 101)),
			[]string{"cloudflare-workers:consumers[2].maxRetries: 101 is out of range"}},
		{"negative retries", withConsumers(t, set("content-events", "maxRetries", -1)),
			[]string{"cloudflare-workers:consumers[2].maxRetries: -1 is out of range"}},
		{"retry delay too long", withConsumers(t, set("content-events", "retryDelay", 43201)),
			[]string{"cloudflare-workers:consumers[2].retryDelay: 43201 is out of range", "use 0 to 43200 seconds"}},
		{"zero concurrency", withConsumers(t, set("content-events", "maxConcurrency", 0)),
			[]string{"cloudflare-workers:consumers[2].maxConcurrency: 0 is out of range"}},
		{"unknown consumer field", withConsumers(t, set("content-events", "batch_size", 5)),
			[]string{"cloudflare-workers:consumers: cannot be read", `unknown field "batch_size"`}},
		{"unknown dead letter queue", withConsumers(t, set("new-content-constellation", "deadLetterQueue", "dlq")),
			[]string{`cloudflare-workers:consumers[0].deadLetterQueue: "dlq" is not a queue of cloudflare-storage`}},
		{"queue is its own dead letter queue", withConsumers(t, set("new-content-ai", "deadLetterQueue", "new-content-ai")),
			[]string{"cloudflare-workers:consumers[1].deadLetterQueue: queue new-content-ai cannot be its own dead letter queue"}},
		{"dead letter queue changed", withConsumers(t, set("new-content-constellation", "deadLetterQueue", "new-content-ai")),
			[]string{file + "cloudflare-workers:consumers[0].deadLetterQueue: the consumer of new-content-constellation sends failed messages to embed-dead-letter, not new-content-ai; fix: remove the key"}},
		{"dead letter queue added", withConsumers(t, set("new-content-ai", "deadLetterQueue", "embed-dead-letter")),
			[]string{file + "cloudflare-workers:consumers[1].deadLetterQueue: the consumer of new-content-ai sends failed messages to no queue, not embed-dead-letter"}},

		{"cron of an unknown Worker", map[string]string{ns + "crons": `{"dome-crom":["*/5 * * * *"]}`},
			[]string{`cloudflare-workers:crons.dome-crom: "dome-crom" is not a Worker of this project`}},
		{"cron without schedule", map[string]string{ns + "crons": `{"dome-cron":[]}`},
			[]string{"cloudflare-workers:crons.dome-cron: has no schedule"}},
		{"cron with four fields", map[string]string{ns + "crons": `{"dome-cron":["*/5 * * *"]}`},
			[]string{`cloudflare-workers:crons.dome-cron[0]: "*/5 * * *" is not a valid cron expression`, "use five fields"}},
		{"cron out of range", map[string]string{ns + "crons": `{"dome-cron":["*/5 25 * * *"]}`},
			[]string{`cloudflare-workers:crons.dome-cron[0]: "*/5 25 * * *" is not a valid cron expression`}},
		{"cron descriptor", map[string]string{ns + "crons": `{"dome-cron":["@hourly"]}`},
			[]string{`cloudflare-workers:crons.dome-cron[0]: "@hourly" is not a valid cron expression`}},
		{"cron with time zone", map[string]string{ns + "crons": `{"dome-cron":["CRON_TZ=Europe/Paris */5 * * * *"]}`},
			[]string{"cloudflare-workers:crons.dome-cron[0]: \"CRON_TZ=Europe/Paris */5 * * * *\" sets a time zone", "UTC"}},
		{"duplicate cron", map[string]string{ns + "crons": `{"dome-cron":["*/5 * * * *","*/5 * * * *"]}`},
			[]string{`cloudflare-workers:crons.dome-cron[1]: "*/5 * * * *" is listed twice`}},

		{"name override without the environment", map[string]string{ns + "names": `{"silo":"silo"}`},
			[]string{`cloudflare-workers:names: name override silo="silo" does not contain the environment "local"`}},
		{"name override of an unknown Worker", map[string]string{ns + "names": `{"dome-web":"local-web"}`},
			[]string{`cloudflare-workers:names.dome-web: "dome-web" is not a Worker of this project`}},
		{"invalid name override", map[string]string{ns + "names": `{"silo":"local.silo"}`},
			[]string{`cloudflare-workers:names.silo: Worker script name "local.silo" is invalid`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectInvalid(t, "local", options("local", tc.cfg), tc.want...)
		})
	}
}

// TestEntryOfUnconsumedQueue checks a stack file's consumers entry for a
// queue no declared Worker consumes (today: the dead-letter queue).
func TestEntryOfUnconsumedQueue(t *testing.T) {
	var queue string
	for _, q := range topology.Queues {
		if _, ok := topology.ConsumerOf(q); !ok {
			queue = q
			break
		}
	}
	if queue == "" {
		t.Skip("every queue has a declared consumer")
	}
	cfg := withConsumers(t, func(cs []map[string]any) []map[string]any {
		return append(cs, map[string]any{"queue": queue, "batchSize": 5})
	})
	n := len(committedConsumers(t, "local"))
	expectInvalid(t, "local", options("local", cfg), fmt.Sprintf("projects/cloudflare-workers/Pulumi.local.yaml: cloudflare-workers:consumers[%d].queue: no Worker consumes queue %s; fix: declare the consumer in the Consumes of its Worker in projects/cloudflare-workers/topology/topology.go (docs/runbooks/add-worker.md), or remove the entry", n, queue))
}

// TestMissingKeys checks the required keys: a stack file without them
// reports each one (consumers are declared, so their key is optional).
func TestMissingKeys(t *testing.T) {
	expectInvalid(t, "dev", mocktest.Options{NoStackFile: true, Upstreams: upstream("dev")},
		"invalid configuration (2 problems)",
		"projects/cloudflare-workers/Pulumi.dev.yaml: cloudflare-workers:compatibilityDate: is missing",
		"projects/cloudflare-workers/Pulumi.dev.yaml: cloudflare-workers:release: is missing; fix: pin the release of the Worker code")
}

// TestLocalStackIsSelfContained checks that the committed local stack
// deploys with nothing outside the repository (and the sandbox's store).
func TestLocalStackIsSelfContained(t *testing.T) {
	if _, err := mocktest.Run(project, "local", program.Program, mocktest.Options{Upstreams: upstream("local")}); err != nil {
		t.Fatal(err)
	}
}
