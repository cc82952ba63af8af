// Package crossstack checks rules that span several stacks of one
// environment, which a policy pack cannot see because the engine shows it
// one stack at a time (docs/decisions/0053-what-policies-can-see.md). The
// checks are plain Go over a mockrun.Result (internal/offline/mockrun: every
// program of the environment run under mocks, consumers fed only their
// producers' exports), plus a scan of the Go sources. Check runs them all
// and sorts the findings; each Finding names its check, the project at
// fault (empty when several share the blame), the subject, the problem and
// the fix. Every finding is a violation: the offline policy runner
// (internal/offline/mockrun/policyrun) reports them as mandatory.
//
// The checks, by name (Checks):
//
//   - dns-records-in-dns-only (DNSRecordsOnlyInDNS): only the dns project
//     declares DNS records.
//   - contract-reads (ContractReadsOf): for every project that was not
//     blocked, each StackReference is named <org>/<project>/<stack>, names a
//     declared upstream and reads the stack of the same environment; a
//     program that ran to the end reads every upstream it declares; and no
//     key the consumer read is missing from what its producer exported. The
//     missing keys come from the run's MissingKeys, exact because
//     contracts.Read reads every key of the contract, used or not, and from
//     the program's own error, parsed for a missing key, an output of the
//     wrong type and a map without an expected entry (the Workers' lookups
//     in the storage contract's maps). The parsing follows the wording of
//     shared/contracts and the Workers program; TestDroppedKeysAreFound
//     builds those messages through the real code paths, so a rewording
//     fails a test.
//   - contract-exports (ContractExportsOf): every project that ran exports
//     exactly the keys of its contract in shared/contracts.
//   - stack-reference-through-contracts (ScanSources): the Go sources of
//     projects/ and shared/ read upstream outputs only through
//     contracts.Read. The scan uses go/parser without type checking and
//     skips tests, testdata, vendor and node_modules folders, hidden
//     folders, shared/contracts (the one reader) and shared/mocktest (the
//     double that answers StackReferences under mocks). A finding is any use
//     of an identifier of the pulumi package containing "StackReference"
//     (also under an alias or dot-imported), any call of a StackReference
//     read method (GetOutput, GetStringOutput, ...) on anything but the
//     package itself, and the type token "pulumi:pulumi:StackReference" as
//     a string. The method names could match an unrelated method; the
//     finding names the file, line and column.
//   - one-owner-per-cloud-object (UniqueCloudObjects): no two custom
//     resources, in one stack or in two, manage the same cloud object. An
//     object's identity is the name its cloud keeps unique, per type: D1
//     database account and name; R2 bucket account, jurisdiction (default
//     "default") and name; queue account and name; Worker script, and its
//     cron schedule set, account and script name; R2 event notification
//     account, jurisdiction, bucket and queue ID; DNS record zone, name, type
//     and content; Vectorize index account and name; Kafka topic project,
//     service and topic name; Aiven project, and Kafka service; Pub/Sub
//     topic and subscription project and name, topic IAM member project,
//     topic, role and member, and IAM binding project, topic and role (the
//     GCP project may be absent, taken from the provider). A resource whose
//     identity is not fully known is skipped.
//   - queue-consumers-across-stacks (QueueConsumersOf): queues are joined to
//     consumers by the queue's queueId output (mockrun computes it as the
//     sandbox does). Every consumer reads a queue some stack declares, a
//     worker consumer runs a Worker some stack declares, a queue has at most
//     one consumer across all stacks (shared/queues.OneConsumer), and the
//     consumer of the embedding queue (the name ending in
//     new-content-constellation) has a dead-letter queue that is not the
//     queue itself and that some stack declares.
package crossstack
