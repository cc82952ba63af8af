package sandbox

import (
	"net/url"
	"regexp"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
)

// Cloudflare type tokens (pulumi-cloudflare v6.18.0, built on
// terraform-provider-cloudflare v5.22.0: the release whose Workers script
// schema has cache_options, exports and package_dependencies, as the SDK
// does). Each kind is in its own file, cloudflare_<kind>.go; its rules cite
// internal/services/<resource>/schema.go (and resource.go) of
// github.com/cloudflare/terraform-provider-cloudflare at v5.22.0.
const (
	D1DatabaseType                = "cloudflare:index/d1Database:D1Database"
	R2BucketType                  = "cloudflare:index/r2Bucket:R2Bucket"
	QueueType                     = "cloudflare:index/queue:Queue"
	QueueConsumerType             = "cloudflare:index/queueConsumer:QueueConsumer"
	R2BucketEventNotificationType = "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification"
	WorkersScriptType             = "cloudflare:index/workersScript:WorkersScript"
	WorkersCronTriggerType        = "cloudflare:index/workersCronTrigger:WorkersCronTrigger"
	DNSRecordType                 = "cloudflare:index/dnsRecord:DnsRecord"
	// VectorizeIndexType is the type token of the in-repo Vectorize
	// provider; the sandbox keeps indexes created through its fake REST API
	// under it.
	VectorizeIndexType = "vectorize:index:Index"
)

var cloudflareIdentifier = regexp.MustCompile(`^[0-9a-f]{32}$`)

// identifier checks a Cloudflare account or zone identifier (32 hex).
func (c *checker) identifier(key string) {
	if s, ok := pstr(c.news, key); ok && !cloudflareIdentifier.MatchString(s) {
		c.fail(key, "%s %q is not a Cloudflare identifier (32 lowercase hex characters): the API answers 7003 \"Could not route to /accounts/%s, perhaps your object identifier is invalid?\"", key, s, s)
	}
}

// name checks a physical name with the shared naming rules.
func (c *checker) physName(key string, kind naming.Kind) {
	if s, ok := pstr(c.news, key); ok {
		if err := naming.Validate(kind, s); err != nil {
			c.fail(key, "%v", err)
		}
	}
}

// jurisdictionOf returns an R2 jurisdiction, "default" when unset (the
// schema's stringdefault.StaticString("default")).
func jurisdictionOf(p map[string]any) string {
	if j := str(p, "jurisdiction"); j != "" {
		return j
	}
	return "default"
}

// accountScoped is the import of Cloudflare resources whose ID is
// "<account_id>/<id>" (or "<zone_id>/<id>"): the key is the second part,
// and the object must belong to the first.
func accountScoped(format, scope string) importSpec {
	return importSpec{
		format: format, n: 2,
		key:   func(parts []string, _ providerserver.Config) (string, error) { return parts[1], nil },
		match: map[int]string{0: scope},
	}
}

// httpsURL reports whether s is an absolute https URL.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
