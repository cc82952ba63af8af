package rules

import (
	"fmt"
	"net/url"
	"strings"
)

// Policy names of the Pub/Sub rules.
const (
	PubSubPushHTTPS = "pubsub-push-https"
	GmailTopicIAM   = "gmail-topic-iam"
)

// Gmail push defaults: Gmail publishes mailbox notifications to the topic as
// this Google-owned service account, which needs the publisher role and
// nothing else.
const (
	GmailPushMember = "serviceAccount:gmail-api-push@system.gserviceaccount.com"
	GmailPushRole   = "roles/pubsub.publisher"
)

func pubsubPushHTTPS() Policy {
	return Policy{
		Name:        PubSubPushHTTPS,
		Description: "Pub/Sub push subscriptions deliver to https endpoints only.",
		Types:       []string{TypePubSubSubscription},
		Resource: func(r Resource, _ Config) []Violation {
			if r.Type != TypePubSubSubscription {
				return nil
			}
			ep, ok := r.Get("pushConfig", "pushEndpoint").Str()
			if !ok {
				return nil
			}
			u, err := url.Parse(ep)
			if err == nil && u.Scheme == "https" && u.Host != "" {
				return nil
			}
			return []Violation{violation(PubSubPushHTTPS, r, "use an https:// URL for pushConfig.pushEndpoint",
				"pushConfig.pushEndpoint %q is not an https URL", ep)}
		},
	}
}

func gmailTopicIAM() Policy {
	return Policy{
		Name:        GmailTopicIAM,
		Description: "On the Gmail push topic only Gmail's push service account may publish, granted through non-authoritative members.",
		Types:       []string{TypeTopicIAMMember, TypeTopicIAMBinding, TypeTopicIAMPolicy},
		Properties: map[string]Property{
			"topicMatch": {Type: "string", Description: "Case-insensitive substring that marks the Gmail topic in the IAM resource's topic.", Default: "gmail"},
			"member":     {Type: "string", Description: "The only member allowed on the topic.", Default: GmailPushMember},
			"role":       {Type: "string", Description: "The only role allowed on the topic.", Default: GmailPushRole},
		},
		Resource: func(r Resource, c Config) []Violation {
			switch r.Type {
			case TypeTopicIAMMember, TypeTopicIAMBinding, TypeTopicIAMPolicy:
			default:
				return nil
			}
			topic, ok := r.Get("topic").Str()
			if !ok || !strings.Contains(strings.ToLower(topic), strings.ToLower(c.String("topicMatch"))) {
				return nil
			}
			member, role := c.String("member"), c.String("role")
			fix := fmt.Sprintf("grant only %s %s with a gcp.pubsub.TopicIAMMember", member, role)
			switch r.Type {
			case TypeTopicIAMBinding:
				return []Violation{violation(GmailTopicIAM, r, fix, "a TopicIAMBinding on the Gmail topic %q is authoritative for its role and removes grants made elsewhere", topic)}
			case TypeTopicIAMPolicy:
				return []Violation{violation(GmailTopicIAM, r, fix, "a TopicIAMPolicy on the Gmail topic %q replaces the topic's whole IAM policy", topic)}
			}
			var vs []Violation
			if m, ok := r.Get("member").Str(); ok && m != member {
				vs = append(vs, violation(GmailTopicIAM, r, fix, "member %q is granted access to the Gmail topic %q", m, topic))
			}
			if ro, ok := r.Get("role").Str(); ok && ro != role {
				vs = append(vs, violation(GmailTopicIAM, r, fix, "role %q is granted on the Gmail topic %q", ro, topic))
			}
			return vs
		},
	}
}
