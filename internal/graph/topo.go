package graph

import (
	"container/heap"
	"sort"
)

// TopoSort returns every node, upstreams before their dependents. Among the
// nodes whose upstreams are all placed, the smallest name comes first (Kahn's
// algorithm with a sorted ready set), so the order is deterministic.
func (g *Graph) TopoSort() []string {
	waiting := make(map[string]int, len(g.nodes))
	ready := &stringHeap{}
	for _, n := range g.nodes {
		waiting[n] = len(g.up[n])
		if waiting[n] == 0 {
			heap.Push(ready, n)
		}
	}
	out := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(string)
		out = append(out, n)
		for _, d := range g.down[n] {
			waiting[d]--
			if waiting[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	return out
}

// Levels groups the nodes by depth: level 0 holds the nodes without
// upstreams, level k the nodes whose deepest upstream is on level k-1. Every
// node of a level can run as soon as the levels before it are done. Each
// level is sorted; an empty graph has no levels.
func (g *Graph) Levels() [][]string {
	depth := make(map[string]int, len(g.nodes))
	var levels [][]string
	for _, n := range g.TopoSort() {
		d := 0
		for _, u := range g.up[n] {
			d = max(d, depth[u]+1)
		}
		depth[n] = d
		if d == len(levels) {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], n)
	}
	for _, l := range levels {
		sort.Strings(l)
	}
	return levels
}

// stringHeap is a min-heap of strings.
type stringHeap []string

func (h stringHeap) Len() int           { return len(h) }
func (h stringHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h stringHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *stringHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *stringHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
