package mocktest_test

import (
	"strings"
	"testing"

	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// program registers an imported, protected resource that reads an
// upstream's output, and a plain one.
func program(ctx *pulumi.Context) error {
	ref, err := pulumi.NewStackReference(ctx, "organization/up/dev", nil)
	if err != nil {
		return err
	}
	var a, b pulumi.CustomResourceState
	if err := ctx.RegisterResource("test:index:Thing", "a", pulumi.Map{"name": ref.GetStringOutput(pulumi.String("name"))}, &a,
		pulumi.Protect(true), pulumi.Import(pulumi.ID("existing-a"))); err != nil {
		return err
	}
	return ctx.RegisterResource("test:index:Thing", "b", pulumi.Map{"size": pulumi.Int(2)}, &b, pulumi.RetainOnDelete(true))
}

func TestRunRecordsResourcesAndTheirOptions(t *testing.T) {
	res, err := mocktest.Run("demo", "dev", program, mocktest.Options{
		NoStackFile: true,
		Upstreams:   map[string]map[string]any{"up": {"name": "from-up"}},
		Computed: func(r mocktest.Resource) resource.PropertyMap {
			return resource.PropertyMap{"computedId": resource.NewStringProperty(r.ID)}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.StackRefs) != 1 || res.StackRefs[0] != "organization/up/dev" {
		t.Errorf("StackRefs = %v", res.StackRefs)
	}
	a, ok := res.Find("test:index:Thing", "a")
	if !ok || a.String("name") != "from-up" || !a.Protect || a.ImportID != "existing-a" || a.ID != "existing-a" || !a.Custom {
		t.Errorf("a = %+v", a)
	}
	b, ok := res.Find("test:index:Thing", "b")
	if !ok || b.Number("size") != 2 || !b.Retain || b.Protect || b.ID != "b-id" {
		t.Errorf("b = %+v", b)
	}
	if got := b.Outputs["computedId"]; !got.IsString() || got.StringValue() != b.ID {
		t.Errorf("computed output %v, want the ID %s", got, b.ID)
	}
	if got := res.Count()["test:index:Thing"]; got != 2 {
		t.Errorf("Count = %v", res.Count())
	}
}

func TestRunFailsOnAStackWithoutOutputs(t *testing.T) {
	_, err := mocktest.Run("demo", "dev", program, mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), `unknown stack "organization/up/dev"`) {
		t.Fatalf("err = %v", err)
	}
}
