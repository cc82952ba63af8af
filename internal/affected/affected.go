package affected

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/yamlfile"
)

// Selection is the set of projects a change affects.
type Selection struct {
	// Projects are the affected projects in topological order, including
	// every transitive dependent of a changed project.
	Projects []string
	// Reasons says, for each selected project, why it is selected, e.g.
	// "changed projects/dns/Pulumi.staging.yaml",
	// "imports github.com/clustera/infra/shared/topics (changed shared/topics/load.go)",
	// "depends on kafka-data-plane".
	Reasons map[string][]string
}

// Affected maps changed files (relative to root, slash-separated) to the
// projects of g they affect in environment env, then adds every transitive
// dependent:
//
//   - a file under projects/<p>/ counts for p, except a Pulumi.<stack>.yaml
//     of another stack than env;
//   - a Go file of a workspace module (shared/, another project, ...)
//     counts for every project whose import graph (`go list -deps`, run in
//     each project's module within the workspace) holds its package; so does
//     a file a package of that graph embeds, and a deleted non-Go file under
//     such a package (it may have been embedded);
//   - the go.mod or go.sum of a workspace module counts for every project
//     that imports a package of that module;
//   - go.work and go.work.sum count for every project (every project builds
//     in the workspace);
//   - environments/<env>.yaml, and the file of every environment env
//     extends, counts for every project;
//   - anything else (docs, the orchestrator, the magefile, policies, other
//     environments) counts for nothing.
//
// The go command runs only when some file could be part of a project's
// import graph: a .go, go.mod or go.sum file, or any file inside a
// workspace module other than the root module (projects never import the
// root module).
func Affected(ctx context.Context, root string, g *graph.Graph, env string, files []string) (*Selection, error) {
	if _, err := environment.KindOf(env); err != nil {
		return nil, fmt.Errorf("affected projects: %w", err)
	}
	envs, err := envChain(root, env)
	if err != nil {
		return nil, fmt.Errorf("affected projects: %w", err)
	}
	s := newSelector(g)
	var rest []string
	for _, f := range cleanFiles(files) {
		switch {
		case projectOf(f) != "":
			p := projectOf(f)
			if !g.Has(p) {
				rest = append(rest, f)
				continue
			}
			if st, ok := stackConfig(f); ok && st != env {
				continue // another stack's configuration
			}
			s.add(p, "changed "+f)
			rest = append(rest, f) // other projects may import its packages
		case f == "go.work" || f == "go.work.sum":
			for _, p := range g.Nodes() {
				s.add(p, "changed "+f+" (the workspace every project builds in)")
			}
		case strings.HasPrefix(f, "environments/"):
			name, ok := envFile(f)
			if !ok {
				continue
			}
			for _, e := range envs {
				if e != name {
					continue
				}
				why := "changed " + f
				if name != env {
					why += fmt.Sprintf(" (%s extends %s)", env, name)
				}
				for _, p := range g.Nodes() {
					s.add(p, why)
				}
			}
		default:
			rest = append(rest, f)
		}
	}
	if err := s.imports(ctx, root, rest); err != nil {
		return nil, fmt.Errorf("affected projects: %w", err)
	}
	return s.selection(), nil
}

// cleanFiles drops empty names and duplicates, cleans the paths (a leading
// "./" goes), and sorts.
func cleanFiles(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		f = path.Clean(f)
		if f == "." || f == "" || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// projectOf returns p for a file under projects/<p>/, or "".
func projectOf(f string) string {
	rest, ok := strings.CutPrefix(f, "projects/")
	if !ok {
		return ""
	}
	p, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return p
}

// stackConfig returns the stack of projects/<p>/Pulumi.<stack>.yaml (or
// .yml).
func stackConfig(f string) (string, bool) {
	parts := strings.Split(f, "/")
	if len(parts) != 3 {
		return "", false
	}
	name := parts[2]
	for _, ext := range []string{".yaml", ".yml"} {
		if st, ok := strings.CutSuffix(name, ext); ok {
			if st, ok = strings.CutPrefix(st, "Pulumi."); ok && st != "" {
				return st, true
			}
		}
	}
	return "", false
}

// envFile returns the environment of environments/<name>.yaml.
func envFile(f string) (string, bool) {
	name, ok := strings.CutPrefix(f, "environments/")
	if !ok || strings.Contains(name, "/") {
		return "", false
	}
	name, ok = strings.CutSuffix(name, ".yaml")
	return name, ok && name != ""
}

// envChain returns env and every environment it extends, nearest first. An
// environment file that does not exist ends the chain: a new environment
// has no base to follow yet.
func envChain(root, env string) ([]string, error) {
	var chain []string
	seen := map[string]bool{}
	for name := env; name != ""; {
		if seen[name] {
			return nil, fmt.Errorf("environments: extends cycle: %s → %s", strings.Join(chain, " → "), name)
		}
		seen[name] = true
		chain = append(chain, name)
		file := layout.EnvironmentFile(root, name)
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			break
		}
		var s environment.Settings
		if err := yamlfile.Read(file, layout.Rel(root, file), &s); err != nil {
			return nil, fmt.Errorf("environment %q: %w", name, err)
		}
		name = s.Extends
	}
	return chain, nil
}

// selector collects the projects selected directly and why.
type selector struct {
	g       *graph.Graph
	reasons map[string][]string
	seen    map[string]bool // project + "\x00" + reason
}

func newSelector(g *graph.Graph) *selector {
	return &selector{g: g, reasons: map[string][]string{}, seen: map[string]bool{}}
}

func (s *selector) add(p, why string) {
	if key := p + "\x00" + why; !s.seen[key] {
		s.seen[key] = true
		s.reasons[p] = append(s.reasons[p], why)
	}
}

// selection adds the dependents of every directly selected project and
// returns the result.
func (s *selector) selection() *Selection {
	direct := make([]string, 0, len(s.reasons))
	for p := range s.reasons {
		direct = append(direct, p)
	}
	out := &Selection{Reasons: map[string][]string{}}
	for p, r := range s.reasons {
		out.Reasons[p] = append([]string(nil), r...)
	}
	order := s.g.TopoSort()
	isDirect := map[string]bool{}
	for _, p := range direct {
		isDirect[p] = true
	}
	// Upstreams in topological order, so a dependent's reasons read in
	// deploy order.
	for _, u := range order {
		if !isDirect[u] {
			continue
		}
		for _, d := range s.g.Descendants(u) {
			out.Reasons[d] = append(out.Reasons[d], dependsOn(s.g, u, d))
		}
	}
	for _, p := range order {
		if _, ok := out.Reasons[p]; ok {
			out.Projects = append(out.Projects, p)
		}
	}
	return out
}

// dependsOn explains why d follows u: "depends on u", or
// "depends on u (through a, b)" when it reads u only indirectly.
func dependsOn(g *graph.Graph, u, d string) string {
	// Shortest path from u down to d; neighbours in sorted order keep it
	// deterministic.
	prev := map[string]string{u: ""}
	queue := []string{u}
	for len(queue) > 0 && prev[d] == "" {
		cur := queue[0]
		queue = queue[1:]
		for _, n := range g.Downstreams(cur) {
			if _, seen := prev[n]; !seen {
				prev[n] = cur
				queue = append(queue, n)
			}
		}
	}
	var through []string
	for n := prev[d]; n != u && n != ""; n = prev[n] {
		through = append([]string{n}, through...)
	}
	if len(through) == 0 {
		return "depends on " + u
	}
	return fmt.Sprintf("depends on %s (through %s)", u, strings.Join(through, ", "))
}
