package topology

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/queues"
)

// Consumer is one queue a Worker consumes: a consumer Worker, not an HTTP
// pull consumer.
type Consumer struct {
	// Queue is the logical name of the consumed queue.
	Queue string
	// DeadLetterQueue is the logical name of the queue that receives the
	// messages whose retries are exhausted; empty drops them.
	DeadLetterQueue string
	// Settings are the defaults of every environment; a stack file's
	// consumers entry for Queue overrides them one by one.
	Settings Settings
}

// Settings are the batch and retry settings of a queue consumer.
type Settings struct {
	// BatchSize is the largest batch, MaxWaitTimeMs how long a batch may
	// wait to fill, MaxRetries how often a message is retried before it is
	// dead-lettered or dropped, RetryDelay the seconds before a retry.
	BatchSize     int
	MaxWaitTimeMs int
	MaxRetries    int
	RetryDelay    int
	// MaxConcurrency caps concurrent invocations; nil lets Cloudflare scale
	// to its maximum.
	MaxConcurrency *int
}

// CloudflareDefaults are the settings Cloudflare applies when none is
// given: a starting point for a new consumer.
var CloudflareDefaults = Settings{BatchSize: 10, MaxWaitTimeMs: 5000, MaxRetries: 3, RetryDelay: 0}

// Limit is the range Cloudflare Queues accepts for one setting, under the
// setting's stack file key.
type Limit struct {
	Key      string
	Min, Max int
	Unit     string
	// Of returns the setting in s (nil when unset).
	Of func(s *Settings) *int
}

// Limits are the Cloudflare Queues limits of the consumer settings.
var Limits = []Limit{
	{"batchSize", 1, 100, "messages", func(s *Settings) *int { return &s.BatchSize }},
	{"maxWaitTimeMs", 0, 60000, "milliseconds", func(s *Settings) *int { return &s.MaxWaitTimeMs }},
	{"maxRetries", 0, 100, "retries", func(s *Settings) *int { return &s.MaxRetries }},
	{"retryDelay", 0, 43200, "seconds", func(s *Settings) *int { return &s.RetryDelay }},
	{"maxConcurrency", 1, 250, "concurrent invocations (omit the key for the platform maximum)", func(s *Settings) *int { return s.MaxConcurrency }},
}

// Fix is how to bring v within the limit.
func (l Limit) Fix() string { return fmt.Sprintf("use %d to %d %s", l.Min, l.Max, l.Unit) }

// In reports whether v is within the limit.
func (l Limit) In(v int) bool { return v >= l.Min && v <= l.Max }

// Consumption is a declared consumer with the Worker that runs it.
type Consumption struct {
	Worker string
	Consumer
}

// Consumers returns the declared consumers, in the order of Workers.
func Consumers() []Consumption { return consumersOf(Workers) }

func consumersOf(workers []Worker) []Consumption {
	var out []Consumption
	for _, w := range workers {
		for _, c := range w.Consumes {
			out = append(out, Consumption{Worker: w.Name, Consumer: c})
		}
	}
	return out
}

// ConsumerOf returns the declared consumer of a queue.
func ConsumerOf(queue string) (Consumption, bool) {
	for _, c := range Consumers() {
		if c.Queue == queue {
			return c, true
		}
	}
	return Consumption{}, false
}

// consumerProblems checks the declared consumers: known queues, settings
// within the Cloudflare limits, a dead-letter queue other than the queue,
// one consumer per queue (Cloudflare accepts a single consumer Worker per
// queue), and a consumer for every queue that is written to, unless it is a
// dead-letter queue.
func consumerProblems(workers []Worker, isQueue map[string]bool) []string {
	var errs []string
	all := consumersOf(workers)
	pairs := make([]queues.Consumer, 0, len(all))
	deadLetter := map[string]bool{}
	for _, c := range all {
		where := fmt.Sprintf("worker %s consumer of %s", c.Worker, c.Queue)
		if !isQueue[c.Queue] {
			errs = append(errs, fmt.Sprintf("worker %s consumes unknown queue %q", c.Worker, c.Queue))
		}
		for _, l := range Limits {
			if v := l.Of(&c.Settings); v != nil && !l.In(*v) {
				errs = append(errs, fmt.Sprintf("%s: %s %d is out of range (%s)", where, l.Key, *v, l.Fix()))
			}
		}
		if d := c.DeadLetterQueue; d != "" {
			switch {
			case !isQueue[d]:
				errs = append(errs, fmt.Sprintf("%s: unknown dead-letter queue %q", where, d))
			case d == c.Queue:
				errs = append(errs, fmt.Sprintf("%s: a queue cannot be its own dead-letter queue", where))
			}
			deadLetter[d] = true
		}
		pairs = append(pairs, queues.Consumer{Queue: c.Queue, Name: c.Worker})
	}
	for _, k := range queues.OneConsumer(pairs) {
		errs = append(errs, fmt.Sprintf("%s; Cloudflare allows one consumer Worker per queue: let the others produce to it or call the consumer through a service binding (docs/decisions/0021-one-consumer-per-queue.md)", k.Error()))
	}
	consumed := map[string]bool{}
	for _, c := range all {
		consumed[c.Queue] = true
	}
	producers := producersOf(workers)
	written := make([]string, 0, len(producers))
	for q := range producers {
		written = append(written, q)
	}
	sort.Strings(written)
	for _, q := range written {
		if !consumed[q] && !deadLetter[q] {
			errs = append(errs, fmt.Sprintf("queue %s is written to by %s but no Worker consumes it, so its messages would pile up: add it to the Consumes of a Worker, or make it a dead-letter queue", q, strings.Join(producers[q], ", ")))
		}
	}
	return errs
}
