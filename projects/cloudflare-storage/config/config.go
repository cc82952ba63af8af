// Package config reads the configuration of the cloudflare-storage project:
// the environment settings it needs (the Cloudflare account) and its own
// stack configuration. Everything is read and validated in Load, before any
// resource is registered, and every problem is reported at once.
package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/clustera/infra/shared/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The logical names of the objects of the project, as in the design. Maps
// of the contract are keyed by them.
const (
	DomeMeta    = "dome-meta"
	SiloDB      = "silo"
	DomeRaw     = "dome-raw"
	SiloContent = "silo-content"
	DomeNotes   = "dome-notes"

	NewContentConstellation = "new-content-constellation"
	NewContentAI            = "new-content-ai"
	ContentEvents           = "content-events"
	EnrichedContent         = "enriched-content"
	DomeEvents              = "dome-events"
	EmbedDeadLetter         = "embed-dead-letter"
)

// Databases lists the D1 databases, Buckets the R2 buckets and Queues the
// queues, each in declaration order.
var (
	Databases = []string{DomeMeta, SiloDB}
	Buckets   = []string{DomeRaw, SiloContent}
	Queues    = []string{NewContentConstellation, NewContentAI, ContentEvents, EnrichedContent, DomeEvents, EmbedDeadLetter}
)

// NotificationQueue receives the object-creation events of the notified
// bucket; the silo Worker consumes it.
const NotificationQueue = ContentEvents

// Defaults of the Vectorize index: the size of the embeddings of
// @cf/baai/bge-base-en-v1.5, the Workers AI model constellation uses.
const (
	DefaultDimensions = 768
	DefaultMetric     = "cosine"
)

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// AccountID is the Cloudflare account every object lives in.
	AccountID string
	// Protect is true in production: data-bearing objects are protected
	// and retained on delete.
	Protect bool
	// Names maps every logical name to its physical name.
	Names map[string]string
	// Imports maps logical names to the import ID of an existing object,
	// in the provider's documented format (prod only).
	Imports map[string]string
	// Vectorize configures the dome-notes index.
	Vectorize Vectorize
	// Notification configures the R2 event notification.
	Notification Notification
}

// Vectorize configures the Vectorize index.
type Vectorize struct {
	Dimensions int
	Metric     string
}

// Notification configures which bucket reports object creation to the
// content-events queue.
type Notification struct {
	// Bucket is the logical name of the notified bucket.
	Bucket string
	// Prefix and Suffix narrow the notified objects; empty means all.
	Prefix, Suffix string
}

// Name returns the physical name of a logical name.
func (c *Config) Name(logical string) string { return c.Names[logical] }

// ImportID returns the import ID of a logical name, or "".
func (c *Config) ImportID(logical string) string { return c.Imports[logical] }

// vectorizeConfig is the stack-file shape of the vectorize key.
type vectorizeConfig struct {
	Dimensions *int    `json:"dimensions"`
	Metric     *string `json:"metric"`
}

// notificationConfig is the stack-file shape of the eventNotification key.
type notificationConfig struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
}

// Load reads and validates the configuration of the running stack.
func Load(ctx *pulumi.Context) (*Config, error) {
	env, err := environment.ForStack(ctx)
	if err != nil {
		return nil, fmt.Errorf("cloudflare-storage: environment: %w", err)
	}
	var list problems.List
	env.Require(&list, environment.NeedCloudflareAccount)
	r := stackconfig.New(ctx, &list)
	c := &Config{Env: env, AccountID: env.Cloudflare.AccountID, Protect: env.IsProd()}
	c.Names = readNames(r, env)
	c.Imports = readImports(r, env, c.Names)
	c.Vectorize = readVectorize(r)
	c.Notification = readNotification(r)
	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// kinds gives the naming kind of every logical name.
func kinds() map[string]naming.Kind {
	out := map[string]naming.Kind{DomeNotes: naming.VectorizeIndex}
	for _, n := range Databases {
		out[n] = naming.D1Database
	}
	for _, n := range Buckets {
		out[n] = naming.R2Bucket
	}
	for _, n := range Queues {
		out[n] = naming.Queue
	}
	return out
}

// Logical returns every logical name, sorted.
func Logical() []string {
	var out []string
	for n := range kinds() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func readNames(r *stackconfig.Reader, env *environment.Settings) map[string]string {
	overrides := map[string]string{}
	r.Object("names", &overrides)
	namer, err := naming.New(env.Name, env.IsProd(), overrides)
	if err != nil {
		r.Problem("names", err.Error(), "outside prod remove the override, or keep the environment name in it")
		namer, _ = naming.New(env.Name, env.IsProd(), nil)
	}
	for _, k := range namer.UnusedOverrides(Logical()) {
		r.Problemf("names."+k, "use one of "+strings.Join(Logical(), ", "), "%q is not an object of this project", k)
	}
	out := map[string]string{}
	for _, logical := range Logical() {
		name, err := namer.Name(kinds()[logical], logical)
		if err != nil {
			r.Problem("names."+logical, err.Error(), "choose a shorter or valid name")
			continue
		}
		out[logical] = name
	}
	return out
}

var (
	uuidRE        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	queueIDRE     = regexp.MustCompile(`^[0-9a-f]{32}$`)
	jurisdictions = map[string]bool{"default": true, "eu": true, "fedramp": true}
)

// readImports turns the imports key into full import IDs. The stack file
// holds only the part after "<account_id>/": the account ID comes from the
// environment settings, never from a project's stack file.
func readImports(r *stackconfig.Reader, env *environment.Settings, names map[string]string) map[string]string {
	raw := map[string]string{}
	if !r.Object("imports", &raw) || len(raw) == 0 {
		return map[string]string{}
	}
	if !env.IsProd() {
		r.Problem("imports", "is only allowed in prod", "remove the key: outside prod every object is created fresh with the environment in its name")
		return map[string]string{}
	}
	k := kinds()
	keys := make([]string, 0, len(raw))
	for key := range raw {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, logical := range keys {
		id := raw[logical]
		key := "imports." + logical
		if strings.HasPrefix(id, env.Cloudflare.AccountID+"/") {
			r.Problem(key, "starts with the account ID", "give only the part after <account_id>/; the account ID comes from "+env.File)
			continue
		}
		switch k[logical] {
		case naming.D1Database:
			if !uuidRE.MatchString(id) {
				r.Problemf(key, "use the database UUID shown by `wrangler d1 list`", "%q is not a D1 database UUID", id)
				continue
			}
		case naming.Queue:
			if !queueIDRE.MatchString(id) {
				r.Problemf(key, "use the 32-character queue ID shown by `wrangler queues list`", "%q is not a queue ID", id)
				continue
			}
		case naming.R2Bucket:
			name, jur, ok := strings.Cut(id, "/")
			if !ok || name != names[logical] || !jurisdictions[jur] {
				r.Problemf(key, fmt.Sprintf("use %s/<jurisdiction> with default, eu or fedramp", names[logical]), "%q is not <bucket_name>/<jurisdiction> of bucket %q", id, names[logical])
				continue
			}
		case naming.VectorizeIndex:
			if id != names[logical] {
				r.Problemf(key, fmt.Sprintf("use %q, the index name", names[logical]), "%q is not the name of the index", id)
				continue
			}
		default:
			r.Problemf(key, "use one of "+strings.Join(Logical(), ", "), "%q is not an object of this project", logical)
			continue
		}
		out[logical] = env.Cloudflare.AccountID + "/" + id
	}
	return out
}

func readVectorize(r *stackconfig.Reader) Vectorize {
	v := Vectorize{Dimensions: DefaultDimensions, Metric: DefaultMetric}
	var raw vectorizeConfig
	if !r.Object("vectorize", &raw) {
		return v
	}
	if raw.Dimensions != nil {
		v.Dimensions = *raw.Dimensions
		if v.Dimensions < 1 || v.Dimensions > vectorize.MaxDimensions {
			r.Problemf("vectorize.dimensions", fmt.Sprintf("use 1 to %d, the size of the embedding model's vectors (768 for @cf/baai/bge-base-en-v1.5)", vectorize.MaxDimensions),
				"%d is out of range", v.Dimensions)
		}
	}
	if raw.Metric != nil {
		v.Metric = *raw.Metric
		ok := false
		for _, m := range vectorize.Metrics {
			ok = ok || m == v.Metric
		}
		if !ok {
			r.Problemf("vectorize.metric", "use one of "+strings.Join(vectorize.Metrics, ", "), "%q is not a Vectorize metric", v.Metric)
		}
	}
	return v
}

var objectKey = regexp.MustCompile(`^[\x21-\x7e]*$`)

func readNotification(r *stackconfig.Reader) Notification {
	n := Notification{Bucket: SiloContent}
	var raw notificationConfig
	if !r.Object("eventNotification", &raw) {
		return n
	}
	if raw.Bucket != "" {
		n.Bucket = raw.Bucket
		known := false
		for _, b := range Buckets {
			known = known || b == raw.Bucket
		}
		if !known {
			r.Problemf("eventNotification.bucket", "use one of "+strings.Join(Buckets, ", "), "%q is not a bucket of this project", raw.Bucket)
		}
	}
	for key, v := range map[string]string{"eventNotification.prefix": raw.Prefix, "eventNotification.suffix": raw.Suffix} {
		if len(v) > 1024 || !objectKey.MatchString(v) {
			r.Problemf(key, "use printable characters without spaces, at most 1024", "%q is not a valid object key filter", v)
		}
	}
	n.Prefix, n.Suffix = raw.Prefix, raw.Suffix
	return n
}
