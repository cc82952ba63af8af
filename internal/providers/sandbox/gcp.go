package sandbox

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// GCP Pub/Sub type tokens (pulumi-gcp v7.38.0).
const (
	PubSubTopicType          = "gcp:pubsub/topic:Topic"
	PubSubSubscriptionType   = "gcp:pubsub/subscription:Subscription"
	PubSubTopicIAMMemberType = "gcp:pubsub/topicIAMMember:TopicIAMMember"
)

// project fills the project from the provider configuration (gcp:project)
// as the real provider does, or fails like it.
func (c *checker) project() {
	if present(c.news, "project") {
		return
	}
	if p := c.cfg.String("project"); p != "" {
		c.news["project"] = resource.NewStringProperty(p)
		return
	}
	c.fail("project", "project: required field is not set (set the resource's project or the provider's gcp:project)")
}

// autoname fills a missing name the way the bridged provider does: keep the
// previous name, or use the logical name with a random suffix.
func (c *checker) autoname(key string) {
	if present(c.news, key) {
		return
	}
	if old, ok := pstr(c.olds, key); ok {
		c.news[resource.PropertyKey(key)] = resource.NewStringProperty(old)
		return
	}
	suffix := hexID(4)[:7]
	if len(c.seed) >= 4 {
		suffix = hex.EncodeToString(c.seed[:4])[:7]
	}
	c.news[resource.PropertyKey(key)] = resource.NewStringProperty(c.name + "-" + suffix)
}

var (
	gcpLabelKey   = regexp.MustCompile(`^[\p{Ll}][\p{Ll}0-9_-]{0,62}$`)
	gcpLabelValue = regexp.MustCompile(`^[\p{Ll}0-9_-]{0,63}$`)
	gcpDuration   = regexp.MustCompile(`^(\d+)(\.\d{1,9})?s$`)
	topicPath     = regexp.MustCompile(`^projects/([^/]+)/topics/([^/]+)$`)
	iamMember     = regexp.MustCompile(`^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|deleted:user|deleted:serviceAccount|deleted:group|principal|principalSet):.+)$`)
	iamRole       = regexp.MustCompile(`^(roles/[A-Za-z0-9_.]+|(projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]+)$`)
)

func (c *checker) labels(key string) {
	labels, ok := pobj(c.news, key)
	if !ok {
		return
	}
	if len(labels) > 64 {
		c.fail(key, "at most 64 labels are allowed")
	}
	for k, v := range labels {
		if !gcpLabelKey.MatchString(string(k)) {
			c.fail(key, "label key %q is invalid: keys start with a lowercase letter and hold at most 63 lowercase letters, digits, '_' and '-'", k)
		}
		if s, ok := known(labels, string(k)); ok && s.IsString() && !gcpLabelValue.MatchString(s.StringValue()) {
			c.fail(key, "label %q has invalid value %q: values hold at most 63 lowercase letters, digits, '_' and '-'", k, s.StringValue())
		}
		_ = v
	}
}

// duration checks a "<seconds>s" duration within [lo, hi] seconds.
func (c *checker) duration(m resource.PropertyMap, key, prop string, lo, hi float64) {
	s, ok := pstr(m, key)
	if !ok {
		return
	}
	sec, ok := seconds(s)
	if !ok {
		c.fail(prop, "%s %q is not a duration in seconds such as \"600s\"", prop, s)
		return
	}
	if sec < lo || sec > hi {
		c.fail(prop, "%s %q must be between %vs and %vs", prop, s, lo, hi)
	}
}

func seconds(s string) (float64, bool) {
	if !gcpDuration.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	return f, err == nil
}

// topicRef resolves a topic given as a name or a path to its path.
func topicRef(project, topic string) string {
	if topicPath.MatchString(topic) {
		return topic
	}
	return "projects/" + project + "/topics/" + topic
}

func gcpNotFound(resourceName string) error {
	return fmt.Errorf("googleapi: Error 404: Resource not found (resource=%s)", resourceName)
}

func gcpExists(resourceName string) error {
	return fmt.Errorf("googleapi: Error 409: Resource already exists in the project (resource=%s)", resourceName)
}

// gcpImport resolves the import formats projects/{p}/{coll}/{n}, {p}/{n}
// and {n} (with the provider's project).
func gcpImport(id, coll string, cfg providerserver.Config) (string, error) {
	parts := strings.Split(id, "/")
	switch {
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == coll:
		return id, nil
	case len(parts) == 2:
		return "projects/" + parts[0] + "/" + coll + "/" + parts[1], nil
	case len(parts) == 1 && cfg.String("project") != "":
		return "projects/" + cfg.String("project") + "/" + coll + "/" + parts[0], nil
	}
	return "", fmt.Errorf("invalid import ID %q: expected projects/{{project}}/%s/{{name}}, {{project}}/{{name}} or {{name}}", id, coll)
}

func init() {
	register(&kind{
		token: PubSubTopicType, label: "Pub/Sub topic",
		fields: map[string]field{
			"name":                        {typ: tString, replace: true, computed: true},
			"project":                     {typ: tString, replace: true, computed: true},
			"labels":                      {typ: tStringMap},
			"kmsKeyName":                  {typ: tString},
			"messageRetentionDuration":    {typ: tString},
			"messageStoragePolicy":        {typ: tObject, computed: true},
			"schemaSettings":              {typ: tObject, computed: true},
			"ingestionDataSourceSettings": {typ: tObject},
		},
		outputs: []string{"effectiveLabels", "pulumiLabels"},
		check: func(c *checker) {
			c.project()
			c.autoname("name")
			c.physName("name", naming.PubSubTopic)
			c.labels("labels")
			c.duration(c.news, "messageRetentionDuration", "messageRetentionDuration", 600, 31*86400)
		},
		create: func(st *state, o *Object) error {
			o.Key = "projects/" + str(o.Props, "project") + "/topics/" + str(o.Props, "name")
			o.ID, o.Name = o.Key, str(o.Props, "name")
			if st.byKey(PubSubTopicType, o.Key) != nil {
				return fmt.Errorf("creating Topic: %w", gcpExists(o.Key))
			}
			fillLabels(o)
			setDefault(o.Props, "messageStoragePolicy", map[string]any{})
			setDefault(o.Props, "schemaSettings", map[string]any{})
			return nil
		},
		update: func(_ *state, _, o *Object) error { fillLabels(o); return nil },
		lookup: func(st *state, id string, props map[string]any, cfg providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				key, err := gcpImport(id, "topics", cfg)
				if err != nil {
					return nil, err
				}
				return st.byKey(PubSubTopicType, key), nil
			}
			return st.byKey(PubSubTopicType, id), nil
		},
		afterDelete: func(st *state, o *Object) {
			// The topic's IAM policy goes with it; its subscriptions stay,
			// detached, as in Pub/Sub.
			for _, m := range st.all(PubSubTopicIAMMemberType) {
				if topicRef(str(m.Props, "project"), str(m.Props, "topic")) == o.Key {
					st.remove(m)
				}
			}
			for _, s := range st.all(PubSubSubscriptionType) {
				if topicRef(str(s.Props, "project"), str(s.Props, "topic")) == o.Key {
					s.Props["topic"] = "_deleted-topic_"
				}
			}
		},
	})

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
			"expirationPolicy":          {typ: tObject, computed: true},
			"filter":                    {typ: tString, replace: true},
			"deadLetterPolicy":          {typ: tObject},
			"retryPolicy":               {typ: tObject},
			"enableMessageOrdering":     {typ: tBool, replace: true},
			"enableExactlyOnceDelivery": {typ: tBool},
			"pushConfig":                {typ: tObject},
			"bigqueryConfig":            {typ: tObject},
			"cloudStorageConfig":        {typ: tObject},
		},
		outputs: []string{"effectiveLabels", "pulumiLabels"},
		check:   checkSubscription,
		create: func(st *state, o *Object) error {
			o.Key = "projects/" + str(o.Props, "project") + "/subscriptions/" + str(o.Props, "name")
			o.ID, o.Name = o.Key, str(o.Props, "name")
			if st.byKey(PubSubSubscriptionType, o.Key) != nil {
				return fmt.Errorf("creating Subscription: %w", gcpExists(o.Key))
			}
			if err := subscriptionRefs(st, o); err != nil {
				return fmt.Errorf("creating Subscription: %w", err)
			}
			setDefault(o.Props, "ackDeadlineSeconds", 10.0)
			setDefault(o.Props, "messageRetentionDuration", "604800s")
			setDefault(o.Props, "expirationPolicy", map[string]any{"ttl": "2678400s"})
			fillLabels(o)
			return nil
		},
		update: func(st *state, _, o *Object) error {
			if err := subscriptionRefs(st, o); err != nil {
				return fmt.Errorf("updating Subscription: %w", err)
			}
			fillLabels(o)
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, cfg providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				key, err := gcpImport(id, "subscriptions", cfg)
				if err != nil {
					return nil, err
				}
				return st.byKey(PubSubSubscriptionType, key), nil
			}
			return st.byKey(PubSubSubscriptionType, id), nil
		},
	})

	register(&kind{
		token: PubSubTopicIAMMemberType, label: "Pub/Sub topic IAM member",
		fields: map[string]field{
			"topic":     {typ: tString, required: true, replace: true},
			"role":      {typ: tString, required: true, replace: true},
			"member":    {typ: tString, required: true, replace: true},
			"project":   {typ: tString, replace: true, computed: true},
			"condition": {typ: tObject, replace: true},
		},
		outputs: []string{"etag"},
		check: func(c *checker) {
			c.project()
			if m, ok := pstr(c.news, "member"); ok && !iamMember.MatchString(m) {
				c.fail("member", "member %q is invalid: use user:, serviceAccount:, group:, domain:, principal:, principalSet:, allUsers or allAuthenticatedUsers", m)
			}
			if r, ok := pstr(c.news, "role"); ok && !iamRole.MatchString(r) {
				c.fail("role", "role %q is invalid: use roles/<name> or projects/<p>/roles/<name>", r)
			}
			if cond, ok := pobj(c.news, "condition"); ok {
				for _, k := range []string{"title", "expression"} {
					if !present(cond, k) {
						c.fail("condition."+k, "Missing required argument. The argument \"condition.%s\" is required", k)
					}
				}
			}
		},
		create: func(st *state, o *Object) error {
			path := topicRef(str(o.Props, "project"), str(o.Props, "topic"))
			if st.byKey(PubSubTopicType, path) == nil {
				return fmt.Errorf("retrieving IAM policy for pubsub topic %q: %w", path, gcpNotFound(path))
			}
			member := str(o.Props, "member")
			if i := strings.Index(member, ":"); i > 0 && !strings.HasPrefix(member, "principal") {
				member = member[:i+1] + strings.ToLower(member[i+1:])
			}
			o.Key = path + "/" + str(o.Props, "role") + "/" + member
			o.ID, o.Name = o.Key, str(o.Props, "member")
			o.Props["etag"] = base64.StdEncoding.EncodeToString([]byte(hexID(4)))
			return nil
		},
		lookup: func(st *state, id string, props map[string]any, cfg providerserver.Config) (*Object, error) {
			if len(props) == 0 {
				parts := strings.Fields(id)
				if len(parts) != 3 {
					return nil, fmt.Errorf("invalid import ID %q: expected \"projects/{{project}}/topics/{{topic}} roles/{{role}} {{member}}\"", id)
				}
				return st.byKey(PubSubTopicIAMMemberType, parts[0]+"/"+parts[1]+"/"+parts[2]), nil
			}
			return st.byKey(PubSubTopicIAMMemberType, id), nil
		},
	})
}

func fillLabels(o *Object) {
	labels, _ := o.Props["labels"].(map[string]any)
	eff := map[string]any{}
	for k, v := range labels {
		eff[k] = v
	}
	o.Props["effectiveLabels"] = eff
	o.Props["pulumiLabels"] = eff
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
