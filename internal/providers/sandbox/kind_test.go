package sandbox

import (
	"testing"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// TestNestedRequired covers the nested paths of field.nested: object
// keys, keys of optional sub-objects, list elements, unknown values.
func TestNestedRequired(t *testing.T) {
	k := &kind{token: "test:index:T", fields: map[string]field{
		"obs":   {typ: tObject, nested: []string{"enabled", "logs.enabled"}},
		"items": {typ: tArray, nested: []string{"[].name", "[].limits[].max"}},
	}}
	cases := []struct {
		name  string
		props resource.PropertyMap
		want  []string
	}{
		{"absent parents", pm(map[string]any{}), nil},
		{"missing key", pm(map[string]any{"obs": map[string]any{}}), []string{"obs.enabled"}},
		{"missing in sub-object", pm(map[string]any{"obs": map[string]any{"enabled": true, "logs": map[string]any{}}}), []string{"obs.logs.enabled"}},
		{"list elements", pm(map[string]any{"items": []any{map[string]any{"name": "a"}, map[string]any{"limits": []any{map[string]any{}}}}}), []string{"items[1].name", "items[1].limits[0].max"}},
		{"unknown parent", resource.PropertyMap{"obs": resource.MakeComputed(resource.NewStringProperty(""))}, nil},
		{"unknown key", resource.PropertyMap{"obs": resource.NewObjectProperty(resource.PropertyMap{"enabled": resource.MakeComputed(resource.NewStringProperty(""))})}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := &checker{k: k, news: c.props}
			k.runCheck(ch)
			var got []string
			for _, f := range ch.failures {
				got = append(got, f.GetProperty())
			}
			if len(got) != len(c.want) {
				t.Fatalf("failures on %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("failures on %v, want %v", got, c.want)
				}
			}
		})
	}
}

// TestLookupSkeleton covers the generic import and state lookups.
func TestLookupSkeleton(t *testing.T) {
	st := &state{Objects: []*Object{
		{Type: D1DatabaseType, Key: "u-1", ID: "u-1", Props: map[string]any{"accountId": acc}},
		{Type: QueueConsumerType, Key: "c-1", ID: acc, Props: map[string]any{"consumerId": "c-1"}},
	}}
	d1, consumer := kinds[D1DatabaseType], kinds[QueueConsumerType]
	cfg := providerserver.Config{}
	if o, err := d1.lookup(st, acc+"/u-1", nil, cfg); err != nil || o == nil {
		t.Errorf("import <account>/<id>: %v %v", o, err)
	}
	if o, _ := d1.lookup(st, "10ca1000000000000000000000000009/u-1", nil, cfg); o != nil {
		t.Error("an import in another account found the database")
	}
	if o, _ := d1.lookup(st, "u-1", nil, cfg); o == nil {
		t.Error("a bare ID did not find the database")
	}
	if _, err := d1.lookup(st, "a/b/c", nil, cfg); err == nil {
		t.Error("a three-part import ID was accepted")
	}
	if o, _ := consumer.lookup(st, acc, map[string]any{"consumerId": "c-1"}, cfg); o == nil {
		t.Error("the consumer was not found by its state")
	}
	if _, err := consumer.lookup(st, acc, nil, cfg); err == nil {
		t.Error("importing a consumer succeeded")
	}
}
