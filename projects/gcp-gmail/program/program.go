// Package program declares the GCP Pub/Sub topic Gmail publishes mailbox
// notifications to, the publisher grant of Gmail's push service account, and
// the subscription that delivers the notifications to the webhook (push) or
// to a puller. The subscription is linked to the gmail worker topic that
// kafka-integrations exports, where the webhook forwards notifications.
package program

import (
	"fmt"

	"github.com/clustera/infra/projects/gcp-gmail/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/tags"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the type token of the component that holds the
// resources.
const ComponentType = "clustera:gcp:GmailWebhook"

// Gmail's push service account and the role it needs on the topic
// (https://developers.google.com/workspace/gmail/api/guides/push).
const (
	GmailPushMember = "serviceAccount:gmail-api-push@system.gserviceaccount.com"
	PublisherRole   = "roles/pubsub.publisher"
)

// KafkaTopicLabel is the subscription label that names the Kafka topic the
// notifications are forwarded to.
const KafkaTopicLabel = "kafka-topic"

// Component groups the Gmail webhook resources.
type Component struct {
	pulumi.ResourceState
}

// Program is the Pulumi program of the project: Deploy, then export the
// contract.
func Program(ctx *pulumi.Context) error { return contracts.DeployAndExport(ctx, Deploy) }

// Deploy declares the resources and returns the project's contract.
func Deploy(ctx *pulumi.Context) (contracts.GCPGmail, error) {
	var none contracts.GCPGmail
	cfg, err := config.Load(ctx)
	if err != nil {
		return none, err
	}
	ki, err := contracts.Read[contracts.KafkaIntegrations](ctx, cfg.Env.Pulumi.Org)
	if err != nil {
		return none, err
	}
	comp := &Component{}
	if err := ctx.RegisterComponentResource(ComponentType, "gmail-webhook", comp); err != nil {
		return none, fmt.Errorf("gmail webhook component: %w", err)
	}
	labels := tags.For(ctx)
	project := pulumi.String(cfg.Project)

	topicOpts := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Protect(cfg.Protect)}
	if cfg.Import {
		topicOpts = append(topicOpts, pulumi.Import(pulumi.ID("projects/"+cfg.Project+"/topics/"+cfg.TopicName)))
	}
	topic, err := pubsub.NewTopic(ctx, "gmail-webhook", &pubsub.TopicArgs{
		Name:    pulumi.String(cfg.TopicName),
		Project: project,
		Labels:  labels.GCPLabels(),
		MessageStoragePolicy: &pubsub.TopicMessageStoragePolicyArgs{
			AllowedPersistenceRegions: pulumi.StringArray{pulumi.String(cfg.Region)},
		},
	}, topicOpts...)
	if err != nil {
		return none, fmt.Errorf("topic %s: %w", cfg.TopicName, err)
	}

	// A member grant, not a binding: other publishers of the role on this
	// topic stay untouched.
	iamOpts := []pulumi.ResourceOption{pulumi.Parent(comp)}
	if cfg.Import {
		iamOpts = append(iamOpts, pulumi.Import(pulumi.ID(
			"projects/"+cfg.Project+"/topics/"+cfg.TopicName+" "+PublisherRole+" "+GmailPushMember)))
	}
	if _, err := pubsub.NewTopicIAMMember(ctx, "gmail-push-publisher", &pubsub.TopicIAMMemberArgs{
		Project: project,
		Topic:   topic.Name,
		Role:    pulumi.String(PublisherRole),
		Member:  pulumi.String(GmailPushMember),
	}, iamOpts...); err != nil {
		return none, fmt.Errorf("publisher grant on %s: %w", cfg.TopicName, err)
	}

	subLabels := ki.GmailWorkerTopic.ApplyT(func(worker string) map[string]string {
		m := map[string]string{}
		for k, v := range labels.GCPLabels() {
			m[k] = string(v.(pulumi.String))
		}
		m[KafkaTopicLabel] = tags.Label(worker)
		return m
	}).(pulumi.StringMapOutput)
	args := &pubsub.SubscriptionArgs{
		Name:                     pulumi.String(cfg.SubscriptionName),
		Project:                  project,
		Topic:                    topic.Name,
		Labels:                   subLabels,
		AckDeadlineSeconds:       pulumi.Int(cfg.AckDeadlineSeconds),
		MessageRetentionDuration: pulumi.String(config.MessageRetention),
		RetainAckedMessages:      pulumi.Bool(false),
		// An empty ttl: the subscription never expires, however long
		// Gmail stays quiet.
		ExpirationPolicy: &pubsub.SubscriptionExpirationPolicyArgs{Ttl: pulumi.String("")},
		RetryPolicy: &pubsub.SubscriptionRetryPolicyArgs{
			MinimumBackoff: pulumi.String(config.MinimumBackoff),
			MaximumBackoff: pulumi.String(config.MaximumBackoff),
		},
	}
	if cfg.Mode == config.Push {
		push := &pubsub.SubscriptionPushConfigArgs{
			PushEndpoint: ki.GmailWorkerTopic.ApplyT(cfg.PushEndpoint).(pulumi.StringOutput),
		}
		if cfg.OIDCServiceAccount != "" {
			push.OidcToken = &pubsub.SubscriptionPushConfigOidcTokenArgs{
				ServiceAccountEmail: pulumi.String(cfg.OIDCServiceAccount),
				Audience:            pulumi.String(cfg.OIDCAudience),
			}
		}
		args.PushConfig = push
	}
	// In prod the subscription (it holds the undelivered notifications) is
	// protected and retained if it is ever removed from the program.
	subOpts := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Protect(cfg.Protect), pulumi.RetainOnDelete(cfg.Protect)}
	if cfg.Import {
		subOpts = append(subOpts, pulumi.Import(pulumi.ID("projects/"+cfg.Project+"/subscriptions/"+cfg.SubscriptionName)))
	}
	sub, err := pubsub.NewSubscription(ctx, "gmail-webhook", args, subOpts...)
	if err != nil {
		return none, fmt.Errorf("subscription %s: %w", cfg.SubscriptionName, err)
	}

	mode := pulumi.String(string(cfg.Mode)).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"topicName": topic.Name, "subscriptionName": sub.Name, "mode": mode,
	}); err != nil {
		return none, fmt.Errorf("gmail webhook component outputs: %w", err)
	}
	return contracts.GCPGmail{
		TopicName:        topic.Name,
		TopicID:          topic.ID().ToStringOutput(),
		SubscriptionName: sub.Name,
		SubscriptionID:   sub.ID().ToStringOutput(),
		Mode:             mode,
	}, nil
}
