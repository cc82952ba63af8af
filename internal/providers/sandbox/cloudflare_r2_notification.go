package sandbox

import (
	"fmt"
	"strings"

	"github.com/clustera/infra/shared/naming"
)

// r2Actions are the event types of a rule (rules.actions OneOfCaseInsensitive).
var r2Actions = []string{"PutObject", "CopyObject", "DeleteObject", "CompleteMultipartUpload", "LifecycleDeletion"}

// The R2 event notification (terraform-provider-cloudflare v5.22.0,
// internal/services/r2_bucket_event_notification/schema.go and
// resource.go):
//   - account_id, bucket_name and queue_id RequiresReplace; rules Required,
//     each rule's actions Required; jurisdiction Optional, Computed,
//     Default "default", with no RequiresReplace: a change is an update;
//   - create and update are a PUT of the bucket's configuration for the
//     queue (EventNotifications.Update), preceded on update by a DELETE with
//     the new jurisdiction header: an upsert, and a jurisdiction change
//     addresses the bucket of that name in the new jurisdiction (which must
//     exist) while the old configuration stays;
//   - the Terraform resource has no ID: pulumi-cloudflare reports the
//     account ID, and it cannot be imported.
func init() {
	register(&kind{
		token: R2BucketEventNotificationType, label: "R2 event notification",
		fields: map[string]field{
			"accountId":    {typ: tString, required: true, replace: true},
			"bucketName":   {typ: tString, required: true, replace: true},
			"queueId":      {typ: tString, required: true, replace: true},
			"jurisdiction": {typ: tString, computed: true},
			"rules":        {typ: tArray, required: true, nested: []string{"[].actions"}},
		},
		outputs: []string{"queueName"},
		check: func(c *checker) {
			c.identifier("accountId")
			c.physName("bucketName", naming.R2Bucket)
			c.oneOf(c.news, "jurisdiction", "jurisdiction", "default", "eu", "fedramp")
			rules, ok := parr(c.news, "rules")
			if ok && len(rules) == 0 {
				c.fail("rules", "rules must have at least one rule")
			}
			for i, r := range rules {
				if !r.IsObject() {
					c.fail(fmt.Sprintf("rules[%d]", i), "a rule must be an object")
					continue
				}
				actions, ok := parr(r.ObjectValue(), "actions")
				if ok && len(actions) == 0 {
					c.fail(fmt.Sprintf("rules[%d].actions", i), "actions must list at least one action")
				}
				for j, a := range actions {
					if !a.IsString() || !containsFold(r2Actions, a.StringValue()) {
						c.fail(fmt.Sprintf("rules[%d].actions[%d]", i, j), "expected an action in [%s], got %v", strings.Join(r2Actions, ", "), a)
					}
				}
			}
		},
		defaults: func(o *Object) { setDefault(o.Props, "jurisdiction", "default") },
		refs: func(st *state, o *Object) error {
			acc, bucket, jur, qid := str(o.Props, "accountId"), str(o.Props, "bucketName"), jurisdictionOf(o.Props), str(o.Props, "queueId")
			if st.byKey(R2BucketType, r2Key(acc, jur, bucket)) == nil {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/event_notifications/r2/%s/configuration/queues/%s: 404 Not Found: [10006] The specified bucket does not exist", acc, bucket, qid)
			}
			q := st.byKey(QueueType, qid)
			if q == nil || str(q.Props, "accountId") != acc {
				return fmt.Errorf("failed to make http request: PUT /accounts/%s/event_notifications/r2/%s/configuration/queues/%s: 404 Not Found: queue %s does not exist", acc, bucket, qid, qid)
			}
			o.Props["queueName"] = str(q.Props, "queueName")
			return nil
		},
		identity: func(o *Object) (string, string, string) {
			acc, bucket := str(o.Props, "accountId"), str(o.Props, "bucketName")
			return notificationKey(acc, jurisdictionOf(o.Props), bucket, str(o.Props, "queueId")), acc, bucket
		},
		upsert: true,
		stateKey: func(_ string, props map[string]any) string {
			return notificationKey(str(props, "accountId"), jurisdictionOf(props), str(props, "bucketName"), str(props, "queueId"))
		},
	})
}

// notificationKey is the key of a notification: one configuration per
// bucket (account, jurisdiction, name) and queue.
func notificationKey(account, jurisdiction, bucket, queueID string) string {
	return r2Key(account, jurisdiction, bucket) + "/" + queueID
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
