package topology

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDeclaredTopologyIsValid(t *testing.T) {
	if err := Validate(Workers, Queues, Storage); err != nil {
		t.Fatal(err)
	}
	// The Workers of the design are declared (others may be added).
	for _, w := range []string{AIProcessor, Constellation, DomeAPI, DomeCron, DomeNotify, Silo} {
		if _, ok := Find(w); !ok {
			t.Errorf("Worker %s of the design is not declared; Workers = %v", w, Names())
		}
	}
}

func TestProducers(t *testing.T) {
	got := Producers()
	want := map[string][]string{
		NewContentConstellation: {Silo},
		NewContentAI:            {Silo},
		ContentEvents:           {ExternalProducers[ContentEvents]},
		EnrichedContent:         {AIProcessor},
		DomeEvents:              {AIProcessor, Constellation, DomeCron, Silo},
		EmbedDeadLetter:         {Constellation},
	}
	// The design's producers write to their queues (a new Worker may add
	// producers); nothing writes to a queue storage does not have.
	for q, ps := range want {
		for _, p := range ps {
			if !slices.Contains(got[q], p) {
				t.Errorf("Producers()[%s] = %v, want %s among them", q, got[q], p)
			}
		}
	}
	for q := range got {
		if !IsQueue(q) {
			t.Errorf("Producers() has queue %s, which storage does not declare", q)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers []Worker
		want    string
	}{
		{"service to a later Worker", []Worker{
			{Name: "a", Bindings: []Binding{{"B", Service, "b"}}},
			{Name: "b"},
		}, `worker a binding B: service "b" is not a Worker declared before a`},
		{"service cycle", []Worker{
			{Name: "a", Bindings: []Binding{{"B", Service, "b"}}},
			{Name: "b", Bindings: []Binding{{"A", Service, "a"}}},
		}, `worker a binding B: service "b" is not a Worker declared before a`},
		{"unknown queue", []Worker{{Name: "a", Bindings: []Binding{{"Q", Queue, "nope"}}}}, `worker a binding Q: unknown queue "nope"`},
		{"unknown database", []Worker{{Name: "a", Bindings: []Binding{{"DB", D1, "nope"}}}}, `worker a binding DB: unknown d1 "nope"`},
		{"unknown bucket", []Worker{{Name: "a", Bindings: []Binding{{"B", R2, "nope"}}}}, `worker a binding B: unknown r2_bucket "nope"`},
		{"unknown index", []Worker{{Name: "a", Bindings: []Binding{{"V", Vectorize, "nope"}}}}, `worker a binding V: unknown vectorize "nope"`},
		{"AI with a target", []Worker{{Name: "a", Bindings: []Binding{{"AI", AI, "x"}}}}, "worker a binding AI: a Workers AI binding has no target"},
		{"duplicate binding", []Worker{{Name: "a", Bindings: []Binding{{"AI", AI, ""}, {"AI", AI, ""}}}}, "worker a binding AI: declared twice"},
		{"lower-case binding", []Worker{{Name: "a", Bindings: []Binding{{"ai", AI, ""}}}}, "worker a binding ai: binding names are upper-case identifiers"},
		{"unknown kind", []Worker{{Name: "a", Bindings: []Binding{{"KV", "kv_namespace", "x"}}}}, `worker a binding KV: unknown kind "kv_namespace"`},
		{"duplicate Worker", []Worker{{Name: "a"}, {Name: "a"}}, "worker a is declared twice"},
		{"consumer of an unknown queue", []Worker{{Name: "a", Consumes: []Consumer{{Queue: "nope", Settings: CloudflareDefaults}}}}, `worker a consumes unknown queue "nope"`},
		{"consumer setting out of range", []Worker{{Name: "a", Consumes: []Consumer{{Queue: DomeEvents, Settings: Settings{BatchSize: 0, MaxWaitTimeMs: 5000}}}}},
			"worker a consumer of dome-events: batchSize 0 is out of range (use 1 to 100 messages)"},
		{"unknown dead-letter queue", []Worker{{Name: "a", Consumes: []Consumer{{Queue: DomeEvents, DeadLetterQueue: "dlq", Settings: CloudflareDefaults}}}},
			`worker a consumer of dome-events: unknown dead-letter queue "dlq"`},
		{"queue as its own dead-letter queue", []Worker{{Name: "a", Consumes: []Consumer{{Queue: DomeEvents, DeadLetterQueue: DomeEvents, Settings: CloudflareDefaults}}}},
			"worker a consumer of dome-events: a queue cannot be its own dead-letter queue"},
		{"two consumers of a queue", []Worker{
			{Name: "a", Consumes: []Consumer{{Queue: DomeEvents, Settings: CloudflareDefaults}}},
			{Name: "b", Consumes: []Consumer{{Queue: DomeEvents, Settings: CloudflareDefaults}}},
		}, "queue dome-events has 2 consumers, a, b; a queue has exactly one consumer; Cloudflare allows one consumer Worker per queue"},
		{"written queue without consumer", []Worker{{Name: "a", Bindings: []Binding{{"Q", Queue, EnrichedContent}}}},
			"queue enriched-content is written to by a but no Worker consumes it"},
		{"R2 queue without consumer", []Worker{{Name: "a"}},
			"queue content-events is written to by R2 event notification (cloudflare-storage) but no Worker consumes it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.workers, Queues, Storage)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// without returns a copy of the declared Workers with edit applied to the
// copy of one of them.
func without(name string, edit func(*Worker)) []Worker {
	out := make([]Worker, 0, len(Workers))
	for _, w := range Workers {
		if w.Name == name {
			w.Consumes = append([]Consumer(nil), w.Consumes...)
			edit(&w)
		}
		out = append(out, w)
	}
	return out
}

// TestEveryWrittenQueueIsConsumed checks the declaration without each of
// its consumers and dead-letter queues: a removal that leaves a written
// queue neither consumed nor a dead-letter queue is named by Validate.
func TestEveryWrittenQueueIsConsumed(t *testing.T) {
	producers := Producers()
	consumed, deadLetter := map[string]int{}, map[string]int{}
	for _, c := range Consumers() {
		consumed[c.Queue]++
		if c.DeadLetterQueue != "" {
			deadLetter[c.DeadLetterQueue]++
		}
	}
	for _, c := range Consumers() {
		if deadLetter[c.Queue] > 0 || len(producers[c.Queue]) == 0 {
			continue // still a dead-letter queue, or written by nothing
		}
		ws := without(c.Worker, func(w *Worker) {
			var keep []Consumer
			for _, x := range w.Consumes {
				if x.Queue != c.Queue {
					keep = append(keep, x)
				}
			}
			w.Consumes = keep
		})
		err := Validate(ws, Queues, Storage)
		if want := "queue " + c.Queue + " is written to by " + strings.Join(producers[c.Queue], ", "); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("without the consumer of %s: err = %v, want %q", c.Queue, err, want)
		}
		if d := c.DeadLetterQueue; d == "" || consumed[d] > 0 || deadLetter[d] > 1 {
			continue // no dead-letter queue, or one still consumed or used
		}
		ws = without(c.Worker, func(w *Worker) {
			for i := range w.Consumes {
				if w.Consumes[i].Queue == c.Queue {
					w.Consumes[i].DeadLetterQueue = ""
				}
			}
		})
		err = Validate(ws, Queues, Storage)
		if want := "queue " + c.DeadLetterQueue + " is written to by"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("without the dead-letter queue of %s: err = %v, want %q", c.Queue, err, want)
		}
	}
}

// TestConsumersAndCrons checks the lookups of the declaration.
func TestConsumersAndCrons(t *testing.T) {
	for _, c := range Consumers() {
		got, ok := ConsumerOf(c.Queue)
		if !ok || got.Worker != c.Worker {
			t.Errorf("ConsumerOf(%s) = %v, %v, want %s", c.Queue, got, ok, c.Worker)
		}
	}
	if _, ok := ConsumerOf("no-such-queue"); ok {
		t.Error("ConsumerOf found a consumer of a queue that does not exist")
	}
	crons := Crons()
	for _, w := range Workers {
		if !reflect.DeepEqual(crons[w.Name], w.Crons) && len(w.Crons) > 0 {
			t.Errorf("Crons()[%s] = %v, want %v", w.Name, crons[w.Name], w.Crons)
		}
		if _, ok := crons[w.Name]; ok != (len(w.Crons) > 0) {
			t.Errorf("Crons() has %s: %v", w.Name, ok)
		}
	}
}

// TestBundleKeys checks where a Worker's bundle is found.
func TestBundleKeys(t *testing.T) {
	w := Worker{Name: "dome-digest"}
	if got := w.BundleKey("2026.12.01-3"); got != "workers/dome-digest/2026.12.01-3/index.js" {
		t.Errorf("BundleKey = %q", got)
	}
	if got := w.PinKey(); got != "release.sha256.dome-digest" {
		t.Errorf("PinKey = %q", got)
	}
}
