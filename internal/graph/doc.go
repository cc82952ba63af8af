// Package graph is the dependency graph of the Pulumi projects: a directed
// acyclic graph whose edges run from a project to the projects whose outputs
// it reads (its upstreams). It answers the questions the orchestrator asks
// before running anything — in which order, how many at once, which projects
// a selection drags in — and draws itself for reports.
//
// New takes each node's direct upstreams; Projects builds the repository's
// graph from the upstreams each project declares in shared/contracts
// (contracts.Dependencies), so adding a project there is all the order,
// parallelism and selection need. Every node must be a key. An unknown
// upstream is an error naming it and the known nodes; a cycle is an error
// naming the whole cycle in the direction of the declarations, rotated to
// start at its smallest node: "dependency cycle: a → b → c → a" (a reads b,
// b reads c, c reads a). Nothing runs on a graph that does not build.
//
// Every method is deterministic: node lists are sorted copies or a stable
// topological order, so plans, reports and tests never depend on map order.
// A Graph is immutable after New and safe for concurrent use.
//
//   - TopoSort is Kahn's algorithm with a sorted ready set: among the nodes
//     whose upstreams are placed, the smallest name comes first.
//   - Width is the size of the largest antichain, the most nodes that can
//     ever run at once (Dilworth: the node count minus a maximum matching on
//     the transitive closure), not the size of the largest level, which
//     under-counts when a long chain runs beside short ones. It is O(n·e) on
//     the closure: trivial for tens of projects. The orchestrator uses it
//     as the default parallelism.
//   - CriticalPath(cost) is the slowest chain by summed cost (e.g. the last
//     run's durations): no degree of parallelism finishes faster.
//   - Restrict keeps a subset of the nodes with an edge wherever the full
//     graph orders two kept nodes, directly or through left-out ones, so a
//     partial run still runs c after a when a → b → c and b is not selected.
//     Reverse flips every edge: destroy walks the reverse, dependents first.
//   - Mermaid ("graph LR", upstream --> downstream, every node declared with
//     its name as the label, IDs made Mermaid-safe and distinct) and DOT
//     render in sorted order (`infra graph`).
//
// Select is how people choose projects. ParseMode accepts exactly "alone"
// (the named projects only: a quick iteration on a project whose upstreams
// are deployed), "upstreams" (plus every transitive upstream: what a first
// deploy of an environment needs) and "dependents" (plus every transitive
// dependent: what a change's consumers need; affected selections follow the
// same rule). The result is in topological order, each project once. An
// unknown name is an error listing every valid name, so nothing runs on a
// typo; no names select nothing, and callers decide whether that means all.
// A selection is run on Restrict(selection), never on the induced subgraph,
// which would drop orderings through unselected projects. The graph does
// not check that the upstream stacks of an "alone" selection exist; the
// orchestrator's plan does before a deploy or drift check (a preview reads
// placeholder outputs instead).
package graph
