package graph

import (
	"fmt"
	"strings"
)

// Mermaid draws g as a Mermaid flowchart ("graph LR") with edges
// upstream --> downstream, so the flow reads left to right in deploy order.
// Every node is declared (also one without edges) with its name as the
// label; node IDs are the names made Mermaid-safe. Lines are in sorted
// order, so the text is stable.
func (g *Graph) Mermaid() string {
	ids := g.mermaidIDs()
	var b strings.Builder
	b.WriteString("graph LR\n")
	for _, n := range g.nodes {
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", ids[n], mermaidLabel(n))
	}
	for _, u := range g.nodes {
		for _, d := range g.down[u] {
			fmt.Fprintf(&b, "  %s --> %s\n", ids[u], ids[d])
		}
	}
	return b.String()
}

// mermaidReserved are words Mermaid's flowchart parser treats as keywords.
var mermaidReserved = map[string]bool{
	"end": true, "graph": true, "flowchart": true, "subgraph": true, "style": true,
	"class": true, "classDef": true, "click": true, "linkStyle": true, "direction": true,
}

// mermaidIDs maps every node to a distinct ID made of letters, digits and
// underscores. IDs are handed out in sorted node order, so they are stable.
func (g *Graph) mermaidIDs() map[string]string {
	ids := make(map[string]string, len(g.nodes))
	used := make(map[string]bool, len(g.nodes))
	for _, n := range g.nodes {
		base := strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
				return r
			}
			return '_'
		}, n)
		id := base
		for i := 2; used[id] || mermaidReserved[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		used[id] = true
		ids[n] = id
	}
	return ids
}

// mermaidLabel escapes a label for a quoted Mermaid node text.
func mermaidLabel(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}

// DOT draws g in Graphviz DOT: a digraph laid out left to right with edges
// upstream -> downstream, every node declared, lines in sorted order.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph {\n  rankdir=LR;\n")
	for _, n := range g.nodes {
		fmt.Fprintf(&b, "  %s;\n", dotQuote(n))
	}
	for _, u := range g.nodes {
		for _, d := range g.down[u] {
			fmt.Fprintf(&b, "  %s -> %s;\n", dotQuote(u), dotQuote(d))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote returns s as a DOT quoted ID.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
