package graph

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestTopoSort(t *testing.T) {
	tests := []struct {
		name string
		deps map[string][]string
		want []string
	}{
		{"projects", projects, []string{"cloudflare-storage", "cloudflare-workers", "dns", "kafka-data-plane", "kafka-integrations", "gcp-gmail"}},
		{"diamond", diamond, []string{"a", "b", "c", "d"}},
		{"names against the order", map[string][]string{"z": nil, "a": {"z"}, "m": {"a"}}, []string{"z", "a", "m"}},
		{"smallest ready first", map[string][]string{"b": nil, "a": {"c"}, "c": nil}, []string{"b", "c", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustGraph(t, tt.deps).TopoSort(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("TopoSort = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTopoSortRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		g := mustGraph(t, randomDeps(r, 12, 0.3))
		order := g.TopoSort()
		if len(order) != g.Len() {
			t.Fatalf("TopoSort has %d nodes, graph %d", len(order), g.Len())
		}
		pos := map[string]int{}
		for i, n := range order {
			pos[n] = i
		}
		for _, n := range order {
			for _, u := range g.Upstreams(n) {
				if pos[u] >= pos[n] {
					t.Fatalf("%s placed before its upstream %s: %v", n, u, order)
				}
			}
		}
	}
}
