package contracts_test

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestEveryProjectHasAWellFormedContract(t *testing.T) {
	if !sort.StringsAreSorted(contracts.Projects) {
		t.Fatal("Projects must be sorted")
	}
	for _, p := range contracts.Projects {
		c, err := contracts.For(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.Project() != p {
			t.Errorf("For(%q).Project() = %q", p, c.Project())
		}
		if len(contracts.Keys(c)) == 0 {
			t.Errorf("%s: empty contract", p)
		}
		for _, u := range contracts.Upstreams(p) {
			if !contracts.IsProject(u) {
				t.Errorf("%s declares unknown upstream %q", p, u)
			}
		}
	}
	if _, err := contracts.For("nope"); err == nil {
		t.Fatal("For accepted an unknown project")
	}
}

func TestKeys(t *testing.T) {
	got := contracts.Keys(contracts.KafkaDataPlane{})
	want := []string{"aivenProject", "kafkaService", "topicNames"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Keys = %v", got)
	}
}

func TestExportRejectsUnsetField(t *testing.T) {
	_, err := mocktest.Run(contracts.DNSProject, "dev", func(ctx *pulumi.Context) error {
		return contracts.Export(ctx, contracts.DNS{FQDNs: pulumi.ToStringArray([]string{"a"}).ToStringArrayOutput()})
	}, mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), "Records") {
		t.Fatalf("err = %v", err)
	}
}

// readProgram reads the kafka-data-plane contract from kafka-integrations
// and records the resolved values.
func readProgram(got map[string]any, mu *sync.Mutex) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		dp, err := contracts.Read[contracts.KafkaDataPlane](ctx, "")
		if err != nil {
			return err
		}
		pulumi.All(dp.AivenProject, dp.KafkaService, dp.TopicNames).ApplyT(func(v []any) error {
			mu.Lock()
			defer mu.Unlock()
			got["aivenProject"], got["kafkaService"], got["topicNames"] = v[0], v[1], v[2]
			return nil
		})
		// Use the values as a real consumer would: as resource inputs.
		var sink pulumi.CustomResourceState
		return ctx.RegisterResource("test:index:Sink", "sink", pulumi.Map{
			"project": dp.AivenProject, "service": dp.KafkaService, "topics": dp.TopicNames,
		}, &sink)
	}
}

func TestReadThroughStackReference(t *testing.T) {
	got := map[string]any{}
	var mu sync.Mutex
	res, err := mocktest.Run(contracts.KafkaIntegrationsProject, "staging", readProgram(got, &mu), mocktest.Options{
		NoStackFile: true,
		Upstreams: map[string]map[string]any{contracts.KafkaDataPlaneProject: {
			"aivenProject": "clustera-creators", "kafkaService": "kafka-clustera",
			"topicNames": map[string]any{"runtime": "staging-runtime"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"organization/kafka-data-plane/staging"}; !reflect.DeepEqual(res.StackRefs, want) {
		t.Fatalf("StackRefs = %v", res.StackRefs)
	}
	if got["kafkaService"] != "kafka-clustera" || !reflect.DeepEqual(got["topicNames"], map[string]string{"runtime": "staging-runtime"}) {
		t.Fatalf("read %v", got)
	}
}

func TestReadMissingKeyNamesStackAndKey(t *testing.T) {
	got := map[string]any{}
	var mu sync.Mutex
	_, err := mocktest.Run(contracts.KafkaIntegrationsProject, "staging", readProgram(got, &mu), mocktest.Options{
		NoStackFile: true,
		Upstreams: map[string]map[string]any{contracts.KafkaDataPlaneProject: {
			"aivenProject": "clustera-creators", "topicNames": map[string]any{},
		}},
	})
	if err == nil || !strings.Contains(err.Error(), `organization/kafka-data-plane/staging has no output "kafkaService"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadUndeclaredUpstreamFails(t *testing.T) {
	_, err := mocktest.Run(contracts.DNSProject, "dev", func(ctx *pulumi.Context) error {
		_, err := contracts.Read[contracts.KafkaDataPlane](ctx, "")
		return err
	}, mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), "does not declare it as an upstream") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadMissingStackFails(t *testing.T) {
	got := map[string]any{}
	var mu sync.Mutex
	_, err := mocktest.Run(contracts.KafkaIntegrationsProject, "staging", readProgram(got, &mu), mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), "unknown stack") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlaceholdersOnlyInPreview(t *testing.T) {
	release := contracts.UsePlaceholders(contracts.KafkaIntegrationsProject, "newenv1", []string{contracts.KafkaDataPlaneProject})
	defer release()
	got := map[string]any{}
	var mu sync.Mutex
	res, err := mocktest.Run(contracts.KafkaIntegrationsProject, "newenv1", readProgram(got, &mu), mocktest.Options{NoStackFile: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.StackRefs) != 0 {
		t.Fatalf("a placeholder read registered a StackReference: %v", res.StackRefs)
	}
	if len(got) != 0 {
		t.Fatalf("placeholder values resolved to %v; they must stay unknown", got)
	}
	_, err = mocktest.Run(contracts.KafkaIntegrationsProject, "newenv1", readProgram(got, &mu), mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), "placeholder outputs can only be used in a preview") {
		t.Fatalf("up with placeholders: err = %v", err)
	}
	release()
	_, err = mocktest.Run(contracts.KafkaIntegrationsProject, "newenv1", readProgram(got, &mu), mocktest.Options{NoStackFile: true, DryRun: true})
	if err == nil {
		t.Fatal("released placeholders still used")
	}
}

func TestStackName(t *testing.T) {
	if got := contracts.StackName("organization", "dns", "prod"); got != "organization/dns/prod" {
		t.Fatal(got)
	}
}
