package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/queues"
)

// Policy names of the queue rules. Both are stack policies: they relate
// consumers to queues.
const (
	QueueSingleConsumer = "queue-single-consumer"
	QueueConsumerDLQ    = "queue-consumer-dlq"
)

// EmbeddingQueueSuffix ends the name of the queue whose consumer embeds new
// content ("<env>-new-content-constellation"); that consumer needs a DLQ.
const EmbeddingQueueSuffix = "new-content-constellation"

// ConsumedQueue returns the queue a QueueConsumer reads from, among the
// resources rs of its stack. It follows, in order: the dependencies of the
// consumer's queueId property on a Queue (the engine passes them to stack
// policies), the queueId value matched against the Queues' queueId or id,
// the queueId value found in the queueIds output of a StackReference (queues
// declared by another stack, such as cloudflare-storage for the Workers;
// the view returned then has no URN, the base name as Name and the queue's
// physical name from queueNames), and the consumer's dependencies on Queues other
// than its dead-letter queue. It reports false when none of them settles on
// exactly one queue.
func ConsumedQueue(consumer Resource, rs []Resource) (Resource, bool) {
	queues := ofType(rs, TypeQueue)
	byURN := map[string]Resource{}
	for _, q := range queues {
		if q.URN != "" {
			byURN[q.URN] = q
		}
	}
	if one, ok := single(consumer.PropertyDependencies["queueId"], byURN, nil); ok {
		return one, true
	}
	if id, ok := consumer.Get("queueId").Str(); ok && id != "" {
		var match []Resource
		for _, q := range queues {
			for _, k := range []string{"queueId", "id"} {
				if v, ok := q.Get(k).Str(); ok && v == id {
					match = append(match, q)
					break
				}
			}
		}
		if len(match) == 1 {
			return match[0], true
		}
	}
	dlq, _ := consumer.Get("deadLetterQueue").Str()
	return single(consumer.Dependencies, byURN, func(q Resource) bool {
		name, _ := q.Get("queueName").Str()
		return dlq == "" || name != dlq
	})
}

// single returns the one resource of byURN named in urns (and accepted by
// keep, when set).
func single(urns []string, byURN map[string]Resource, keep func(Resource) bool) (Resource, bool) {
	var found []Resource
	seen := map[string]bool{}
	for _, u := range urns {
		q, ok := byURN[u]
		if !ok || seen[u] || (keep != nil && !keep(q)) {
			continue
		}
		seen[u] = true
		found = append(found, q)
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Resource{}, false
}

func ofType(rs []Resource, typ string) []Resource {
	var out []Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// ConsumerSuffix ends the logical name of every QueueConsumer: the
// cloudflare-workers program names a consumer "<queue base name>-consumer".
const ConsumerSuffix = "-consumer"

// consumedQueueName returns the name of the queue consumer reads from: the
// queueName of the queue ConsumedQueue finds, or else the queue base name in
// the consumer's logical name ("<queue>-consumer"), the only trace of a
// queue declared by another stack.
func consumedQueueName(consumer Resource, rs []Resource) (string, bool) {
	if q, ok := ConsumedQueue(consumer, rs); ok {
		return q.Get("queueName").Str()
	}
	return strings.CutSuffix(consumer.Name, ConsumerSuffix)
}

func queueSingleConsumer() Policy {
	return Policy{
		Name:        QueueSingleConsumer,
		Description: "Every Cloudflare queue has at most one consumer.",
		Types:       []string{TypeQueue, TypeQueueConsumer},
		Stack: func(rs []Resource, _ Config) []Violation {
			// The engine sends resources in no particular order.
			cs := ofType(rs, TypeQueueConsumer)
			sort.SliceStable(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
			var pairs []queues.Consumer
			var who []Resource
			type queue struct {
				res   Resource
				label string
			}
			byKey := map[string]queue{}
			for _, c := range cs {
				var key string
				var q queue
				if res, ok := ConsumedQueue(c, rs); ok {
					key, q = "queue:"+res.URN+"::"+res.Name, queue{res, res.Label()}
				} else if id, ok := c.Get("queueId").Str(); ok && id != "" {
					key, q = "id:"+id, queue{label: fmt.Sprintf("queue %q", id)}
				} else {
					continue
				}
				byKey[key] = q
				pairs = append(pairs, queues.Consumer{Queue: key, Name: c.Label()})
				who = append(who, c)
			}
			var vs []Violation
			for _, k := range queues.OneConsumer(pairs) {
				q := byKey[k.Queue]
				v := Violation{
					Policy:   QueueSingleConsumer,
					URN:      who[k.At[1]].URN,
					Resource: q.label,
					Problem:  fmt.Sprintf("the queue has %d consumers: %s", len(k.Names), strings.Join(k.Names, ", ")),
					Fix:      "keep one QueueConsumer per queue; let other Workers produce to a queue of their own",
				}
				if q.res.URN != "" {
					v.URN = q.res.URN
				}
				vs = append(vs, v)
			}
			return vs
		},
	}
}

func queueConsumerDLQ() Policy {
	return Policy{
		Name:        QueueConsumerDLQ,
		Description: "The consumer of the embedding queue (new-content-constellation) sends failed messages to a dead-letter queue.",
		Types:       []string{TypeQueue, TypeQueueConsumer},
		Properties: map[string]Property{
			"queueSuffixes": {Type: "array", Description: "Queue name suffixes whose consumers need a dead-letter queue. The engine passes no configuration to stack policies, so there the default always applies.", Default: []string{EmbeddingQueueSuffix}},
		},
		Stack: func(rs []Resource, c Config) []Violation {
			suffixes := c.Strings("queueSuffixes")
			var vs []Violation
			for _, consumer := range ofType(rs, TypeQueueConsumer) {
				qname, ok := consumedQueueName(consumer, rs)
				if !ok || !slices.ContainsFunc(suffixes, func(s string) bool { return strings.HasSuffix(qname, s) }) {
					continue
				}
				dlq := consumer.Get("deadLetterQueue")
				if dlq.Unknown {
					continue
				}
				name, _ := dlq.Str()
				switch {
				case name == "":
					vs = append(vs, violation(QueueConsumerDLQ, consumer,
						"set deadLetterQueue to the name of a dead-letter queue (e.g. the embed-dead-letter queue of the environment)",
						"the consumer of queue %q has no dead-letter queue, so failed embedding jobs are dropped", qname))
				case name == qname:
					vs = append(vs, violation(QueueConsumerDLQ, consumer,
						"set deadLetterQueue to a separate queue",
						"the consumer of queue %q uses the queue itself as its dead-letter queue", qname))
				}
			}
			return vs
		},
	}
}
