package graph

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

func TestHeightsCountTheLongestChainOfDependents(t *testing.T) {
	g := mustNew(map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}, "d": {"a"}, "e": nil})
	want := map[string]int{"a": 3, "b": 2, "c": 1, "d": 1, "e": 1}
	if got := g.Heights(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Heights = %v, want %v", got, want)
	}
}

func TestCriticalFirstPutsTheLongestChainFirstTiesInTopoOrder(t *testing.T) {
	// The repository's shape: one chain of three, one of two, one alone.
	g := mustNew(map[string][]string{
		"cloudflare-storage": nil, "cloudflare-workers": {"cloudflare-storage"}, "dns": nil,
		"kafka-data-plane": nil, "kafka-integrations": {"kafka-data-plane"}, "gcp-gmail": {"kafka-integrations"},
	})
	want := []string{"kafka-data-plane", "cloudflare-storage", "kafka-integrations", "cloudflare-workers", "dns", "gcp-gmail"}
	if got := g.CriticalFirst(); !reflect.DeepEqual(got, want) {
		t.Fatalf("CriticalFirst = %v, want %v", got, want)
	}
}

func TestCriticalFirstRanksEveryUpstreamAboveItsDependents(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		g := randomGraph(seed)
		rank := map[string]int{}
		for i, n := range g.CriticalFirst() {
			rank[n] = i
		}
		if len(rank) != g.Len() {
			t.Fatalf("seed %d: CriticalFirst has %d of %d nodes", seed, len(rank), g.Len())
		}
		for _, n := range g.Nodes() {
			for _, u := range g.Upstreams(n) {
				if rank[u] > rank[n] {
					t.Fatalf("seed %d: %s ranks before its upstream %s", seed, n, u)
				}
			}
		}
	}
}

// randomGraph returns a random DAG of 2–12 nodes: edges only go from a
// node to one with a smaller index.
func randomGraph(seed int64) *Graph {
	r := rand.New(rand.NewSource(seed))
	n := 2 + r.Intn(11)
	deps := map[string][]string{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("n%02d", i)
		deps[name] = nil
		for j := 0; j < i; j++ {
			if r.Intn(3) == 0 {
				deps[name] = append(deps[name], fmt.Sprintf("n%02d", j))
			}
		}
	}
	return mustNew(deps)
}
