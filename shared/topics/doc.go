// Package topics loads the Kafka topics declared in kafka-topics.yaml files
// and declares them as Aiven Kafka topics (shared/aiven). Both Kafka
// projects use it: kafka-data-plane for its one file, kafka-integrations for
// the file of every integration folder, loaded in one call so names are
// unique across all of them.
//
// A topic file holds one list, in the format of the old repository's topic
// files (snake_case keys, Kafka settings as integer strings;
// docs/decisions/0031-kafka-topic-files.md):
//
//	topics:
//	  - name: "{stack}-runtime"        # required; always starts with "{stack}-"
//	    description: Runtime messages
//	    partitions: 10                 # optional settings override the group's defaults
//	    retention_ms: "604800000"
//
// The keys are name, description, partitions, replication and the Kafka
// topic config the Aiven provider takes, spelled retention_ms,
// retention_bytes, max_message_bytes, compression_type, cleanup_policy,
// min_insync_replicas, delete_retention_ms, min_compaction_lag_ms,
// segment_ms and message_timestamp_type (Keys). An unquoted integer is
// accepted where an integer string is expected. The loader maps each key to
// its Aiven property (retention_ms → config.retentionMs); nothing past the
// loader sees the file spelling.
//
// Defaults belong to the group, in Go (DataPlane, Integrations), and every
// topic may override any of them; the integrations' 600 MiB retention_bytes
// applies to the worker queues and their dead-letter topics (logical names
// starting with WorkerPrefix). LoadStack also reads the stack keys names
// (physical name overrides, through naming.Namer, so prod may keep existing
// names), importTopics (topics adopted by import) and defaultReplication (a
// per-stack override of the group's default replication).
//
// Loading is strict and reports every problem at once, as one
// *problems.Error whose problems name the file, the line, the column and
// the key, so topic-file problems join the project's other configuration
// problems before any resource is registered: an unknown key (a camelCase,
// dashed or dotted spelling such as retentionMs included, with a "did you
// mean retention_ms?"), a duplicate key, a duplicate topic name across the
// files of a stack (also after name overrides), a name without the
// "{stack}-" prefix, partitions outside 1..aiven.maxPartitions, a
// replication above aiven.brokers or below 2 (which Aiven refuses), checked
// on the resolved value, defaults included, a retention or size that is not
// an integer string ("-1" means unlimited for retentions;
// delete_retention_ms and min_compaction_lag_ms may be 0), an unknown
// compression type, cleanup policy or timestamp type, a min_insync_replicas
// not below the replication, and an empty file or list.
//
// Declare registers one aiven.KafkaTopic per topic, named by its logical
// name; with Protect (production) every topic gets terminationProtection
// and pulumi.Protect. The loader is fuzzed (FuzzLoad, seed corpus in
// testdata/fuzz/FuzzLoad); the YAML library panics on some malformed
// documents, which shared/yamlfile turns into errors.
package topics
