// Package config reads the configuration of the gcp-gmail project: the GCP
// project and region from the environment settings, and the push endpoint,
// push authentication, ack deadline, name overrides and imports from the
// stack configuration. Load validates everything before any resource is
// registered and reports every problem at once.
package config

import (
	"fmt"
	"net/url"
	"regexp"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Base names of the Pub/Sub objects; the physical names carry the
// environment ("dev-integration-gmail-webhook").
const (
	TopicBase        = "integration-gmail-webhook"
	SubscriptionBase = "integration-gmail-webhook-sub"
)

// Delivery settings of the subscription.
const (
	// DefaultAckDeadlineSeconds gives the webhook (push) or the puller one
	// minute to acknowledge a notification before Pub/Sub redelivers it.
	DefaultAckDeadlineSeconds = 60
	MinAckDeadlineSeconds     = 10
	MaxAckDeadlineSeconds     = 600
	// MessageRetention keeps unacknowledged notifications for 7 days, the
	// Pub/Sub maximum, so an outage of the webhook loses nothing.
	MessageRetention = "604800s"
	// MinimumBackoff and MaximumBackoff bound the exponential redelivery
	// of notifications that were not acknowledged.
	MinimumBackoff = "10s"
	MaximumBackoff = "600s"
	// KafkaTopicParam is the query parameter of the push endpoint that
	// names the Kafka topic the webhook forwards to (ADR 0033).
	KafkaTopicParam = "kafkaTopic"
)

// Mode is how notifications are delivered.
type Mode string

// The delivery modes.
const (
	Push Mode = "push"
	Pull Mode = "pull"
)

// Config is the whole configuration of one stack.
type Config struct {
	// Env holds the environment settings (environments/<stack>.yaml).
	Env *environment.Settings
	// Project and Region are the GCP project of every resource and the
	// only region the topic stores messages in.
	Project, Region string
	// TopicName and SubscriptionName are the physical names.
	TopicName, SubscriptionName string
	// Mode is Push when Endpoint is set, otherwise Pull.
	Mode Mode
	// Endpoint is the https push endpoint without the kafkaTopic parameter.
	Endpoint *url.URL
	// OIDCServiceAccount, when set, makes Pub/Sub sign each push with an
	// OIDC token of this service account, for OIDCAudience.
	OIDCServiceAccount, OIDCAudience string
	// AckDeadlineSeconds is the subscription's ack deadline.
	AckDeadlineSeconds int
	// Import adopts the existing topic, subscription and IAM member.
	Import bool
	// Protect is set in prod: the topic and subscription are protected.
	Protect bool
}

var serviceAccount = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*@[a-z0-9.-]+\.gserviceaccount\.com$`)

// Load reads and validates the configuration of the running stack.
func Load(ctx *pulumi.Context) (*Config, error) {
	env, err := environment.ForStack(ctx)
	if err != nil {
		return nil, fmt.Errorf("gcp-gmail: environment: %w", err)
	}
	var list problems.List
	env.Require(&list, environment.NeedGCP)
	r := stackconfig.New(ctx, &list)
	c := &Config{Env: env, Project: env.GCP.Project, Region: env.GCP.Region, Protect: env.IsProd(), Mode: Pull}

	var names map[string]string
	r.Object("names", &names)
	namer, err := naming.New(env.Name, env.IsProd(), names)
	if err != nil {
		r.Problem("names", err.Error(), "put the environment name in every override, or remove it")
		namer, _ = naming.New(env.Name, env.IsProd(), nil)
	}
	if unused := namer.UnusedOverrides([]string{TopicBase, SubscriptionBase}); len(unused) > 0 {
		r.Problemf("names", fmt.Sprintf("use the keys %s and %s only", TopicBase, SubscriptionBase), "unknown keys %v", unused)
	}
	if c.TopicName, err = namer.Name(naming.PubSubTopic, TopicBase); err != nil {
		r.Problem("names", err.Error(), "choose a valid Pub/Sub topic name")
	}
	if c.SubscriptionName, err = namer.Name(naming.PubSubSubscription, SubscriptionBase); err != nil {
		r.Problem("names", err.Error(), "choose a valid Pub/Sub subscription name")
	}

	if raw := r.String("gmailWebhookEndpoint", ""); raw != "" {
		c.Endpoint = readEndpoint(r, raw)
		c.Mode = Push
	}
	c.OIDCServiceAccount = r.String("pushServiceAccount", "")
	c.OIDCAudience = r.String("pushAudience", "")
	switch {
	case c.Mode == Pull && (c.OIDCServiceAccount != "" || c.OIDCAudience != ""):
		key := "pushServiceAccount"
		if c.OIDCServiceAccount == "" {
			key = "pushAudience"
		}
		r.Problem(key, "is set, but gmailWebhookEndpoint is not: a pull subscription sends no push requests to authenticate",
			"set gmailWebhookEndpoint, or remove the key")
	case c.OIDCAudience != "" && c.OIDCServiceAccount == "":
		r.Problem("pushAudience", "is set without pushServiceAccount", "set the service account that signs the OIDC token, or remove the key")
	case c.OIDCServiceAccount != "" && !serviceAccount.MatchString(c.OIDCServiceAccount):
		r.Problemf("pushServiceAccount", "use a service account e-mail such as gmail-push@"+orDefault(c.Project, "my-project")+".iam.gserviceaccount.com",
			"%q is not a service account e-mail", c.OIDCServiceAccount)
	}
	if c.OIDCServiceAccount != "" && c.OIDCAudience == "" && c.Endpoint != nil {
		// The receiver checks the audience; it must not depend on the
		// kafkaTopic parameter added to the endpoint.
		c.OIDCAudience = c.Endpoint.String()
	}

	c.AckDeadlineSeconds = r.Int("ackDeadlineSeconds", DefaultAckDeadlineSeconds)
	if c.AckDeadlineSeconds < MinAckDeadlineSeconds || c.AckDeadlineSeconds > MaxAckDeadlineSeconds {
		r.Problemf("ackDeadlineSeconds", fmt.Sprintf("use %d to %d seconds", MinAckDeadlineSeconds, MaxAckDeadlineSeconds),
			"%d is outside the range Pub/Sub accepts", c.AckDeadlineSeconds)
	}
	c.Import = r.Bool("importExisting", false)

	// A key of the stack file that nothing read is a typo, not a setting.
	r.RejectUnknown()
	if err := list.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// readEndpoint validates the push endpoint: an absolute https URL with a
// host, no credentials, no fragment, and no kafkaTopic parameter of its own.
func readEndpoint(r *stackconfig.Reader, raw string) *url.URL {
	const key = "gmailWebhookEndpoint"
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		r.Problemf(key, "use an https URL such as https://hooks.clustera.io/gmail/push", "%q is not a URL: %v", raw, err)
	case u.Scheme != "https":
		r.Problemf(key, "use https: Pub/Sub pushes only to https endpoints", "%q is not an https URL", raw)
	case u.Host == "" || u.Hostname() == "":
		r.Problemf(key, "use an absolute URL such as https://hooks.clustera.io/gmail/push", "%q has no host", raw)
	case u.User != nil:
		r.Problemf(key, "remove the credentials; authenticate pushes with pushServiceAccount (OIDC) instead", "%q carries credentials, which would sit in plaintext in the stack file", redact(u))
	case u.Fragment != "" || u.RawFragment != "":
		r.Problemf(key, "remove the #fragment", "%q has a fragment, which is never sent to the endpoint", raw)
	case u.Query().Has(KafkaTopicParam):
		r.Problemf(key, "remove the parameter: the program adds the gmail worker topic from kafka-integrations", "%q already sets %s", raw, KafkaTopicParam)
	default:
		return u
	}
	return nil
}

func redact(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// PushEndpoint returns the endpoint with the Kafka topic as the kafkaTopic
// query parameter, keeping the endpoint's own parameters.
func (c *Config) PushEndpoint(kafkaTopic string) string {
	u := *c.Endpoint
	q := u.Query()
	q.Set(KafkaTopicParam, kafkaTopic)
	u.RawQuery = q.Encode()
	return u.String()
}
