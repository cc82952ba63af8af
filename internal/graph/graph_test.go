package graph

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// projects is the dependency graph of the repository's projects.
var projects = map[string][]string{
	"cloudflare-storage": nil,
	"cloudflare-workers": {"cloudflare-storage"},
	"dns":                nil,
	"kafka-data-plane":   nil,
	"kafka-integrations": {"kafka-data-plane"},
	"gcp-gmail":          {"kafka-integrations"},
}

// diamond: a feeds b and c, which both feed d.
var diamond = map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}

func mustGraph(t *testing.T, deps map[string][]string) *Graph {
	t.Helper()
	g, err := New(deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

// randomDeps returns a random DAG on n nodes: node i may only read nodes
// with a smaller index, named so that names do not follow that order.
func randomDeps(r *rand.Rand, n int, p float64) map[string][]string {
	names := make([]string, n)
	for i, j := range r.Perm(n) {
		names[i] = fmt.Sprintf("n%02d", j)
	}
	deps := make(map[string][]string, n)
	for i := range n {
		deps[names[i]] = []string{}
		for j := range i {
			if r.Float64() < p {
				deps[names[i]] = append(deps[names[i]], names[j])
			}
		}
	}
	return deps
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		deps map[string][]string
		want string
	}{
		{"unknown upstream", map[string][]string{"a": {"b"}}, `"a" depends on unknown "b" (known: a)`},
		{"self loop", map[string][]string{"a": {"a"}}, "dependency cycle: a → a"},
		{"two cycle", map[string][]string{"a": {"b"}, "b": {"a"}}, "dependency cycle: a → b → a"},
		{"three cycle reads in deps direction", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, "dependency cycle: a → b → c → a"},
		{"cycle rotated to smallest", map[string][]string{"x": nil, "c": {"x", "b"}, "b": {"a"}, "a": {"c"}}, "dependency cycle: a → c → b → a"},
		{"cycle behind a tail", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"c"}}, "dependency cycle: c → d → c"},
		{"empty name", map[string][]string{"": nil}, "empty node name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.deps)
			if err == nil {
				t.Fatalf("New = %v, want error %q", g.Nodes(), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestNewDeduplicatesUpstreams(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a", "a"}})
	if got := g.Upstreams("b"); !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("Upstreams(b) = %v", got)
	}
	if got := g.Downstreams("a"); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("Downstreams(a) = %v", got)
	}
}

func TestEmptyGraph(t *testing.T) {
	g := mustGraph(t, nil)
	if g.Len() != 0 || len(g.Nodes()) != 0 || len(g.TopoSort()) != 0 || g.Width() != 0 {
		t.Fatalf("empty graph not empty: %v %v %d", g.Nodes(), g.TopoSort(), g.Width())
	}
	if p, d := g.CriticalPath(nil); p != nil || d != 0 {
		t.Fatalf("CriticalPath = %v, %v", p, d)
	}
}

func TestAccessors(t *testing.T) {
	g := mustGraph(t, projects)
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"Nodes", g.Nodes(), []string{"cloudflare-storage", "cloudflare-workers", "dns", "gcp-gmail", "kafka-data-plane", "kafka-integrations"}},
		{"Upstreams gcp-gmail", g.Upstreams("gcp-gmail"), []string{"kafka-integrations"}},
		{"Upstreams root", g.Upstreams("dns"), nil},
		{"Downstreams kafka-data-plane", g.Downstreams("kafka-data-plane"), []string{"kafka-integrations"}},
		{"Ancestors gcp-gmail", g.Ancestors("gcp-gmail"), []string{"kafka-data-plane", "kafka-integrations"}},
		{"Descendants kafka-data-plane", g.Descendants("kafka-data-plane"), []string{"gcp-gmail", "kafka-integrations"}},
		{"Descendants leaf", g.Descendants("gcp-gmail"), nil},
		{"Ancestors unknown", g.Ancestors("nope"), nil},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !g.Has("dns") || g.Has("nope") {
		t.Errorf("Has wrong")
	}
	d := mustGraph(t, diamond)
	if got := d.Descendants("a"); !reflect.DeepEqual(got, []string{"b", "c", "d"}) {
		t.Errorf("diamond Descendants(a) = %v", got)
	}
	if got := d.Ancestors("d"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("diamond Ancestors(d) = %v", got)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	g := mustGraph(t, diamond)
	g.Upstreams("d")[0] = "zzz"
	g.Nodes()[0] = "zzz"
	g.Downstreams("a")[0] = "zzz"
	if g.Upstreams("d")[0] != "b" || g.Nodes()[0] != "a" || g.Downstreams("a")[0] != "b" {
		t.Fatal("callers can modify the graph through returned slices")
	}
}

func edges(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes() {
		for _, u := range g.Upstreams(n) {
			out = append(out, u+"->"+n)
		}
	}
	return out
}

func TestRestrict(t *testing.T) {
	g := mustGraph(t, map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}, "d": nil, "e": {"c", "d"}})
	tests := []struct {
		nodes     []string
		wantEdges []string
	}{
		{[]string{"a", "c"}, []string{"a->c"}},
		{[]string{"a", "e"}, []string{"a->e"}},
		{[]string{"a", "b", "e"}, []string{"a->b", "b->e"}},
		{[]string{"d", "e", "a"}, []string{"a->e", "d->e"}},
		{[]string{"b", "d"}, nil},
	}
	for _, tt := range tests {
		if got := edges(g.Restrict(tt.nodes)); !reflect.DeepEqual(got, tt.wantEdges) {
			t.Errorf("Restrict(%v) edges = %v, want %v", tt.nodes, got, tt.wantEdges)
		}
	}
}

// TestRestrictKeepsOrder checks on random graphs that Restrict orders two
// kept nodes exactly when the full graph does.
func TestRestrictKeepsOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		g := mustGraph(t, randomDeps(r, 10, 0.25))
		var keep []string
		for _, n := range g.Nodes() {
			if r.IntN(2) == 0 {
				keep = append(keep, n)
			}
		}
		s := g.Restrict(keep)
		for _, a := range keep {
			want := map[string]bool{}
			for _, d := range g.Descendants(a) {
				want[d] = true
			}
			for _, b := range keep {
				got := contains(s.Descendants(a), b)
				if got != want[b] {
					t.Fatalf("%v: Restrict(%v): %s before %s = %v, full graph says %v", g.DOT(), keep, a, b, got, want[b])
				}
			}
		}
	}
}

func TestReverse(t *testing.T) {
	g := mustGraph(t, projects)
	r := g.Reverse()
	if !reflect.DeepEqual(r.Nodes(), g.Nodes()) {
		t.Fatalf("nodes differ: %v", r.Nodes())
	}
	for _, n := range g.Nodes() {
		if !reflect.DeepEqual(r.Upstreams(n), g.Downstreams(n)) || !reflect.DeepEqual(r.Downstreams(n), g.Upstreams(n)) {
			t.Errorf("%s: reverse up %v down %v, graph up %v down %v", n, r.Upstreams(n), r.Downstreams(n), g.Upstreams(n), g.Downstreams(n))
		}
	}
	want := []string{"cloudflare-workers", "cloudflare-storage", "dns", "gcp-gmail", "kafka-integrations", "kafka-data-plane"}
	if got := r.TopoSort(); !reflect.DeepEqual(got, want) {
		t.Errorf("reverse TopoSort = %v, want %v", got, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
