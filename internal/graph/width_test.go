package graph

import (
	"math/bits"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		name string
		deps map[string][]string
		want int
		// wantChain, when set, is the antichain expected from maxAntichain.
		wantChain []string
	}{
		{"single", map[string][]string{"a": nil}, 1, []string{"a"}},
		{"chain", map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}}, 1, nil},
		{"independent", map[string][]string{"a": nil, "b": nil, "c": nil}, 3, []string{"a", "b", "c"}},
		{"diamond", diamond, 2, []string{"b", "c"}},
		{"projects", projects, 3, nil},
		// No level holds more than 2 nodes, but a1 can run with b2 and c2.
		{"antichain across levels", map[string][]string{"r": nil, "a1": {"r"}, "b1": {"r"}, "b2": {"b1"}, "c2": {"b1"}}, 3, []string{"a1", "b2", "c2"}},
		// Four leaves under one root.
		{"fan out", map[string][]string{"r": nil, "a": {"r"}, "b": {"r"}, "c": {"r"}, "d": {"r"}}, 4, []string{"a", "b", "c", "d"}},
		// c and d share upstream a, d also reads b; e joins them.
		{"zig zag", map[string][]string{"a": nil, "b": nil, "c": {"a"}, "d": {"a", "b"}, "e": {"c", "d"}}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustGraph(t, tt.deps)
			if got := g.Width(); got != tt.want {
				t.Errorf("Width = %d, want %d", got, tt.want)
			}
			ac := g.maxAntichain()
			if len(ac) != tt.want {
				t.Errorf("maxAntichain = %v, want %d nodes", ac, tt.want)
			}
			if tt.wantChain != nil && !reflect.DeepEqual(ac, tt.wantChain) {
				t.Errorf("maxAntichain = %v, want %v", ac, tt.wantChain)
			}
			assertAntichain(t, g, ac)
		})
	}
}

func assertAntichain(t *testing.T, g *Graph, ac []string) {
	t.Helper()
	for _, a := range ac {
		for _, d := range g.Descendants(a) {
			if contains(ac, d) {
				t.Fatalf("%v is no antichain: %s depends on %s", ac, d, a)
			}
		}
	}
}

// bruteWidth tries every subset of the nodes.
func bruteWidth(g *Graph) int {
	nodes := g.Nodes()
	idx := map[string]int{}
	for i, n := range nodes {
		idx[n] = i
	}
	below := make([]uint32, len(nodes)) // bit set of descendants
	for i, n := range nodes {
		for _, d := range g.Descendants(n) {
			below[i] |= 1 << idx[d]
		}
	}
	best := 0
	for set := uint32(0); set < 1<<len(nodes); set++ {
		ok := true
		for i := range nodes {
			if set&(1<<i) != 0 && below[i]&set != 0 {
				ok = false
				break
			}
		}
		if ok {
			best = max(best, bits.OnesCount32(set))
		}
	}
	return best
}

func TestWidthMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		n := 1 + r.IntN(11)
		g := mustGraph(t, randomDeps(r, n, []float64{0.1, 0.25, 0.5}[i%3]))
		want := bruteWidth(g)
		if got := g.Width(); got != want {
			t.Fatalf("%sWidth = %d, brute force %d", g.DOT(), got, want)
		}
		assertAntichain(t, g, g.maxAntichain())
	}
}
