package topics

import (
	"sync"
	"testing"

	"github.com/clustera/infra/shared/aiven"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestDeclare(t *testing.T) {
	ts, err := Load(files(`topics:
  - name: "{stack}-runtime"
    description: Runtime
    partitions: 4
  - name: "{stack}-lake"
    retention_bytes: "-1"
    cleanup_policy: compact
    delete_retention_ms: "0"
    min_compaction_lag_ms: "60000"
    segment_ms: "3600000"
    message_timestamp_type: LogAppendTime
`), Options{Stack: "prod", Defaults: DataPlane, Limits: testLimits})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var names map[string]string
	for _, prod := range []bool{false, true} {
		res, err := mocktest.Run("kafka-data-plane", "prod", func(ctx *pulumi.Context) error {
			declared, err := Declare(ctx, ts, DeclareArgs{
				Project: pulumi.String("proj"), Service: pulumi.String("svc").ToStringOutput(),
				Tags: map[string]string{"env": "prod"}, Protect: prod, Import: map[string]bool{"lake": true},
			})
			if err != nil {
				return err
			}
			Names(declared).ApplyT(func(m map[string]string) error {
				mu.Lock()
				defer mu.Unlock()
				names = m
				return nil
			})
			return nil
		}, mocktest.Options{NoStackFile: true})
		if err != nil {
			t.Fatal(err)
		}
		rt, ok1 := res.Find(aiven.KafkaTopicType, "runtime")
		lake, ok2 := res.Find(aiven.KafkaTopicType, "lake")
		if !ok1 || !ok2 {
			t.Fatalf("resources %+v", res.Resources)
		}
		if rt.String("topicName") != "prod-runtime" || rt.Number("partitions") != 4 || rt.String("topicDescription") != "Runtime" ||
			rt.String("serviceName") != "svc" || rt.String("tags[0].key") != "env" {
			t.Errorf("runtime inputs %v", rt.Inputs)
		}
		if _, has := rt.Inputs["config"].ObjectValue()["retentionBytes"]; has {
			t.Error("unset retentionBytes was sent")
		}
		if lake.String("config.retentionBytes") != "-1" || !lake.Get("topicDescription").IsNull() {
			t.Errorf("lake inputs %v", lake.Inputs)
		}
		// Every snake_case key of the file reaches its Aiven property.
		for path, want := range map[string]string{
			"config.cleanupPolicy": "compact", "config.deleteRetentionMs": "0", "config.minCompactionLagMs": "60000",
			"config.segmentMs": "3600000", "config.messageTimestampType": "LogAppendTime",
		} {
			if got := lake.String(path); got != want {
				t.Errorf("lake %s = %q, want %q", path, got, want)
			}
		}
		for _, unset := range []string{"deleteRetentionMs", "minCompactionLagMs", "segmentMs", "messageTimestampType", "cleanupPolicy"} {
			if _, has := rt.Inputs["config"].ObjectValue()[resource.PropertyKey(unset)]; has {
				t.Errorf("unset %s was sent for runtime", unset)
			}
		}
		if rt.Protect != prod || lake.Protect != prod || rt.Bool("terminationProtection") != prod {
			t.Errorf("prod=%v: protect %v/%v terminationProtection %v", prod, rt.Protect, lake.Protect, rt.Bool("terminationProtection"))
		}
		if rt.ImportID != "" || lake.ImportID != "proj/svc/prod-lake" {
			t.Errorf("import IDs %q %q", rt.ImportID, lake.ImportID)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if names["runtime"] != "prod-runtime" || names["lake"] != "prod-lake" || len(names) != 2 {
		t.Errorf("Names = %v", names)
	}
}
