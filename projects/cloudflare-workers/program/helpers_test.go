package program_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/mocktest"
)

const (
	project = contracts.CloudflareWorkersProject
	ns      = project + ":"

	scriptType   = "cloudflare:index/workersScript:WorkersScript"
	consumerType = "cloudflare:index/queueConsumer:QueueConsumer"
	cronType     = "cloudflare:index/workersCronTrigger:WorkersCronTrigger"

	localAccount  = "10ca1000000000000000000000000001"
	sharedAccount = "2d45fcd3b3e68735a6ab3542fb494c19"

	placeholder = "placeholder/worker.js"
)

var (
	// workers are the declared Workers, sorted as the mocks list them.
	workers = sortedNames()
	queues  = []string{"content-events", "dome-events", "embed-dead-letter", "enriched-content", "new-content-ai", "new-content-constellation"}
)

// sortedNames returns the declared Workers, sorted.
func sortedNames() []string {
	names := topology.Names()
	sort.Strings(names)
	return names
}

// cronSchedules returns the declared schedules as the contract exports
// them (Worker → comma-separated schedules).
func cronSchedules() map[string]any {
	out := map[string]any{}
	for w, s := range topology.Crons() {
		out[w] = strings.Join(s, ",")
	}
	return out
}

// upstream returns the outputs a cloudflare-storage stack would export,
// with IDs that differ from names so a binding to the wrong field shows.
func upstream(stack string) map[string]map[string]any {
	p := stack + "-"
	qIDs, qNames := map[string]any{}, map[string]any{}
	for _, q := range queues {
		qIDs[q], qNames[q] = "qid-"+q, p+q
	}
	return map[string]map[string]any{contracts.CloudflareStorageProject: {
		"accountId":          sharedAccount,
		"d1DatabaseIds":      map[string]any{"dome-meta": "uuid-dome-meta", "silo": "uuid-silo"},
		"d1DatabaseNames":    map[string]any{"dome-meta": p + "dome-meta", "silo": p + "silo"},
		"bucketNames":        map[string]any{"dome-raw": p + "dome-raw", "silo-content": p + "silo-content"},
		"queueIds":           qIDs,
		"queueNames":         qNames,
		"vectorizeIndexName": p + "dome-notes",
	}}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// options returns the options of a run of stack with the committed stack
// file (its pinned release comes from the test store), the given upstreams
// and config overrides.
func options(stack string, cfg map[string]string) mocktest.Options {
	all := map[string]string{}
	for k, v := range cfg {
		all[k] = v
	}
	return mocktest.Options{Config: all, Upstreams: upstream(stack)}
}

func run(t *testing.T, stack string, cfg map[string]string) *mocktest.Result {
	t.Helper()
	res, err := mocktest.Run(project, stack, program.Program, options(stack, cfg))
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return res
}

func find(t *testing.T, res *mocktest.Result, typ, name string) mocktest.Resource {
	t.Helper()
	r, ok := res.Find(typ, name)
	if !ok {
		t.Fatalf("%s %q not registered", typ, name)
	}
	return r
}

// committedConsumers returns the consumers of a committed stack file, as
// JSON-like values a test can change.
func committedConsumers(t *testing.T, stack string) []map[string]any {
	t.Helper()
	cfg, err := mocktest.StackConfig(project, stack)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(cfg[ns+"consumers"]), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// scriptPrefix is the prefix of the script names of a stack: prod keeps
// the existing names (its names map).
func scriptPrefix(stack string) string {
	if stack == "prod" {
		return ""
	}
	return stack + "-"
}
