package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
)

// The queue (terraform-provider-cloudflare v5.22.0,
// internal/services/queue/schema.go): account_id RequiresReplace;
// queue_name Required and updated (a rename keeps the queue); settings
// Optional and Computed. The ID is the queue_id.
func init() {
	register(&kind{
		token: QueueType, label: "queue",
		fields: map[string]field{
			"accountId": {typ: tString, required: true, replace: true},
			"queueName": {typ: tString, required: true},
			"settings":  {typ: tObject, computed: true},
		},
		outputs: []string{"queueId", "createdOn", "modifiedOn", "consumers", "consumersTotalCount", "producers", "producersTotalCount"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("queueName", naming.Queue)
			if s, ok := pobj(c.news, "settings"); ok {
				c.between(s, "deliveryDelay", "settings.deliveryDelay", 0, 43200)
				c.between(s, "messageRetentionPeriod", "settings.messageRetentionPeriod", 60, 1209600)
			}
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "queueId", hexID(16))
			setDefault(o.Props, "createdOn", now())
			settings, _ := o.Props["settings"].(map[string]any)
			if settings == nil {
				settings = map[string]any{}
			}
			setDefault(settings, "deliveryDelay", 0.0)
			setDefault(settings, "deliveryPaused", false)
			setDefault(settings, "messageRetentionPeriod", 345600.0)
			o.Props["settings"] = settings
			o.Props["consumers"] = []any{}
			o.Props["consumersTotalCount"] = 0.0
			o.Props["producers"] = []any{}
			o.Props["producersTotalCount"] = 0.0
		},
		identity: func(o *Object) (string, string, string) {
			return str(o.Props, "queueId"), str(o.Props, "queueId"), str(o.Props, "queueName")
		},
		unique:  uniqueQueueName,
		written: func(_ *state, _, o *Object) { o.Props["modifiedOn"] = now() },
		imports: func() importSpec {
			s := accountScoped("'<account_id>/<queue_id>'", "accountId")
			s.bare = true
			return s
		}(),
		decorate: func(st *state, o *Object) {
			consumers := []any{}
			for _, c := range st.all(QueueConsumerType) {
				if str(c.Props, "queueId") == o.ID {
					consumers = append(consumers, map[string]any{
						"consumerId": str(c.Props, "consumerId"), "createdOn": str(c.Props, "createdOn"),
						"queueName": str(o.Props, "queueName"), "scriptName": str(c.Props, "scriptName"),
						"type": str(c.Props, "type"),
					})
				}
			}
			o.Props["consumers"] = consumers
			o.Props["consumersTotalCount"] = float64(len(consumers))
		},
	})
}

// uniqueQueueName: queue names are unique per account (POST
// /accounts/{id}/queues answers 11009).
func uniqueQueueName(st *state, o *Object) error {
	acc, name := str(o.Props, "accountId"), str(o.Props, "queueName")
	if st.find(QueueType, func(x *Object) bool {
		return str(x.Props, "accountId") == acc && str(x.Props, "queueName") == name && x.Key != o.Key
	}) != nil {
		return fmt.Errorf("failed to make http request: POST /accounts/%s/queues: 409 Conflict: [11009] A queue with the name %q already exists", acc, name)
	}
	return nil
}
