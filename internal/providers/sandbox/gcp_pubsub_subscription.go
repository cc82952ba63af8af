package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
)

// The Pub/Sub subscription (terraform-provider-google v5.42.0,
// google/services/pubsub/resource_pubsub_subscription.go): name, topic,
// project, filter and enable_message_ordering ForceNew; expiration_policy
// Optional and Computed with ttl Required inside; push_config with
// push_endpoint Required (and oidc_token.service_account_email,
// no_wrapper.write_metadata); bigquery_config.table and
// cloud_storage_config.bucket Required; push, BigQuery and Cloud Storage
// delivery ConflictsWith each other. Create is a PUT that answers 409 when
// the subscription exists. The ID is projects/{p}/subscriptions/{name}.
func init() {
	register(&kind{
		token: PubSubSubscriptionType, label: "Pub/Sub subscription",
		fields: map[string]field{
			"name":                      {typ: tString, replace: true, computed: true},
			"project":                   {typ: tString, replace: true, computed: true},
			"topic":                     {typ: tString, required: true, replace: true},
			"ackDeadlineSeconds":        {typ: tNumber, computed: true},
			"labels":                    {typ: tStringMap},
			"messageRetentionDuration":  {typ: tString, computed: true},
			"retainAckedMessages":       {typ: tBool},
			"expirationPolicy":          {typ: tObject, computed: true, nested: []string{"ttl"}},
			"filter":                    {typ: tString, replace: true},
			"deadLetterPolicy":          {typ: tObject},
			"retryPolicy":               {typ: tObject},
			"enableMessageOrdering":     {typ: tBool, replace: true},
			"enableExactlyOnceDelivery": {typ: tBool},
			"pushConfig":                {typ: tObject, nested: []string{"pushEndpoint", "oidcToken.serviceAccountEmail", "noWrapper.writeMetadata"}},
			"bigqueryConfig":            {typ: tObject, nested: []string{"table"}},
			"cloudStorageConfig":        {typ: tObject, nested: []string{"bucket"}},
		},
		outputs: []string{"effectiveLabels", "pulumiLabels"},
		check:   checkSubscription,
		defaults: func(o *Object) {
			setDefault(o.Props, "ackDeadlineSeconds", 10.0)
			setDefault(o.Props, "messageRetentionDuration", "604800s")
			setDefault(o.Props, "expirationPolicy", map[string]any{"ttl": "2678400s"})
		},
		identity: func(o *Object) (string, string, string) {
			key := "projects/" + str(o.Props, "project") + "/subscriptions/" + str(o.Props, "name")
			return key, key, str(o.Props, "name")
		},
		duplicate: func(o *Object) error { return fmt.Errorf("creating Subscription: %w", gcpExists(o.Key)) },
		refs: func(st *state, o *Object) error {
			if err := subscriptionRefs(st, o); err != nil {
				return fmt.Errorf("writing Subscription: %w", err)
			}
			return nil
		},
		written: func(_ *state, _, o *Object) { fillLabels(o) },
		imports: gcpImports("subscriptions"),
	})
}
func subscriptionRefs(st *state, o *Object) error {
	path := topicRef(str(o.Props, "project"), str(o.Props, "topic"))
	if st.byKey(PubSubTopicType, path) == nil {
		return gcpNotFound(path)
	}
	if dlp, ok := o.Props["deadLetterPolicy"].(map[string]any); ok {
		if t := str(dlp, "deadLetterTopic"); t != "" && st.byKey(PubSubTopicType, t) == nil {
			return fmt.Errorf("dead letter topic: %w", gcpNotFound(t))
		}
	}
	return nil
}

func checkSubscription(c *checker) {
	c.project()
	c.autoname("name")
	c.physName("name", naming.PubSubSubscription)
	c.labels("labels")
	if t, ok := pstr(c.news, "topic"); ok && !topicPath.MatchString(t) {
		if err := naming.Validate(naming.PubSubTopic, t); err != nil {
			c.fail("topic", "topic %q is neither projects/{project}/topics/{name} nor a topic name: %v", t, err)
		}
	}
	if n, ok := pnum(c.news, "ackDeadlineSeconds"); ok && (n < 10 || n > 600) {
		c.fail("ackDeadlineSeconds", "ackDeadlineSeconds %v must be between 10 and 600: Pub/Sub answers 400 \"Invalid ackDeadlineSeconds\"", n)
	}
	c.duration(c.news, "messageRetentionDuration", "messageRetentionDuration", 600, 7*86400)
	if ep, ok := pobj(c.news, "expirationPolicy"); ok {
		if s, ok := pstr(ep, "ttl"); ok && s != "" {
			c.duration(ep, "ttl", "expirationPolicy.ttl", 86400, 1e12)
			if ttl, ok1 := seconds(s); ok1 {
				ret := 604800.0
				if r, ok := pstr(c.news, "messageRetentionDuration"); ok {
					ret, _ = seconds(r)
				}
				if ttl < ret {
					c.fail("expirationPolicy.ttl", "expirationPolicy.ttl %q must not be shorter than messageRetentionDuration", s)
				}
			}
		}
	}
	if rp, ok := pobj(c.news, "retryPolicy"); ok {
		c.duration(rp, "minimumBackoff", "retryPolicy.minimumBackoff", 0, 600)
		c.duration(rp, "maximumBackoff", "retryPolicy.maximumBackoff", 0, 600)
	}
	if dlp, ok := pobj(c.news, "deadLetterPolicy"); ok {
		if t, ok := pstr(dlp, "deadLetterTopic"); ok && !topicPath.MatchString(t) {
			c.fail("deadLetterPolicy.deadLetterTopic", "deadLetterTopic %q must be projects/{project}/topics/{topic}", t)
		}
		if n, ok := pnum(dlp, "maxDeliveryAttempts"); ok && n != 0 && (n < 5 || n > 100) {
			c.fail("deadLetterPolicy.maxDeliveryAttempts", "maxDeliveryAttempts %v must be between 5 and 100", n)
		}
	}
	if f, ok := pstr(c.news, "filter"); ok && len(f) > 256 {
		c.fail("filter", "filter is %d bytes; Pub/Sub accepts at most 256", len(f))
	}
	push, hasPush := pobj(c.news, "pushConfig")
	if hasPush {
		ep, ok := pstr(push, "pushEndpoint")
		if !ok && !present(push, "pushEndpoint") {
			c.fail("pushConfig.pushEndpoint", "Missing required argument. The argument \"pushConfig.pushEndpoint\" is required")
		}
		if ok && !httpsURL(ep) {
			c.fail("pushConfig.pushEndpoint", "Invalid push endpoint given (endpoint=%s): Pub/Sub pushes only to https URLs", ep)
		}
		if attrs, ok := pobj(push, "attributes"); ok {
			for k := range attrs {
				if k != "x-goog-version" {
					c.fail("pushConfig.attributes", "push config attribute %q is not supported: Pub/Sub accepts only \"x-goog-version\"", k)
				}
			}
			c.oneOf(attrs, "x-goog-version", "pushConfig.attributes.x-goog-version", "v1", "v1beta1", "v1beta2")
		}
		if oidc, ok := pobj(push, "oidcToken"); ok && !present(oidc, "serviceAccountEmail") {
			c.fail("pushConfig.oidcToken.serviceAccountEmail", "Missing required argument. The argument \"pushConfig.oidcToken.serviceAccountEmail\" is required")
		}
		if eo, ok := pbool(c.news, "enableExactlyOnceDelivery"); ok && eo {
			c.fail("enableExactlyOnceDelivery", "exactly-once delivery is supported for pull subscriptions only, not with pushConfig")
		}
	}
	kinds := 0
	for _, k := range []string{"pushConfig", "bigqueryConfig", "cloudStorageConfig"} {
		if present(c.news, k) {
			kinds++
		}
	}
	if kinds > 1 {
		c.fail("pushConfig", "only one of pushConfig, bigqueryConfig and cloudStorageConfig can be set")
	}
}
