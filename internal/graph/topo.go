package graph

import (
	"container/heap"
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
