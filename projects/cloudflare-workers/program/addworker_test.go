package program_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/mocktest"
)

// requests is the queue the example Worker consumes, as if
// cloudflare-storage had added it (step 1 of docs/runbooks/add-worker.md).
const requests = "example-digest-requests"

// digest is a Worker added as docs/runbooks/add-worker.md says: it binds
// existing storage, a Worker and a queue, consumes a queue of its own and
// runs once a day.
var digest = topology.Worker{
	Name: "example-digest",
	Bindings: []topology.Binding{
		{Name: "D1_DATABASE", Kind: topology.D1, Target: topology.DomeMetaDB},
		{Name: "SILO", Kind: topology.Service, Target: topology.Silo},
		{Name: topology.DomeEventsBinding, Kind: topology.Queue, Target: topology.DomeEvents},
	},
	Consumes: []topology.Consumer{
		{Queue: requests, DeadLetterQueue: topology.EmbedDeadLetter, Settings: topology.Settings{BatchSize: 5, MaxWaitTimeMs: 10000, MaxRetries: 1, RetryDelay: 300}},
	},
	Crons: []string{"0 6 * * *"},
}

// declare appends w to the declaration, and its queue to the storage
// queues (and to the test's storage outputs), for the rest of the test
// (step 1 of the runbook).
func declare(t *testing.T, w topology.Worker) {
	t.Helper()
	saved, savedQueues, savedOutputs := topology.Workers, topology.Queues, queues
	t.Cleanup(func() { topology.Workers, topology.Queues, queues = saved, savedQueues, savedOutputs })
	topology.Workers = append(append([]topology.Worker(nil), saved...), w)
	topology.Queues = append(append([]string(nil), savedQueues...), requests)
	queues = append(append([]string(nil), savedOutputs...), requests)
	if err := topology.Validate(topology.Workers, topology.Queues, topology.Storage); err != nil {
		t.Fatal(err)
	}
}

// pinned returns the configuration of step 2 of the runbook for a
// committed stack: its release pins the new Worker's bundle too, which the
// pipeline published (here: the placeholder, published to the test store),
// and prod keeps the Worker's name without a prefix.
func pinned(t *testing.T, stack string) map[string]string {
	t.Helper()
	rel, err := committedRelease(stack)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, digest.Name, rel.Version, []byte(placeholderBundle(digest.Name, rel.Version)))
	cfg := releaseConfig(rel.Version, nil)
	if stack == "prod" {
		committed, err := mocktest.StackConfig(project, stack)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		if err := json.Unmarshal([]byte(committed[ns+"names"]), &names); err != nil {
			t.Fatal(err)
		}
		names[digest.Name] = digest.Name
		cfg[ns+"names"] = mustJSON(names)
	}
	return cfg
}

// TestAddWorkerRunbook follows docs/runbooks/add-worker.md under mocks in
// every committed environment: once declared, the Worker is required to be
// pinned, with one clear error per stack file until it is; once pinned, the
// program declares its script with its bindings and code, its consumer with
// the declared settings (or a stack's), and its cron trigger, and exports
// its name, with no other change to a stack file.
func TestAddWorkerRunbook(t *testing.T) {
	declare(t, digest)
	for _, stack := range committedStacks {
		t.Run(stack, func(t *testing.T) {
			rel, err := committedRelease(stack)
			if err != nil {
				t.Fatal(err)
			}
			file := "projects/cloudflare-workers/Pulumi." + stack + ".yaml"
			expectInvalid(t, stack, options(stack, nil),
				"invalid configuration: "+file+": cloudflare-workers:release.sha256."+digest.Name+": is missing; fix: pin the SHA-256 the application pipeline reported for workers/"+digest.Name+"/"+rel.Version+"/index.js (a new Worker: docs/runbooks/add-worker.md)")

			res, err := mocktest.RunContract(project, stack, program.Deploy, options(stack, pinned(t, stack)))
			if err != nil {
				t.Fatal(err)
			}
			sp, p := scriptPrefix(stack), stack+"-"
			s := find(t, res, scriptType, digest.Name)
			if s.String("scriptName") != sp+digest.Name || !strings.Contains(s.Parent, "::"+program.WorkerType+"::"+digest.Name) {
				t.Errorf("script %q under %q", s.String("scriptName"), s.Parent)
			}
			if s.String("content") != placeholderBundle(digest.Name, rel.Version) {
				t.Errorf("content of %d bytes, want the pinned bundle of release %s", len(s.String("content")), rel.Version)
			}
			want := map[string]string{
				"D1_DATABASE": "d1 id=uuid-dome-meta",
				"SILO":        "service service=" + sp + "silo",
				"DOME_EVENTS": "queue queueName=" + p + "dome-events",
			}
			if got := bindingsOf(s); !reflect.DeepEqual(got, want) {
				t.Errorf("bindings:\n got %v\nwant %v", got, want)
			}
			checkDeclaredConsumers(t, res, stack, nil)
			cron := find(t, res, cronType, digest.Name+"-cron")
			if cron.String("scriptName") != sp+digest.Name || cron.String("schedules[0].cron") != digest.Crons[0] {
				t.Errorf("cron trigger %v", cron.Inputs)
			}
			if names, _ := res.Exports["scriptNames"].(map[string]any); names[digest.Name] != sp+digest.Name {
				t.Errorf("scriptNames = %v", res.Exports["scriptNames"])
			}
		})
	}
}

// TestAddWorkerTunedPerEnvironment checks the optional step of the
// runbook: a stack's consumers entry for the new queue overrides the
// declared settings it names, in that stack only.
func TestAddWorkerTunedPerEnvironment(t *testing.T) {
	declare(t, digest)
	cfg := pinned(t, "staging")
	consumers := append(committedConsumers(t, "staging"), map[string]any{"queue": requests, "batchSize": 50})
	cfg[ns+"consumers"] = mustJSON(consumers)
	res := run(t, "staging", cfg)
	c := find(t, res, consumerType, requests+"-consumer")
	d := digest.Consumes[0].Settings
	got := [4]float64{c.Number("settings.batchSize"), c.Number("settings.maxWaitTimeMs"), c.Number("settings.maxRetries"), c.Number("settings.retryDelay")}
	if want := [4]float64{50, float64(d.MaxWaitTimeMs), float64(d.MaxRetries), float64(d.RetryDelay)}; got != want {
		t.Errorf("settings = %v, want %v", got, want)
	}
}
