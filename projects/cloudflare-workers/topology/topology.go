package topology

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The logical names of the Workers.
const (
	DomeAPI       = "dome-api"
	Silo          = "silo"
	Constellation = "constellation"
	AIProcessor   = "ai-processor"
	DomeCron      = "dome-cron"
	DomeNotify    = "dome-notify"
)

// The logical names of the storage objects the Workers bind, as exported by
// cloudflare-storage.
const (
	DomeMetaDB  = "dome-meta"
	SiloDB      = "silo"
	SiloContent = "silo-content"
	DomeNotes   = "dome-notes"

	NewContentConstellation = "new-content-constellation"
	NewContentAI            = "new-content-ai"
	ContentEvents           = "content-events"
	EnrichedContent         = "enriched-content"
	DomeEvents              = "dome-events"
	EmbedDeadLetter         = "embed-dead-letter"
)

// Queues lists the logical names of the queues of cloudflare-storage.
var Queues = []string{NewContentConstellation, NewContentAI, ContentEvents, EnrichedContent, DomeEvents, EmbedDeadLetter}

// ExternalProducers lists queues written by something other than a Worker:
// R2 sends object-creation events of silo-content to content-events.
var ExternalProducers = map[string]string{ContentEvents: "R2 event notification (cloudflare-storage)"}

// Kind is the kind of a binding, as the Workers API names it.
type Kind string

// The binding kinds in use.
const (
	D1        Kind = "d1"
	R2        Kind = "r2_bucket"
	Vectorize Kind = "vectorize"
	AI        Kind = "ai"
	Queue     Kind = "queue"
	Service   Kind = "service"
)

// Binding is one binding of a Worker.
type Binding struct {
	// Name is the variable name in the Worker's env.
	Name string
	Kind Kind
	// Target is the logical name of the bound object: a D1 database, R2
	// bucket, Vectorize index, queue or Worker. Empty for Workers AI.
	Target string
}

// Worker is the declaration of one Worker: its bindings, the queues it
// consumes and its cron schedules.
type Worker struct {
	// Name is the logical name: the script name outside prod is
	// <env>-<Name>, the bundle is BundleKey and the pin PinKey.
	Name     string
	Bindings []Binding
	// Consumes lists the queues the Worker consumes, with the default
	// settings of each consumer (a stack file may tune them).
	Consumes []Consumer
	// Crons are the default cron schedules, five fields in UTC (a stack
	// file's crons key replaces them).
	Crons []string
}

// Binding names shared by several Workers.
const (
	AIBinding         = "AI"
	DomeEventsBinding = "DOME_EVENTS"
)

// Workers lists the Workers in deployment order: every Worker comes after
// the Workers it has a service binding to. To add one, follow
// docs/runbooks/add-worker.md.
var Workers = []Worker{
	{Name: Silo, Bindings: []Binding{
		{"DB", D1, SiloDB},
		{"BUCKET", R2, SiloContent},
		{"NEW_CONTENT_CONSTELLATION", Queue, NewContentConstellation},
		{"NEW_CONTENT_AI", Queue, NewContentAI},
		{DomeEventsBinding, Queue, DomeEvents},
	}, Consumes: []Consumer{
		{Queue: ContentEvents, Settings: Settings{BatchSize: 25, MaxWaitTimeMs: 2000, MaxRetries: 3, RetryDelay: 10}},
		{Queue: EnrichedContent, Settings: Settings{BatchSize: 10, MaxWaitTimeMs: 5000, MaxRetries: 3, RetryDelay: 10}},
	}},
	{Name: Constellation, Bindings: []Binding{
		{"VECTORIZE", Vectorize, DomeNotes},
		{AIBinding, AI, ""},
		{"SILO", Service, Silo},
		{"EMBED_DEAD_LETTER", Queue, EmbedDeadLetter},
		{DomeEventsBinding, Queue, DomeEvents},
	}, Consumes: []Consumer{
		{Queue: NewContentConstellation, DeadLetterQueue: EmbedDeadLetter, Settings: Settings{BatchSize: 10, MaxWaitTimeMs: 5000, MaxRetries: 5, RetryDelay: 30}},
	}},
	{Name: AIProcessor, Bindings: []Binding{
		{AIBinding, AI, ""},
		{"SILO", Service, Silo},
		{"ENRICHED_CONTENT", Queue, EnrichedContent},
		{DomeEventsBinding, Queue, DomeEvents},
	}, Consumes: []Consumer{
		{Queue: NewContentAI, Settings: Settings{BatchSize: 5, MaxWaitTimeMs: 5000, MaxRetries: 3, RetryDelay: 60}},
	}},
	{Name: DomeAPI, Bindings: []Binding{
		{"D1_DATABASE", D1, DomeMetaDB},
		{AIBinding, AI, ""},
		{"CONSTELLATION", Service, Constellation},
		{"SILO", Service, Silo},
	}},
	{Name: DomeCron, Bindings: []Binding{
		{"D1_DATABASE", D1, DomeMetaDB},
		{DomeEventsBinding, Queue, DomeEvents},
	}, Crons: []string{"*/5 * * * *"}},
	// dome-notify is the one consumer of dome-events; dome-cron produces to
	// it (docs/decisions/0021-one-consumer-per-queue.md).
	{Name: DomeNotify, Consumes: []Consumer{
		{Queue: DomeEvents, Settings: Settings{BatchSize: 10, MaxWaitTimeMs: 1000, MaxRetries: 3, RetryDelay: 5}},
	}},
}

// Names returns the logical names of the Workers, in deployment order.
func Names() []string {
	out := make([]string, 0, len(Workers))
	for _, w := range Workers {
		out = append(out, w.Name)
	}
	return out
}

// Find returns the Worker with a logical name.
func Find(name string) (Worker, bool) {
	for _, w := range Workers {
		if w.Name == name {
			return w, true
		}
	}
	return Worker{}, false
}

// Crons returns the declared cron schedules by Worker, for the Workers
// that have any.
func Crons() map[string][]string {
	out := map[string][]string{}
	for _, w := range Workers {
		if len(w.Crons) > 0 {
			out[w.Name] = append([]string(nil), w.Crons...)
		}
	}
	return out
}

// IsQueue reports whether name is a queue of cloudflare-storage.
func IsQueue(name string) bool {
	for _, q := range Queues {
		if q == name {
			return true
		}
	}
	return false
}

// Producers returns, per queue, who writes to it: the Workers with a
// producer binding and the external producers.
func Producers() map[string][]string { return producersOf(Workers) }

func producersOf(workers []Worker) map[string][]string {
	out := map[string][]string{}
	for _, w := range workers {
		for _, b := range w.Bindings {
			if b.Kind == Queue {
				out[b.Target] = append(out[b.Target], w.Name)
			}
		}
	}
	for q, p := range ExternalProducers {
		out[q] = append(out[q], p)
	}
	return out
}

var jsIdent = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// Validate checks a topology: binding names are unique upper-case
// identifiers per Worker, every target exists, service bindings only point
// at Workers declared earlier, which rules out cycles and gives the
// deployment order, and the consumers are valid (consumerProblems).
func Validate(workers []Worker, queues []string, storage map[Kind][]string) error {
	var errs []string
	seen := map[string]bool{}
	isQueue := map[string]bool{}
	for _, q := range queues {
		isQueue[q] = true
	}
	known := func(k Kind, target string) bool {
		for _, t := range storage[k] {
			if t == target {
				return true
			}
		}
		return false
	}
	for _, w := range workers {
		if seen[w.Name] {
			errs = append(errs, fmt.Sprintf("worker %s is declared twice", w.Name))
		}
		names := map[string]bool{}
		for _, b := range w.Bindings {
			where := fmt.Sprintf("worker %s binding %s", w.Name, b.Name)
			if !jsIdent.MatchString(b.Name) {
				errs = append(errs, where+": binding names are upper-case identifiers")
			}
			if names[b.Name] {
				errs = append(errs, where+": declared twice")
			}
			names[b.Name] = true
			switch b.Kind {
			case AI:
				if b.Target != "" {
					errs = append(errs, where+": a Workers AI binding has no target")
				}
			case Queue:
				if !isQueue[b.Target] {
					errs = append(errs, fmt.Sprintf("%s: unknown queue %q", where, b.Target))
				}
			case Service:
				if !seen[b.Target] {
					errs = append(errs, fmt.Sprintf("%s: service %q is not a Worker declared before %s", where, b.Target, w.Name))
				}
			case D1, R2, Vectorize:
				if !known(b.Kind, b.Target) {
					errs = append(errs, fmt.Sprintf("%s: unknown %s %q", where, b.Kind, b.Target))
				}
			default:
				errs = append(errs, fmt.Sprintf("%s: unknown kind %q", where, b.Kind))
			}
		}
		seen[w.Name] = true
	}
	errs = append(errs, consumerProblems(workers, isQueue)...)
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("topology: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Storage lists the storage objects of cloudflare-storage that Workers can
// bind, by binding kind.
var Storage = map[Kind][]string{
	D1:        {DomeMetaDB, SiloDB},
	R2:        {"dome-raw", SiloContent},
	Vectorize: {DomeNotes},
}
