package providerserver

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestUnmarshalPairKeepsTheOrderAndSecrets(t *testing.T) {
	olds := resource.PropertyMap{"name": resource.NewStringProperty("old")}
	news := resource.PropertyMap{"name": resource.MakeSecret(resource.NewStringProperty("new"))}
	a, err := Marshal(olds)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(news)
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := UnmarshalPair(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !x.DeepEquals(olds) || !y.DeepEquals(news) {
		t.Fatalf("UnmarshalPair = %v, %v; want %v, %v", x, y, olds, news)
	}
	x, y, err = UnmarshalPair(nil, nil)
	if err != nil || len(x) != 0 || len(y) != 0 || x == nil || y == nil {
		t.Fatalf("UnmarshalPair(nil, nil) = %v, %v, %v; want two empty maps", x, y, err)
	}
}
