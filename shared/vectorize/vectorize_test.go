package vectorize_test

import (
	"testing"

	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestNewIndexRegistersTypedInputs(t *testing.T) {
	res, err := mocktest.Run("cloudflare-storage", "dev", func(ctx *pulumi.Context) error {
		_, err := vectorize.NewIndex(ctx, "dome-notes", &vectorize.IndexArgs{
			AccountID:   pulumi.String("acc"),
			Name:        pulumi.String("dev-dome-notes"),
			Dimensions:  pulumi.Int(768),
			Metric:      pulumi.String("cosine"),
			Description: pulumi.String("notes"),
		}, pulumi.Protect(true))
		return err
	}, mocktest.Options{NoStackFile: true})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := res.Find(vectorize.IndexType, "dome-notes")
	if !ok {
		t.Fatalf("index not registered: %+v", res.Resources)
	}
	if r.String("accountId") != "acc" || r.String("name") != "dev-dome-notes" || r.Number("dimensions") != 768 || r.String("metric") != "cosine" || !r.Protect {
		t.Fatalf("inputs = %v protect=%v", r.Inputs, r.Protect)
	}
}

func TestNewIndexRequiresArgs(t *testing.T) {
	_, err := mocktest.Run("cloudflare-storage", "dev", func(ctx *pulumi.Context) error {
		_, err := vectorize.NewIndex(ctx, "x", &vectorize.IndexArgs{Name: pulumi.String("x")})
		return err
	}, mocktest.Options{NoStackFile: true})
	if err == nil {
		t.Fatal("missing args accepted")
	}
}
