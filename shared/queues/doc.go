// Package queues owns the rule that a Cloudflare queue has at most one
// consumer (docs/decisions/0021-one-consumer-per-queue.md; Cloudflare
// refuses a second consumer with error 11004). Every layer that enforces it
// calls OneConsumer: the cloudflare-workers configuration check, the
// queue-single-consumer policy, the cross-stack check and the sandbox's
// fake Queues API (docs/decisions/0012-one-stack-file-reader-one-queue-rule.md).
//
// OneConsumer takes the (queue, consumer) pairs as the caller knows them
// and returns one Conflict per queue with more than one consumer, sorted by
// queue, with the positions and names of its consumers in list order: the
// first is the one the queue keeps. Each caller keeps its own wording: it
// knows how to name the queue and the consumers to its reader.
package queues
