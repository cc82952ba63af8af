package topology

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestDeclaredTopologyIsValid(t *testing.T) {
	if err := Validate(Workers, Queues, Storage); err != nil {
		t.Fatal(err)
	}
	names := Names()
	sort.Strings(names)
	if want := []string{AIProcessor, Constellation, DomeAPI, DomeCron, DomeNotify, Silo}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Workers = %v", names)
	}
}

func TestProducers(t *testing.T) {
	got := Producers()
	for _, p := range got {
		sort.Strings(p)
	}
	want := map[string][]string{
		NewContentConstellation: {Silo},
		NewContentAI:            {Silo},
		ContentEvents:           {ExternalProducers[ContentEvents]},
		EnrichedContent:         {AIProcessor},
		DomeEvents:              {AIProcessor, Constellation, DomeCron, Silo},
		EmbedDeadLetter:         {Constellation},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Producers = %v", got)
	}
}

func TestValidateRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers []Worker
		want    string
	}{
		{"service to a later Worker", []Worker{
			{Name: "a", Bindings: []Binding{{"B", Service, "b"}}},
			{Name: "b"},
		}, `worker a binding B: service "b" is not a Worker declared before a`},
		{"service cycle", []Worker{
			{Name: "a", Bindings: []Binding{{"B", Service, "b"}}},
			{Name: "b", Bindings: []Binding{{"A", Service, "a"}}},
		}, `worker a binding B: service "b" is not a Worker declared before a`},
		{"unknown queue", []Worker{{Name: "a", Bindings: []Binding{{"Q", Queue, "nope"}}}}, `worker a binding Q: unknown queue "nope"`},
		{"unknown database", []Worker{{Name: "a", Bindings: []Binding{{"DB", D1, "nope"}}}}, `worker a binding DB: unknown d1 "nope"`},
		{"unknown bucket", []Worker{{Name: "a", Bindings: []Binding{{"B", R2, "nope"}}}}, `worker a binding B: unknown r2_bucket "nope"`},
		{"unknown index", []Worker{{Name: "a", Bindings: []Binding{{"V", Vectorize, "nope"}}}}, `worker a binding V: unknown vectorize "nope"`},
		{"AI with a target", []Worker{{Name: "a", Bindings: []Binding{{"AI", AI, "x"}}}}, "worker a binding AI: a Workers AI binding has no target"},
		{"duplicate binding", []Worker{{Name: "a", Bindings: []Binding{{"AI", AI, ""}, {"AI", AI, ""}}}}, "worker a binding AI: declared twice"},
		{"lower-case binding", []Worker{{Name: "a", Bindings: []Binding{{"ai", AI, ""}}}}, "worker a binding ai: binding names are upper-case identifiers"},
		{"unknown kind", []Worker{{Name: "a", Bindings: []Binding{{"KV", "kv_namespace", "x"}}}}, `worker a binding KV: unknown kind "kv_namespace"`},
		{"duplicate Worker", []Worker{{Name: "a"}, {Name: "a"}}, "worker a is declared twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.workers, Queues, Storage)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
