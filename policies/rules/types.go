package rules

// Type tokens of the resources the policies look at (Cloudflare SDK v6,
// GCP SDK v7, Aiven v6 through shared/aiven, the in-repo Vectorize
// provider).
const (
	TypeKafkaTopic         = "aiven:index/kafkaTopic:KafkaTopic"
	TypeDNSRecord          = "cloudflare:index/dnsRecord:DnsRecord"
	TypeWorkersScript      = "cloudflare:index/workersScript:WorkersScript"
	TypeQueue              = "cloudflare:index/queue:Queue"
	TypeQueueConsumer      = "cloudflare:index/queueConsumer:QueueConsumer"
	TypeD1Database         = "cloudflare:index/d1Database:D1Database"
	TypeR2Bucket           = "cloudflare:index/r2Bucket:R2Bucket"
	TypeVectorizeIndex     = "vectorize:index:Index"
	TypePubSubTopic        = "gcp:pubsub/topic:Topic"
	TypePubSubSubscription = "gcp:pubsub/subscription:Subscription"
	TypeTopicIAMMember     = "gcp:pubsub/topicIAMMember:TopicIAMMember"
	TypeTopicIAMBinding    = "gcp:pubsub/topicIAMBinding:TopicIAMBinding"
	TypeTopicIAMPolicy     = "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy"
)
