package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
	"github.com/clustera/infra/shared/queues"
)

// The queue consumer (terraform-provider-cloudflare v5.22.0,
// internal/services/queue_consumer/schema.go): account_id and queue_id
// RequiresReplace; type Required and updated; script_name and settings
// Optional and Computed. The Terraform resource has no ID of its own:
// pulumi-cloudflare reports the account ID, and it cannot be imported.
// Its create is a POST (Queues.Consumers.New): no upsert.
func init() {
	register(&kind{
		token: QueueConsumerType, label: "queue consumer",
		fields: map[string]field{
			"accountId":       {typ: tString, required: true, replace: true},
			"queueId":         {typ: tString, required: true, replace: true},
			"type":            {typ: tString, required: true},
			"scriptName":      {typ: tString, computed: true},
			"deadLetterQueue": {typ: tString},
			"settings":        {typ: tObject, computed: true},
		},
		outputs: []string{"consumerId", "createdOn", "queueName"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.oneOf(c.news, "type", "type", "worker", "http_pull")
			t, _ := pstr(c.news, "type")
			if t == "worker" && !present(c.news, "scriptName") {
				c.fail("scriptName", "scriptName is required when type is \"worker\": the API answers 11002 \"a worker consumer needs script_name\"")
			}
			if t == "http_pull" && present(c.news, "scriptName") {
				c.fail("scriptName", "scriptName must not be set when type is \"http_pull\"")
			}
			c.physName("deadLetterQueue", naming.Queue)
			if s, ok := pobj(c.news, "settings"); ok {
				c.between(s, "batchSize", "settings.batchSize", 1, 100)
				c.between(s, "maxRetries", "settings.maxRetries", 0, 100)
				c.between(s, "maxWaitTimeMs", "settings.maxWaitTimeMs", 0, 60000)
				c.between(s, "maxConcurrency", "settings.maxConcurrency", 1, 250)
				c.between(s, "retryDelay", "settings.retryDelay", 0, 43200)
				c.between(s, "visibilityTimeoutMs", "settings.visibilityTimeoutMs", 0, 43200000)
				if present(s, "visibilityTimeoutMs") && t == "worker" {
					c.fail("settings.visibilityTimeoutMs", "settings.visibilityTimeoutMs applies to http_pull consumers only")
				}
			}
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "consumerId", hexID(16))
			setDefault(o.Props, "createdOn", now())
			setDefault(o.Props, "settings", map[string]any{})
		},
		refs: consumerRefs,
		identity: func(o *Object) (string, string, string) {
			return str(o.Props, "consumerId"), str(o.Props, "accountId"), str(o.Props, "queueName")
		},
		// A queue has exactly one consumer (11004).
		unique:   oneConsumer,
		stateKey: func(_ string, props map[string]any) string { return str(props, "consumerId") },
	})
}

// consumerRefs enforces the references of the Queues API: the queue and
// the Worker exist, and a queue is not its own dead-letter queue.
func consumerRefs(st *state, o *Object) error {
	acc, qid := str(o.Props, "accountId"), str(o.Props, "queueId")
	q := st.byKey(QueueType, qid)
	if q == nil || str(q.Props, "accountId") != acc {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 404 Not Found: [11000] queue %s does not exist", acc, qid, qid)
	}
	o.Props["queueName"] = str(q.Props, "queueName")
	if str(o.Props, "type") == "worker" {
		script := str(o.Props, "scriptName")
		if st.byKey(WorkersScriptType, acc+"/"+script) == nil {
			return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 404 Not Found: [10007] Worker %q does not exist on your account", acc, qid, script)
		}
	}
	if dlq := str(o.Props, "deadLetterQueue"); dlq != "" && dlq == str(q.Props, "queueName") {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 400 Bad Request: a queue cannot be its own dead letter queue", acc, qid)
	}
	return nil
}

// oneConsumer refuses a second consumer on a queue, as the Queues API does
// (11004): a queue has exactly one consumer (shared/queues).
func oneConsumer(st *state, o *Object) error {
	acc, qid := str(o.Props, "accountId"), str(o.Props, "queueId")
	var others []*Object
	var cs []queues.Consumer
	for _, x := range st.all(QueueConsumerType) {
		if x.Key != o.Key {
			others = append(others, x)
			cs = append(cs, queues.Consumer{Queue: str(x.Props, "queueId"), Name: x.Key})
		}
	}
	cs = append(cs, queues.Consumer{Queue: qid, Name: o.Key})
	for _, c := range queues.OneConsumer(cs) {
		if c.Queue != qid {
			continue
		}
		existing := others[c.At[0]]
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues/%s/consumers: 400 Bad Request: [11004] queue already has a consumer (%s %q); a queue has exactly one consumer", acc, qid, str(existing.Props, "type"), str(existing.Props, "scriptName"))
	}
	return nil
}
