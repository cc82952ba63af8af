// Package kafkaaudit compares the topics of the Aiven Kafka service with the
// topics the stacks of one environment declare (`infra-check kafka-audit
// -env E`, go run mage.go kafka:audit env=E): topics in Aiven that no stack
// manages, and managed topics that are missing. It replaces the manual
// audit of the old repository (`avn service topic-list`, seed 004); see
// docs/decisions/0074-kafka-topic-audit.md.
//
// Client.Topics lists the topics with GET
// /v1/project/{project}/service/{service}/topic on the Aiven REST API
// (DefaultAPI unless BaseURL is set), with the header "Authorization:
// aivenv1 <token>" (the token from AIVEN_TOKEN, Token), and reads the answer
// {"topics": [{"topic_name": ...}, ...]}. Every failure is an error naming
// its cause: no token; 401 or 403 (the token is invalid, expired or lacks
// access to the project); 404 (no such project or service: check
// aiven.project and aiven.kafkaService in the environment file, where the
// command takes them from); another status, with Aiven's message; no answer
// within the timeout (30 s unless Timeout is set); an answer that is not the
// expected JSON, has no topics list or a topic without a name. The token is
// sent only in the header and scrubbed from every message.
//
// Managed is the set of topics a deploy of the environment would declare:
// it runs the Kafka programs (KafkaProjects, with their upstreams) under
// the SDK's mocks with the stacks' real configuration through the offline
// runner (internal/offline/mockrun: graph order, kafka-data-plane's
// contract feeding kafka-integrations), and collects the topicName of
// every Aiven Kafka topic they register. So the set comes from the same loader, discovery and naming
// as a deploy, prod's name overrides included. The programs read the
// repository layout.Root finds; RootMatches checks it is the one the
// command was given.
//
// Audit classifies the listed topics: present (managed and listed), missing
// (managed, not listed), internal (names starting with "_", not audited),
// unmanaged (not managed, with this environment's prefix "E-" or no known
// environment's prefix), and those of other environments (the prefix of
// another environments/*.yaml, longest first; not audited here). Missing
// and unmanaged topics are the findings: the command exits 1 on any, or on
// any error, and 0 when the audit is clean. WriteText notes an unmanaged
// topic whose prefix looks like a personal environment without an
// environment file (a removed environment?) and, verbose, lists the topics
// of the other environments; WriteJSON prints the report as JSON.
package kafkaaudit
