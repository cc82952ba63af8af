package orchestrate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/engine/runner"
	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/contracts"
)

// Inventory tells which stacks of the environment exist and hold resources.
type Inventory interface {
	Exists(project string) bool
	Deployed(project string) bool
}

// Selection says which projects an operation covers.
type Selection struct {
	// Projects named explicitly; empty means every project.
	Projects []string
	// Mode adds upstreams or dependents of the named projects.
	Mode graph.Mode
	// Affected, when set, replaces Projects: the projects affected since a
	// git ref (already resolved, including dependents).
	Affected []string
	// AffectedBase is the ref Affected was computed from, for messages.
	AffectedBase string
}

// Plan is a checked, ordered set of tasks.
type Plan struct {
	Env   string
	Op    runner.Op
	Graph *graph.Graph // the subgraph walked; reversed for destroy
	Order []string     // display order
	Tasks map[string]runner.Task
}

// Preflight errors are returned before anything runs.
type PreflightError struct{ Msg string }

func (e *PreflightError) Error() string { return e.Msg }

func preflight(format string, args ...any) error {
	return &PreflightError{Msg: fmt.Sprintf(format, args...)}
}

// MakePlan selects the projects and checks the operation against the
// inventory: an upstream stack that a deploy needs but that does not exist
// fails here, naming it; a destroy that would leave a live downstream stack
// outside the selection reading missing outputs is refused, naming it;
// destroying prod needs confirm == "prod".
func MakePlan(env string, op runner.Op, g *graph.Graph, sel Selection, inv Inventory, confirm string) (*Plan, error) {
	names, err := Selected(g, sel)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return &Plan{Env: env, Op: op, Graph: g.Restrict(nil), Tasks: map[string]runner.Task{}}, nil
	}
	sub := g.Restrict(names)
	selected := map[string]bool{}
	for _, n := range names {
		selected[n] = true
	}

	if err := confirmDestroy(env, op, confirm); err != nil {
		return nil, err
	}
	if op == runner.Destroy {
		var live []string
		for _, n := range names {
			for _, d := range g.Downstreams(n) {
				if !selected[d] && inv.Deployed(d) {
					live = append(live, fmt.Sprintf("%s (reads %s)", contracts.StackName("organization", d, env), n))
				}
			}
		}
		if len(live) > 0 {
			sort.Strings(live)
			return nil, preflight("refusing to destroy: live downstream stack(s) outside the selection still read these outputs: %s; destroy them first or add with=dependents", strings.Join(uniq(live), ", "))
		}
	}
	if op == runner.Deploy || op == runner.Drift {
		var missing []string
		for _, n := range names {
			for _, u := range g.Upstreams(n) {
				if !selected[u] && !inv.Deployed(u) {
					missing = append(missing, fmt.Sprintf("%s (needed by %s)", contracts.StackName("organization", u, env), n))
				}
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return nil, preflight("upstream stack(s) not deployed in %s: %s; deploy them first (go run mage.go deploy:project env=%s project=<name>) or add with=upstreams", env, strings.Join(uniq(missing), ", "), env)
		}
	}

	p := &Plan{Env: env, Op: op, Graph: sub, Order: sub.TopoSort(), Tasks: map[string]runner.Task{}}
	if op == runner.Destroy {
		p.Graph = sub.Reverse()
		p.Order = p.Graph.TopoSort()
	}
	for _, n := range names {
		t := runner.Task{Project: n, Op: op, Exists: inv.Exists(n)}
		if op == runner.Preview {
			for _, u := range g.Upstreams(n) {
				if !inv.Deployed(u) {
					t.Placeholders = append(t.Placeholders, u)
				}
			}
		}
		p.Tasks[n] = t
	}
	return p, nil
}

// confirmDestroy refuses to destroy prod without confirm=prod.
func confirmDestroy(env string, op runner.Op, confirm string) error {
	if op == runner.Destroy && env == "prod" && confirm != "prod" {
		return preflight("destroying in prod needs explicit confirmation: add confirm=prod")
	}
	return nil
}

// Selected returns the projects a selection covers, in topological order.
func Selected(g *graph.Graph, sel Selection) ([]string, error) {
	switch {
	case sel.AffectedBase != "":
		return g.Restrict(sel.Affected).TopoSort(), nil
	case len(sel.Projects) == 0:
		return g.TopoSort(), nil
	}
	names, err := g.Select(sel.Projects, sel.Mode)
	if err != nil {
		return nil, preflight("%v", err)
	}
	return names, nil
}

func uniq(in []string) []string {
	var out []string
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}
