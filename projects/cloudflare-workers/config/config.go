// Package config reads the configuration of the cloudflare-workers project:
// the environment settings it needs (the Cloudflare account, the Pulumi
// organization of upstream stacks, the artifact store of the Worker
// bundles) and its own stack configuration, including the pinned release
// of the Worker code. Load reads and validates everything before any
// resource is registered and reports every problem at once; FetchBundles
// then fetches and verifies the pinned bundles (bundles.go).
package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/queues"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// AccountID is the Cloudflare account of the Workers.
	AccountID string
	// ScriptNames maps each Worker's logical name to its script name.
	ScriptNames map[string]string
	// CompatibilityDate and CompatibilityFlags apply to every Worker.
	CompatibilityDate  string
	CompatibilityFlags []string
	// Release pins the Worker code: one release of the application and the
	// SHA-256 of each Worker's bundle (cloudflare-workers:release).
	Release artifacts.Release
	// PinFile is the stack file that holds Release, relative to the
	// repository root, for messages.
	PinFile string
	// Store is where the application pipeline publishes the bundles: the
	// artifacts settings of environments/<env>.yaml.
	Store artifacts.Store
	// Root is the repository root.
	Root string
	// Bundles maps each Worker's logical name to its code; FetchBundles
	// fills it.
	Bundles map[string]Bundle
	// Observability applies to every Worker.
	Observability Observability
	// Consumers lists the queue consumers, one per queue: the declared ones
	// (topology.Worker.Consumes) with the settings of this stack.
	Consumers []Consumer
	// Crons maps Worker names to their cron schedules: the declared ones
	// (topology.Worker.Crons), per Worker replaced by the stack's crons.
	Crons map[string][]string
}

// Bundle is the code of one Worker: one ES module of the pinned release.
type Bundle struct {
	// Key is the bundle's object key in the artifact store.
	Key string
	// SHA256 is the pinned hash, which Content was verified against.
	SHA256 string
	// MainModule is the module's file name, sent as the main module.
	MainModule string
	// Content is the module source; meaningful only when Known.
	Content string
	// Known is false under the SDK's mocks without an artifact store (the
	// offline checks): the code is then unknown, as a value that only the
	// deploy computes, and only the pin is checked.
	Known bool
}

// Observability configures Workers Logs and sampling.
type Observability struct {
	Enabled          bool
	HeadSamplingRate float64
}

// Consumer is one queue consumer of a stack: a declared consumer
// (topology.Consumer) with the settings of the stack.
type Consumer struct {
	// Queue and DeadLetterQueue are logical queue names.
	Queue  string
	Worker string
	// BatchSize is the largest batch, MaxWaitTimeMs how long a batch may
	// wait to fill, MaxRetries how often a message is retried before it is
	// dead-lettered or dropped, RetryDelay the seconds before a retry.
	BatchSize     int
	MaxWaitTimeMs int
	MaxRetries    int
	RetryDelay    int
	// MaxConcurrency caps concurrent invocations; nil lets Cloudflare scale
	// to its maximum.
	MaxConcurrency  *int
	DeadLetterQueue string
}

// Name returns the script name of a Worker.
func (c *Config) Name(worker string) string { return c.ScriptNames[worker] }

// ConsumersOf returns the consumers run by a Worker.
func (c *Config) ConsumersOf(worker string) []Consumer {
	var out []Consumer
	for _, x := range c.Consumers {
		if x.Worker == worker {
			out = append(out, x)
		}
	}
	return out
}

// Load reads and validates the configuration of the running stack.
func Load(ctx *pulumi.Context) (*Config, error) {
	env, err := environment.ForStack(ctx)
	if err != nil {
		return nil, fmt.Errorf("cloudflare-workers: environment: %w", err)
	}
	root, err := layout.RootOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("cloudflare-workers: repository root: %w", err)
	}
	var list problems.List
	env.Require(&list, environment.NeedCloudflareAccount, environment.NeedArtifacts)
	r := stackconfig.New(ctx, &list)
	c := &Config{Env: env, AccountID: env.Cloudflare.AccountID, Root: root, PinFile: r.File(),
		Store: artifacts.FromEnvironment(env.ArtifactsEndpoint(), env.Artifacts.Bucket)}
	c.ScriptNames = readNames(r, env)
	c.CompatibilityDate = readCompatibilityDate(r, time.Now().UTC())
	c.CompatibilityFlags = readFlags(r)
	c.Release = readRelease(r)
	c.Observability = readObservability(r)
	c.Consumers = readConsumers(r)
	c.Crons = readCrons(r)
	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

func knownWorker(name string) bool {
	_, ok := topology.Find(name)
	return ok
}

// workerList names the Workers, for fixes.
func workerList() string { return strings.Join(topology.Names(), ", ") }

func readNames(r *stackconfig.Reader, env *environment.Settings) map[string]string {
	overrides := map[string]string{}
	r.Object("names", &overrides)
	namer, err := naming.New(env.Name, env.IsProd(), overrides)
	if err != nil {
		r.Problem("names", err.Error(), "outside prod remove the override, or keep the environment name in it")
		namer, _ = naming.New(env.Name, env.IsProd(), nil)
	}
	for _, k := range namer.UnusedOverrides(topology.Names()) {
		r.Problemf("names."+k, "use one of "+workerList(), "%q is not a Worker of this project", k)
	}
	out := map[string]string{}
	for _, w := range topology.Names() {
		name, err := namer.Name(naming.WorkerScript, w)
		if err != nil {
			r.Problem("names."+w, err.Error(), "choose a shorter or valid name")
			continue
		}
		out[w] = name
	}
	return out
}

func readCompatibilityDate(r *stackconfig.Reader, now time.Time) string {
	const fix = "set the Workers runtime compatibility date, YYYY-MM-DD, e.g. the date the application was last tested against"
	v := r.RequireString("compatibilityDate", fix)
	if v == "" {
		return ""
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		r.Problemf("compatibilityDate", fix, "%q is not a date in the form YYYY-MM-DD", v)
		return v
	}
	if d.After(now.Add(24 * time.Hour)) {
		r.Problemf("compatibilityDate", "use today's date or an earlier one", "%s is in the future, which Cloudflare rejects", v)
	}
	return v
}

var flagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)

func readFlags(r *stackconfig.Reader) []string {
	var flags []string
	r.Object("compatibilityFlags", &flags)
	seen := map[string]bool{}
	for i, f := range flags {
		key := fmt.Sprintf("compatibilityFlags[%d]", i)
		switch {
		case !flagRE.MatchString(f):
			r.Problemf(key, "use a flag name such as nodejs_compat", "%q is not a compatibility flag", f)
		case seen[f]:
			r.Problemf(key, "remove the duplicate", "%q is listed twice", f)
		}
		seen[f] = true
	}
	return flags
}

func readObservability(r *stackconfig.Reader) Observability {
	o := Observability{Enabled: true, HeadSamplingRate: 1}
	var raw struct {
		Enabled          *bool    `json:"enabled"`
		HeadSamplingRate *float64 `json:"headSamplingRate"`
	}
	if !r.Object("observability", &raw) {
		return o
	}
	if raw.Enabled != nil {
		o.Enabled = *raw.Enabled
	}
	if raw.HeadSamplingRate != nil {
		o.HeadSamplingRate = *raw.HeadSamplingRate
		if !(o.HeadSamplingRate >= 0 && o.HeadSamplingRate <= 1) {
			r.Problemf("observability.headSamplingRate", "use a fraction from 0 to 1 (1 keeps every request)", "%v is out of range", o.HeadSamplingRate)
		}
	}
	return o
}

type rawConsumer struct {
	Queue           string `json:"queue"`
	Worker          string `json:"worker"`
	BatchSize       *int   `json:"batchSize"`
	MaxWaitTimeMs   *int   `json:"maxWaitTimeMs"`
	MaxRetries      *int   `json:"maxRetries"`
	RetryDelay      *int   `json:"retryDelay"`
	MaxConcurrency  *int   `json:"maxConcurrency"`
	DeadLetterQueue string `json:"deadLetterQueue"`
}

// setting returns the entry's value of the setting with a stack file key
// (nil when the entry does not set it).
func (rc *rawConsumer) setting(key string) *int {
	switch key {
	case "batchSize":
		return rc.BatchSize
	case "maxWaitTimeMs":
		return rc.MaxWaitTimeMs
	case "maxRetries":
		return rc.MaxRetries
	case "retryDelay":
		return rc.RetryDelay
	case "maxConcurrency":
		return rc.MaxConcurrency
	}
	return nil
}

// over returns the declared settings with the ones the entry sets.
func (rc *rawConsumer) over(s topology.Settings) topology.Settings {
	for _, l := range topology.Limits {
		if v := rc.setting(l.Key); v != nil {
			if l.Key == "maxConcurrency" {
				s.MaxConcurrency = v
			} else {
				*l.Of(&s) = *v
			}
		}
	}
	return s
}

const topologyFile = "projects/cloudflare-workers/topology/topology.go"

// readConsumers returns the declared consumers (package topology), each
// with the settings the stack file's consumers entry of its queue
// overrides. The key is optional: a consumer without an entry keeps the
// declared settings. An entry must name a queue some Worker consumes;
// its worker and deadLetterQueue, which the declaration owns, may be
// repeated but not changed; its settings must be within the Cloudflare
// limits; a queue has at most one entry.
func readConsumers(r *stackconfig.Reader) []Consumer {
	var raw []rawConsumer
	r.Object("consumers", &raw)
	queueList := strings.Join(topology.Queues, ", ")
	// pairs lists the entries with a known queue and Worker, for the one
	// entry per queue rule; entry maps them back to their entries.
	var pairs []queues.Consumer
	var entry []int
	byQueue := map[string]int{}
	for i, rc := range raw {
		at := func(field string) string { return fmt.Sprintf("consumers[%d].%s", i, field) }
		decl, declared := topology.ConsumerOf(rc.Queue)
		switch {
		case rc.Queue == "":
			r.Problem(at("queue"), "is missing", "name the consumed queue: one of "+queueList)
		case !topology.IsQueue(rc.Queue):
			r.Problemf(at("queue"), "use one of "+queueList, "%q is not a queue of cloudflare-storage", rc.Queue)
		case !declared:
			r.Problemf(at("queue"), "declare the consumer in the Consumes of its Worker in "+topologyFile+" (docs/runbooks/add-worker.md), or remove the entry",
				"no Worker consumes queue %s", rc.Queue)
		}
		worker := rc.Worker
		switch {
		case rc.Worker == "":
			worker = decl.Worker
		case !knownWorker(rc.Worker):
			r.Problemf(at("worker"), "use one of "+workerList(), "%q is not a Worker of this project", rc.Worker)
			worker = ""
		case declared && rc.Worker != decl.Worker:
			r.Problemf(at("worker"), fmt.Sprintf("remove the key (or set it to %s): which Worker consumes a queue is declared once, in %s (docs/decisions/0026-one-worker-declaration.md)", decl.Worker, topologyFile),
				"queue %s is consumed by %s, not %s", rc.Queue, decl.Worker, rc.Worker)
		}
		if worker != "" && topology.IsQueue(rc.Queue) {
			pairs = append(pairs, queues.Consumer{Queue: rc.Queue, Name: worker})
			entry = append(entry, i)
		}
		for _, l := range topology.Limits {
			if v := rc.setting(l.Key); v != nil && !l.In(*v) {
				r.Problemf(at(l.Key), l.Fix(), "%d is out of range for the consumer of %s", *v, rc.Queue)
			}
		}
		if d := rc.DeadLetterQueue; d != "" {
			switch {
			case !topology.IsQueue(d):
				r.Problemf(at("deadLetterQueue"), "use one of "+queueList, "%q is not a queue of cloudflare-storage", d)
			case d == rc.Queue:
				r.Problemf(at("deadLetterQueue"), "use a separate queue such as "+topology.EmbedDeadLetter, "queue %s cannot be its own dead letter queue", d)
			case declared && d != decl.DeadLetterQueue:
				r.Problemf(at("deadLetterQueue"), fmt.Sprintf("remove the key: the dead-letter queue of a consumer is declared once, in %s (docs/decisions/0026-one-worker-declaration.md)", topologyFile),
					"the consumer of %s sends failed messages to %s, not %s", rc.Queue, orNone(decl.DeadLetterQueue), d)
			}
		}
		if _, dup := byQueue[rc.Queue]; !dup {
			byQueue[rc.Queue] = i
		}
	}
	for _, c := range queues.OneConsumer(pairs) {
		first := entry[c.At[0]]
		for j := 1; j < len(c.At); j++ {
			i := entry[c.At[j]]
			r.Problemf(fmt.Sprintf("consumers[%d].queue", i),
				"keep one consumer per queue: let the other Worker produce to the queue or call the consumer through a service binding (docs/decisions/0021-one-consumer-per-queue.md)",
				"queue %s already has a consumer, %s (consumers[%d]); Cloudflare allows one consumer Worker per queue, so %s cannot consume it too",
				c.Queue, c.Names[0], first, c.Names[j])
		}
	}
	var out []Consumer
	for _, d := range topology.Consumers() {
		s := d.Settings
		if i, ok := byQueue[d.Queue]; ok {
			s = raw[i].over(s)
		}
		out = append(out, Consumer{
			Queue: d.Queue, Worker: d.Worker,
			BatchSize: s.BatchSize, MaxWaitTimeMs: s.MaxWaitTimeMs, MaxRetries: s.MaxRetries, RetryDelay: s.RetryDelay,
			MaxConcurrency:  s.MaxConcurrency,
			DeadLetterQueue: d.DeadLetterQueue,
		})
	}
	return out
}

func orNone(q string) string {
	if q == "" {
		return "no queue"
	}
	return q
}

// tzPrefix matches the time-zone prefix robfig/cron accepts but Cloudflare
// does not: Cloudflare runs every cron trigger in UTC.
var tzPrefix = regexp.MustCompile(`^(CRON_)?TZ=`)

// cronParser accepts the five standard fields, without descriptors such as
// @hourly, which Cloudflare does not accept.
var cronParser = cronFields()

// readCrons returns the declared schedules (topology.Worker.Crons), each
// Worker's replaced by the stack file's crons.<worker> when it has one.
func readCrons(r *stackconfig.Reader) map[string][]string {
	crons := map[string][]string{}
	out := topology.Crons()
	if !r.Object("crons", &crons) {
		return out
	}
	workers := make([]string, 0, len(crons))
	for w := range crons {
		workers = append(workers, w)
	}
	sort.Strings(workers)
	for _, w := range workers {
		if !knownWorker(w) {
			r.Problemf("crons."+w, "use one of "+workerList(), "%q is not a Worker of this project", w)
			continue
		}
		if len(crons[w]) == 0 {
			r.Problem("crons."+w, "has no schedule", "list at least one schedule such as \"*/5 * * * *\", or remove the key")
		}
		seen := map[string]bool{}
		for i, spec := range crons[w] {
			key := fmt.Sprintf("crons.%s[%d]", w, i)
			switch {
			case tzPrefix.MatchString(spec):
				r.Problemf(key, "remove the time zone: Cloudflare runs cron triggers in UTC", "%q sets a time zone", spec)
			case seen[spec]:
				r.Problemf(key, "remove the duplicate", "%q is listed twice", spec)
			default:
				if err := cronParser(spec); err != nil {
					r.Problemf(key, "use five fields: minute hour day-of-month month day-of-week, e.g. \"*/5 * * * *\"", "%q is not a valid cron expression: %v", spec, err)
				}
			}
			seen[spec] = true
		}
		out[w] = crons[w]
	}
	return out
}
