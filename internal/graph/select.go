package graph

import (
	"fmt"
	"strings"
)

// Mode says which related nodes a selection drags in.
type Mode int

const (
	// Alone selects only the named nodes.
	Alone Mode = iota
	// WithUpstreams adds every transitive upstream of the named nodes: what
	// must exist before they can run (first deploy of an environment).
	WithUpstreams
	// WithDependents adds every transitive dependent of the named nodes:
	// what reads their outputs and may need to follow a change.
	WithDependents
)

var modeNames = []string{"alone", "upstreams", "dependents"}

// ParseMode parses "alone", "upstreams" or "dependents".
func ParseMode(s string) (Mode, error) {
	for i, name := range modeNames {
		if s == name {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown selection mode %q: use one of %s", s, strings.Join(modeNames, ", "))
}

// String returns the name ParseMode accepts.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Select returns the named nodes plus, per mode, their transitive upstreams
// or dependents, each once, in topological order (TopoSort of g). An unknown
// name is an error listing the valid ones; so is an unknown mode. No names
// select nothing.
func (g *Graph) Select(names []string, mode Mode) ([]string, error) {
	if mode < Alone || mode > WithDependents {
		return nil, fmt.Errorf("unknown selection mode %v: use one of %s", mode, strings.Join(modeNames, ", "))
	}
	picked := make(map[string]bool, len(names))
	var unknown []string
	for _, n := range names {
		if !g.Has(n) {
			unknown = append(unknown, fmt.Sprintf("%q", n))
			continue
		}
		picked[n] = true
		switch mode {
		case WithUpstreams:
			for _, a := range g.Ancestors(n) {
				picked[a] = true
			}
		case WithDependents:
			for _, d := range g.Descendants(n) {
				picked[d] = true
			}
		}
	}
	if len(unknown) > 0 {
		noun := "project"
		if len(unknown) > 1 {
			noun = "projects"
		}
		return nil, fmt.Errorf("unknown %s %s: valid names are %s", noun, strings.Join(unknown, ", "), strings.Join(g.nodes, ", "))
	}
	var out []string
	for _, n := range g.TopoSort() {
		if picked[n] {
			out = append(out, n)
		}
	}
	return out, nil
}
