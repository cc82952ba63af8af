package graph

import "sort"

// Heights returns, for every node, the number of nodes on its longest chain
// of dependents, itself included: a node nothing depends on has height 1.
func (g *Graph) Heights() map[string]int {
	h := make(map[string]int, len(g.nodes))
	order := g.TopoSort()
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		h[n] = 1
		for _, d := range g.down[n] {
			h[n] = max(h[n], h[d]+1)
		}
	}
	return h
}

// CriticalFirst returns the nodes in the order a bounded walk prefers them
// when several are ready: the one heading the longest chain of dependents
// first, so that the slowest chain starts first and its dependents can
// start early beside it; ties in TopoSort order. It is a priority, not a
// topological order.
func (g *Graph) CriticalFirst() []string {
	h := g.Heights()
	order := g.TopoSort()
	pos := make(map[string]int, len(order))
	for i, n := range order {
		pos[n] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		if h[order[i]] != h[order[j]] {
			return h[order[i]] > h[order[j]]
		}
		return pos[order[i]] < pos[order[j]]
	})
	return order
}
