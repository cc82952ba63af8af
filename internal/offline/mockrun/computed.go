package mockrun

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// timeFormat is the time stamp format of the Cloudflare APIs, as the
// sandbox writes it.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// computer adds the outputs a provider computes on create, as the sandbox
// (internal/providers/sandbox) computes them: the same properties, defaults and
// derived values, so a program that reads them sees what it would see
// against the local environment. Random values (consumer IDs, etags) are
// derived from the resource, so runs are reproducible. IDs that equal the
// resource ID in the sandbox (a D1 database's uuid, a queue's queueId)
// equal the ID the mocks assign.
type computer struct {
	now string
	mu  sync.Mutex
	// queueNames maps queue IDs to physical queue names: the queues of
	// this run and those of the upstream cloudflare-storage contract.
	queueNames map[string]string
}

func newComputer(now time.Time, upstreams map[string]map[string]any) *computer {
	c := &computer{now: now.UTC().Format(timeFormat), queueNames: map[string]string{}}
	if st, ok := upstreams[contracts.CloudflareStorageProject]; ok {
		ids, _ := st["queueIds"].(map[string]any)
		names, _ := st["queueNames"].(map[string]any)
		for logical, id := range ids {
			idStr, _ := id.(string)
			name, _ := names[logical].(string)
			if idStr != "" && name != "" {
				c.queueNames[idStr] = name
			}
		}
	}
	return c
}

// derived returns n bytes of lowercase hex derived from the resource and a
// purpose, standing in for a random identifier.
func derived(r mocktest.Resource, purpose string, n int) string {
	sum := sha256.Sum256([]byte(r.Type + "\x00" + r.Name + "\x00" + purpose))
	return hex.EncodeToString(sum[:n])
}

// outputs is the mocktest.Options.Computed function.
func (c *computer) outputs(r mocktest.Resource) resource.PropertyMap {
	out := resource.PropertyMap{}
	def := func(key string, v resource.PropertyValue) {
		if in, ok := r.Inputs[resource.PropertyKey(key)]; !ok || in.IsNull() {
			out[resource.PropertyKey(key)] = v
		}
	}
	set := func(key string, v resource.PropertyValue) { out[resource.PropertyKey(key)] = v }
	str := resource.NewStringProperty
	num := resource.NewNumberProperty
	empty := func() resource.PropertyValue { return resource.NewArrayProperty([]resource.PropertyValue{}) }
	obj := func() resource.PropertyValue { return resource.NewObjectProperty(resource.PropertyMap{}) }
	now := str(c.now)

	switch r.Type {
	case sandbox.D1DatabaseType:
		def("uuid", str(r.ID))
		def("createdAt", now)
		def("fileSize", num(0))
		def("numTables", num(0))
		def("version", str("production"))
	case sandbox.R2BucketType:
		def("jurisdiction", str("default"))
		def("location", str("ENAM"))
		def("storageClass", str("Standard"))
		def("creationDate", now)
	case sandbox.QueueType:
		id := r.ID
		def("queueId", str(id))
		def("createdOn", now)
		set("modifiedOn", now)
		settings := resource.PropertyMap{}
		if s := r.Inputs["settings"]; s.IsObject() {
			settings = s.ObjectValue().Copy()
		}
		for k, v := range map[resource.PropertyKey]resource.PropertyValue{
			"deliveryDelay": num(0), "deliveryPaused": resource.NewBoolProperty(false), "messageRetentionPeriod": num(345600),
		} {
			if _, ok := settings[k]; !ok {
				settings[k] = v
			}
		}
		set("settings", resource.NewObjectProperty(settings))
		set("consumers", empty())
		set("consumersTotalCount", num(0))
		set("producers", empty())
		set("producersTotalCount", num(0))
		if name := r.String("queueName"); name != "" {
			c.mu.Lock()
			c.queueNames[id] = name
			c.mu.Unlock()
		}
	case sandbox.QueueConsumerType:
		def("consumerId", str(derived(r, "consumerId", 16)))
		def("createdOn", now)
		def("settings", obj())
		if name, ok := c.queueName(r.String("queueId")); ok {
			set("queueName", str(name))
		}
	case sandbox.R2BucketEventNotificationType:
		def("jurisdiction", str("default"))
		if name, ok := c.queueName(r.String("queueId")); ok {
			set("queueName", str(name))
		}
	case sandbox.WorkersScriptType:
		def("bindings", empty())
		def("compatibilityDate", str(""))
		def("compatibilityFlags", empty())
		def("logpush", resource.NewBoolProperty(false))
		def("placement", obj())
		def("usageModel", str("standard"))
		def("annotations", obj())
		def("createdOn", now)
		set("modifiedOn", now)
		set("etag", str(derived(r, "etag", 32)))
		set("handlers", resource.NewArrayProperty([]resource.PropertyValue{str("fetch")}))
		a, ok := r.Inputs["assets"]
		set("hasAssets", resource.NewBoolProperty(ok && !a.IsNull()))
		set("hasModules", resource.NewBoolProperty(r.String("mainModule") != ""))
		set("startupTimeMs", num(0))
		set("lastDeployedFrom", str("api"))
		set("placementMode", str(""))
		set("placementStatus", str(""))
		set("migrationTag", str(""))
		set("namedHandlers", empty())
	case sandbox.DNSRecordType:
		def("proxied", resource.NewBoolProperty(false))
		def("tags", empty())
		def("settings", obj())
		def("createdOn", now)
		set("modifiedOn", now)
		t := r.String("type")
		set("proxiable", resource.NewBoolProperty(t == "A" || t == "AAAA" || t == "CNAME"))
		set("meta", str("{}"))
	case sandbox.VectorizeIndexType:
		def("description", str(""))
		def("createdOn", now)
	case sandbox.PubSubTopicType:
		labels(r, set)
		def("messageStoragePolicy", obj())
		def("schemaSettings", obj())
	case sandbox.PubSubSubscriptionType:
		def("ackDeadlineSeconds", num(10))
		def("messageRetentionDuration", str("604800s"))
		def("expirationPolicy", resource.NewObjectProperty(resource.PropertyMap{"ttl": str("2678400s")}))
		labels(r, set)
	case sandbox.PubSubTopicIAMMemberType:
		set("etag", str(base64.StdEncoding.EncodeToString([]byte(derived(r, "etag", 4)))))
	}
	return out
}

// queueName returns the physical name of the queue with the given ID.
func (c *computer) queueName(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name, ok := c.queueNames[id]
	return name, ok
}

// labels sets the label outputs of a GCP resource: the provider reports
// the configured labels as effectiveLabels and pulumiLabels.
func labels(r mocktest.Resource, set func(string, resource.PropertyValue)) {
	eff := resource.PropertyMap{}
	if l := r.Inputs["labels"]; l.IsObject() {
		eff = l.ObjectValue().Copy()
	}
	set("effectiveLabels", resource.NewObjectProperty(eff))
	set("pulumiLabels", resource.NewObjectProperty(eff.Copy()))
}
