package contracts

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Contract is implemented by the output type of every project.
type Contract interface {
	// Project names the project that exports the contract.
	Project() string
}

// CloudflareStorage is exported by cloudflare-storage. Maps are keyed by the
// logical name of the object in the design (for example "dome-meta").
type CloudflareStorage struct {
	AccountID pulumi.StringOutput `output:"accountId"`
	// D1DatabaseIDs maps dome-meta and silo to their database UUIDs.
	D1DatabaseIDs pulumi.StringMapOutput `output:"d1DatabaseIds"`
	// D1DatabaseNames maps dome-meta and silo to their physical names.
	D1DatabaseNames pulumi.StringMapOutput `output:"d1DatabaseNames"`
	// BucketNames maps dome-raw and silo-content to their physical names.
	BucketNames pulumi.StringMapOutput `output:"bucketNames"`
	// QueueIDs maps each queue's logical name to its queue ID.
	QueueIDs pulumi.StringMapOutput `output:"queueIds"`
	// QueueNames maps each queue's logical name to its physical name.
	QueueNames pulumi.StringMapOutput `output:"queueNames"`
	// VectorizeIndexName is the physical name of the dome-notes index.
	VectorizeIndexName pulumi.StringOutput `output:"vectorizeIndexName"`
}

// Project implements Contract.
func (CloudflareStorage) Project() string { return CloudflareStorageProject }

// CloudflareWorkers is exported by cloudflare-workers.
type CloudflareWorkers struct {
	// ScriptNames maps each Worker's logical name to its script name.
	ScriptNames pulumi.StringMapOutput `output:"scriptNames"`
	// CronSchedules maps each Worker with cron triggers to its schedules,
	// comma separated.
	CronSchedules pulumi.StringMapOutput `output:"cronSchedules"`
}

// Project implements Contract.
func (CloudflareWorkers) Project() string { return CloudflareWorkersProject }

// DNS is exported by dns.
type DNS struct {
	// FQDNs lists every managed name, sorted.
	FQDNs pulumi.StringArrayOutput `output:"fqdns"`
	// Records maps "<fqdn>/<ip>" to the DNS record ID.
	Records pulumi.StringMapOutput `output:"records"`
}

// Project implements Contract.
func (DNS) Project() string { return DNSProject }

// KafkaDataPlane is exported by kafka-data-plane.
type KafkaDataPlane struct {
	AivenProject pulumi.StringOutput `output:"aivenProject"`
	KafkaService pulumi.StringOutput `output:"kafkaService"`
	// TopicNames maps each topic's logical name (its name without the
	// "{stack}-" prefix) to its physical name.
	TopicNames pulumi.StringMapOutput `output:"topicNames"`
}

// Project implements Contract.
func (KafkaDataPlane) Project() string { return KafkaDataPlaneProject }

// KafkaIntegrations is exported by kafka-integrations.
type KafkaIntegrations struct {
	// TopicNames maps each topic's logical name to its physical name.
	TopicNames pulumi.StringMapOutput `output:"topicNames"`
	// GmailWorkerTopic is the physical name of the gmail worker topic.
	GmailWorkerTopic pulumi.StringOutput `output:"gmailWorkerTopic"`
}

// Project implements Contract.
func (KafkaIntegrations) Project() string { return KafkaIntegrationsProject }

// GCPGmail is exported by gcp-gmail.
type GCPGmail struct {
	TopicName        pulumi.StringOutput `output:"topicName"`
	TopicID          pulumi.StringOutput `output:"topicId"`
	SubscriptionName pulumi.StringOutput `output:"subscriptionName"`
	SubscriptionID   pulumi.StringOutput `output:"subscriptionId"`
	// Mode is "push" or "pull".
	Mode pulumi.StringOutput `output:"mode"`
}

// Project implements Contract.
func (GCPGmail) Project() string { return GCPGmailProject }
