// Package aiven is a small typed SDK for the one Aiven resource the
// repository manages, the Kafka topic. The generated Go SDK
// (github.com/pulumi/pulumi-aiven/sdk/v6) cannot be fetched here, so this
// package registers the provider's resource type itself
// (docs/decisions/0002-aiven-typed-layer.md). On the wire a resource is only
// a type token, a property map and a plugin version, so a real deployment
// installs and calls pulumi-resource-aiven v6.58.0 (Version) exactly as the
// generated SDK would; nothing of the provider is re-implemented.
//
// The package is a hand-written equivalent of the generated code for that
// resource: KafkaTopic (outputs) and KafkaTopicArgs (inputs), the nested
// KafkaTopicConfig and KafkaTopicTag types with the ElementType/To…Output
// plumbing and the RegisterInputType/RegisterOutputType calls of generated
// SDKs, NewKafkaTopic (which checks the required inputs project,
// serviceName, topicName, partitions and replication, like the generated
// constructor, and pins the plugin version), ImportID and ImportIDOf (the
// import ID "<project>/<service>/<topic>"), and Tags (a tag list from a map,
// sorted by key).
//
// Property names and types are those of the provider schema at v6.58.0
// (provider/cmd/pulumi-resource-aiven/schema.json at tag v6.58.0 of
// pulumi/pulumi-aiven). The test restates that schema for the resource and
// its two nested types and checks, by reflection, that every `pulumi:"…"`
// tag of the package is a property of the schema with the matching type and
// that the required inputs are exactly the schema's. Upgrading the provider
// means changing Version, refreshing that excerpt from the new tag and
// letting the test show which names changed.
//
// KafkaTopicConfig carries the config keys the repository uses or expects
// to use (cleanupPolicy, compressionType, deleteRetentionMs, maxMessageBytes,
// messageTimestampType, minCompactionLagMs, minInsyncReplicas,
// retentionBytes, retentionMs, segmentMs), all strings as in the schema;
// other keys of the schema are added the same way when needed.
// terminationProtection is still offered although the schema deprecates it
// in favour of Terraform's prevent_destroy (Pulumi's protect option):
// production topics get both, and protect is the guard that holds under
// Pulumi (docs/decisions/0043-sandbox-fidelity.md).
// timeouts is left out on purpose, since the defaults suit topic
// operations.
package aiven
