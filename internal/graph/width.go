package graph

import "sort"

// Width returns the size of the largest antichain of g: the most nodes no
// two of which depend on each other, directly or transitively — the most
// that can ever run at once. By Dilworth's theorem it equals the node count
// minus a maximum matching of the bipartite graph of the transitive closure.
// An empty graph has width 0.
func (g *Graph) Width() int {
	return len(g.maxAntichain())
}

// maxAntichain returns one largest antichain of g (see Width), sorted. It is
// built from the maximum matching by König's theorem, so it is deterministic.
func (g *Graph) maxAntichain() []string {
	n := len(g.nodes)
	if n == 0 {
		return nil
	}
	idx := make(map[string]int, n)
	for i, name := range g.nodes {
		idx[name] = i
	}
	// adj[u] lists the right-hand copies of every transitive dependent of u.
	adj := make([][]int, n)
	for i, name := range g.nodes {
		for _, d := range g.Descendants(name) {
			adj[i] = append(adj[i], idx[d])
		}
	}
	matchL := make([]int, n) // left u -> right v, or -1
	matchR := make([]int, n) // right v -> left u, or -1
	for i := range n {
		matchL[i], matchR[i] = -1, -1
	}
	var augment func(u int, seen []bool) bool
	augment = func(u int, seen []bool) bool {
		for _, v := range adj[u] {
			if seen[v] {
				continue
			}
			seen[v] = true
			if matchR[v] < 0 || augment(matchR[v], seen) {
				matchL[u], matchR[v] = v, u
				return true
			}
		}
		return false
	}
	for u := range n {
		augment(u, make([]bool, n))
	}
	// König: Z is everything reachable from unmatched left vertices by
	// alternating paths (left→right on any edge, right→left on matched ones).
	inZL := make([]bool, n)
	inZR := make([]bool, n)
	var stack []int
	for u := range n {
		if matchL[u] < 0 {
			inZL[u] = true
			stack = append(stack, u)
		}
	}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, v := range adj[u] {
			if inZR[v] || matchL[u] == v {
				continue
			}
			inZR[v] = true
			if w := matchR[v]; w >= 0 && !inZL[w] {
				inZL[w] = true
				stack = append(stack, w)
			}
		}
	}
	// The maximum independent set is ZL ∪ (R \ ZR); the nodes with both
	// copies in it form a largest antichain.
	var out []string
	for i, name := range g.nodes {
		if inZL[i] && !inZR[i] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
