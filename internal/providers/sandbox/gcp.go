package sandbox

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// GCP Pub/Sub type tokens (pulumi-gcp v7.38.0, built on
// terraform-provider-google-beta v5.42.0; the Pub/Sub resources are those of
// hashicorp/terraform-provider-google v5.42.0,
// google/services/pubsub/resource_pubsub_{topic,subscription}.go and
// google/tpgiamresource/resource_iam_member.go). Each kind is in its own
// file, gcp_pubsub_<kind>.go.
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

func fillLabels(o *Object) {
	labels, _ := o.Props["labels"].(map[string]any)
	eff := map[string]any{}
	for k, v := range labels {
		eff[k] = v
	}
	o.Props["effectiveLabels"] = eff
	o.Props["pulumiLabels"] = eff
}

// gcpImports is the import of a Pub/Sub topic or subscription:
// projects/{p}/{coll}/{name}, {p}/{name} or {name} (the provider's project).
func gcpImports(coll string) importSpec {
	return importSpec{
		format: "projects/{{project}}/" + coll + "/{{name}}, {{project}}/{{name}} or {{name}}",
		key: func(parts []string, cfg providerserver.Config) (string, error) {
			return gcpImport(strings.Join(parts, "/"), coll, cfg)
		},
	}
}
