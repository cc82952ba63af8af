package graph

import "time"

// CriticalPath returns the slowest chain of g — the dependency chain whose
// summed cost is the largest, upstream first — and that sum. No schedule can
// finish faster than it, however many nodes run at once. A nil cost counts
// every node as one nanosecond, which makes the result the longest chain by
// node count. Ties go to the chain that comes first in topological order, so
// the result is deterministic. An empty graph returns nil and 0.
func (g *Graph) CriticalPath(cost func(string) time.Duration) ([]string, time.Duration) {
	if cost == nil {
		cost = func(string) time.Duration { return 1 }
	}
	total := make(map[string]time.Duration, len(g.nodes))
	via := make(map[string]string, len(g.nodes)) // slowest upstream
	var end string
	for _, n := range g.TopoSort() {
		var best time.Duration
		prev, found := "", false
		for _, u := range g.up[n] { // sorted: the first of equals wins
			if !found || total[u] > best {
				best, prev, found = total[u], u, true
			}
		}
		total[n] = best + cost(n)
		if found {
			via[n] = prev
		}
		if end == "" || total[n] > total[end] {
			end = n
		}
	}
	if end == "" {
		return nil, 0
	}
	var path []string
	for n, ok := end, true; ok; n, ok = via[n] {
		path = append(path, n)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, total[end]
}
