package graph

import (
	"fmt"
	"sort"
	"strings"
)

// Graph is an immutable directed acyclic graph of named nodes.
type Graph struct {
	nodes []string            // sorted
	up    map[string][]string // node -> direct upstreams, sorted
	down  map[string][]string // node -> direct downstreams, sorted
}

// New builds a DAG from deps: node -> its direct upstreams (the projects
// whose outputs it reads). Every node must be a key, also one without
// upstreams. An unknown upstream is an error naming it; a cycle is an error
// naming the cycle in the direction of deps, e.g.
// "dependency cycle: a → b → c → a" when a reads b, b reads c and c reads a.
// Duplicate upstreams are ignored.
func New(deps map[string][]string) (*Graph, error) {
	g := &Graph{
		nodes: make([]string, 0, len(deps)),
		up:    make(map[string][]string, len(deps)),
		down:  make(map[string][]string, len(deps)),
	}
	for n := range deps {
		if n == "" {
			return nil, fmt.Errorf("dependency graph: empty node name")
		}
		g.nodes = append(g.nodes, n)
	}
	sort.Strings(g.nodes)
	for _, n := range g.nodes {
		ups := uniqueSorted(deps[n])
		for _, u := range ups {
			if _, ok := deps[u]; !ok {
				return nil, fmt.Errorf("dependency graph: %q depends on unknown %q (known: %s)", n, u, strings.Join(g.nodes, ", "))
			}
			g.down[u] = append(g.down[u], n)
		}
		g.up[n] = ups
	}
	// Downstream lists are built in sorted order of n, so they are sorted.
	if cycle := g.findCycle(); cycle != nil {
		return nil, fmt.Errorf("dependency cycle: %s", strings.Join(cycle, " → "))
	}
	return g, nil
}

// findCycle returns a cycle as a closed path following upstream edges
// (first node repeated at the end), or nil. The search visits nodes in
// sorted order, so the reported cycle is deterministic.
func (g *Graph) findCycle() []string {
	const (
		white = iota // not visited
		grey         // on the current path
		black        // done, on no cycle
	)
	color := make(map[string]int, len(g.nodes))
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		color[n] = grey
		path = append(path, n)
		for _, u := range g.up[n] {
			switch color[u] {
			case grey:
				i := len(path) - 1
				for path[i] != u {
					i--
				}
				cycle := append([]string(nil), path[i:]...)
				return append(cycle, u)
			case white:
				if c := visit(u); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		color[n] = black
		return nil
	}
	for _, n := range g.nodes {
		if color[n] == white {
			if c := visit(n); c != nil {
				return rotateToMin(c)
			}
		}
	}
	return nil
}

// rotateToMin rotates a closed path so that it starts (and ends) at its
// smallest node, so the same cycle always reads the same.
func rotateToMin(closed []string) []string {
	open := closed[:len(closed)-1]
	m := 0
	for i, n := range open {
		if n < open[m] {
			m = i
		}
	}
	out := make([]string, 0, len(closed))
	out = append(out, open[m:]...)
	out = append(out, open[:m]...)
	return append(out, open[m])
}

// Nodes returns every node, sorted.
func (g *Graph) Nodes() []string { return append([]string(nil), g.nodes...) }

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.nodes) }

// Has reports whether n is a node of g.
func (g *Graph) Has(n string) bool {
	_, ok := g.up[n]
	return ok
}

// Upstreams returns the direct upstreams of n (the nodes it reads), sorted.
func (g *Graph) Upstreams(n string) []string { return append([]string(nil), g.up[n]...) }

// Downstreams returns the direct dependents of n (the nodes that read it),
// sorted.
func (g *Graph) Downstreams(n string) []string { return append([]string(nil), g.down[n]...) }

// Ancestors returns the transitive upstreams of n, sorted, without n.
func (g *Graph) Ancestors(n string) []string { return g.reach(n, g.up) }

// Descendants returns the transitive dependents of n, sorted, without n.
func (g *Graph) Descendants(n string) []string { return g.reach(n, g.down) }

// reach returns the nodes reachable from n through edges, sorted, without n.
func (g *Graph) reach(n string, edges map[string][]string) []string {
	seen := map[string]bool{n: true}
	stack := []string{n}
	var out []string
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, next := range edges[cur] {
			if !seen[next] {
				seen[next] = true
				out = append(out, next)
				stack = append(stack, next)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Restrict returns the graph on those of nodes that are in g where u is an
// upstream of n whenever g orders them, directly or through left-out nodes
// (with a → b → c, Restrict({a, c}) has the edge a → c). Running a
// selection on Restrict keeps every order the full graph implies.
func (g *Graph) Restrict(nodes []string) *Graph {
	keep := g.keep(nodes)
	deps := make(map[string][]string, len(keep))
	for n := range keep {
		// Walk upstream through left-out nodes, stopping at kept ones.
		seen := map[string]bool{n: true}
		stack := append([]string(nil), g.up[n]...)
		var ups []string
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[u] {
				continue
			}
			seen[u] = true
			if keep[u] {
				ups = append(ups, u)
				continue
			}
			stack = append(stack, g.up[u]...)
		}
		deps[n] = ups
	}
	return mustNew(deps)
}

func (g *Graph) keep(nodes []string) map[string]bool {
	keep := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		if g.Has(n) {
			keep[n] = true
		}
	}
	return keep
}

// Reverse returns g with every edge flipped: a node's upstreams become its
// dependents. Walking the reverse runs dependents first, as destroy must.
func (g *Graph) Reverse() *Graph {
	deps := make(map[string][]string, len(g.nodes))
	for _, n := range g.nodes {
		deps[n] = g.down[n]
	}
	return mustNew(deps)
}

// mustNew builds a graph from deps known to be acyclic and closed (derived
// from a valid graph).
func mustNew(deps map[string][]string) *Graph {
	g, err := New(deps)
	if err != nil {
		panic("graph: derived graph is invalid: " + err.Error())
	}
	return g
}

func uniqueSorted(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}
