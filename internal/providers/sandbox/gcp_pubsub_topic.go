package sandbox

import (
	"fmt"

	"github.com/clustera/infra/shared/naming"
)

// The Pub/Sub topic (terraform-provider-google v5.42.0,
// google/services/pubsub/resource_pubsub_topic.go): name and project
// ForceNew; message_storage_policy and schema_settings Optional and
// Computed, with allowed_persistence_regions and schema Required inside;
// the AWS Kinesis ingestion settings with all four ARNs/accounts Required.
// Create is a PUT that answers 409 when the topic exists. pulumi-gcp
// autonames a missing name. The ID is projects/{p}/topics/{name}.
func init() {
	register(&kind{
		token: PubSubTopicType, label: "Pub/Sub topic",
		fields: map[string]field{
			"name":                     {typ: tString, replace: true, computed: true},
			"project":                  {typ: tString, replace: true, computed: true},
			"labels":                   {typ: tStringMap},
			"kmsKeyName":               {typ: tString},
			"messageRetentionDuration": {typ: tString},
			"messageStoragePolicy":     {typ: tObject, computed: true, nested: []string{"allowedPersistenceRegions"}},
			"schemaSettings":           {typ: tObject, computed: true, nested: []string{"schema"}},
			"ingestionDataSourceSettings": {typ: tObject, nested: []string{
				"awsKinesis.awsRoleArn", "awsKinesis.consumerArn", "awsKinesis.gcpServiceAccount", "awsKinesis.streamArn",
			}},
		},
		outputs: []string{"effectiveLabels", "pulumiLabels"},
		check: func(c *checker) {
			c.project()
			c.autoname("name")
			c.physName("name", naming.PubSubTopic)
			c.labels("labels")
			c.duration(c.news, "messageRetentionDuration", "messageRetentionDuration", 600, 31*86400)
			if msp, ok := pobj(c.news, "messageStoragePolicy"); ok {
				// "An empty list means that no regions are allowed, and is
				// not a valid configuration."
				if regions, ok := parr(msp, "allowedPersistenceRegions"); ok && len(regions) == 0 {
					c.fail("messageStoragePolicy.allowedPersistenceRegions", "messageStoragePolicy.allowedPersistenceRegions must list at least one region")
				}
			}
			if ss, ok := pobj(c.news, "schemaSettings"); ok {
				c.oneOf(ss, "encoding", "schemaSettings.encoding", "ENCODING_UNSPECIFIED", "JSON", "BINARY", "")
			}
		},
		defaults: func(o *Object) {
			setDefault(o.Props, "messageStoragePolicy", map[string]any{})
			setDefault(o.Props, "schemaSettings", map[string]any{})
		},
		identity: func(o *Object) (string, string, string) {
			key := "projects/" + str(o.Props, "project") + "/topics/" + str(o.Props, "name")
			return key, key, str(o.Props, "name")
		},
		duplicate: func(o *Object) error { return fmt.Errorf("creating Topic: %w", gcpExists(o.Key)) },
		written:   func(_ *state, _, o *Object) { fillLabels(o) },
		imports:   gcpImports("topics"),
		afterDelete: func(st *state, o *Object) {
			// The topic's IAM policy goes with it; its subscriptions stay,
			// detached, as in Pub/Sub.
			for _, m := range st.all(PubSubTopicIAMMemberType) {
				if topicRef(str(m.Props, "project"), str(m.Props, "topic")) == o.Key {
					st.remove(m)
				}
			}
			for _, s := range st.all(PubSubSubscriptionType) {
				if topicRef(str(s.Props, "project"), str(s.Props, "topic")) == o.Key {
					s.Props["topic"] = "_deleted-topic_"
				}
			}
		},
	})
}
