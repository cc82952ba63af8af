package affected

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/internal/graph"
)

// fakeRepo is a small repository laid out like this one, with a Go
// workspace whose modules use only the standard library (so go list works
// offline):
//
//	shared/x        imported by a (directly) and b (through shared/y)
//	shared/y        imported by b
//	shared/emb      imported by b, embeds data/*.txt
//	shared/unused   imported by nobody
//	projects/a/lib  imported by d
//
// Projects: a, b, c (reads a's outputs), d. steve1 extends dev.
var fakeRepoFiles = map[string]string{
	"go.work":                     "go 1.26\n\nuse (\n\t.\n\t./shared\n\t./projects/a\n\t./projects/b\n\t./projects/c\n\t./projects/d\n)\n",
	"go.mod":                      "module example.com/infra\n\ngo 1.26\n",
	"magefile.go":                 "package main\n\nfunc main() {}\n",
	"internal/tool/tool.go":       "package tool\n",
	"docs/readme.md":              "docs\n",
	"environments/dev.yaml":       "description: dev\n",
	"environments/steve1.yaml":    "extends: dev\ndescription: steve\n",
	"environments/prod.yaml":      "description: prod\n",
	"environments/staging.yaml":   "description: staging\n",
	"shared/go.mod":               "module example.com/infra/shared\n\ngo 1.26\n",
	"shared/x/x.go":               "package x\n",
	"shared/x/x_test.go":          "package x\n",
	"shared/x/testdata/t.txt":     "t\n",
	"shared/y/y.go":               "package y\n\nimport _ \"example.com/infra/shared/x\"\n",
	"shared/emb/emb.go":           "package emb\n\nimport \"embed\"\n\n//go:embed data/*.txt\nvar Data embed.FS\n",
	"shared/emb/data/one.txt":     "1\n",
	"shared/emb/README.md":        "not embedded\n",
	"shared/unused/u.go":          "package unused\n",
	"projects/a/go.mod":           "module example.com/infra/projects/a\n\ngo 1.26\n",
	"projects/a/Pulumi.yaml":      "name: a\n",
	"projects/a/Pulumi.dev.yaml":  "config: {}\n",
	"projects/a/Pulumi.prod.yaml": "config: {}\n",
	"projects/a/main.go":          "package main\n\nimport _ \"example.com/infra/shared/x\"\n\nfunc main() {}\n",
	"projects/a/lib/lib.go":       "package lib\n",
	"projects/b/go.mod":           "module example.com/infra/projects/b\n\ngo 1.26\n",
	"projects/b/main.go":          "package main\n\nimport (\n\t_ \"example.com/infra/shared/emb\"\n\t_ \"example.com/infra/shared/y\"\n)\n\nfunc main() {}\n",
	"projects/c/go.mod":           "module example.com/infra/projects/c\n\ngo 1.26\n",
	"projects/c/main.go":          "package main\n\nfunc main() {}\n",
	"projects/d/go.mod":           "module example.com/infra/projects/d\n\ngo 1.26\n",
	"projects/d/main.go":          "package main\n\nimport _ \"example.com/infra/projects/a/lib\"\n\nfunc main() {}\n",
}

var (
	fakeRootOnce sync.Once
	fakeRootDir  string
)

// fakeRepo writes the fake repository once per test binary (tests only
// read it).
func fakeRepo(t *testing.T) string {
	t.Helper()
	fakeRootOnce.Do(func() {
		dir, err := os.MkdirTemp("", "affected-*")
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, dir, fakeRepoFiles)
		fakeRootDir = dir
	})
	return fakeRootDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeRootDir != "" {
		os.RemoveAll(fakeRootDir)
	}
	os.Exit(code)
}

func fakeGraph(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := graph.New(map[string][]string{"a": nil, "b": nil, "c": {"a"}, "d": nil})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestAffectedFakeRepo(t *testing.T) {
	root := fakeRepo(t)
	g := fakeGraph(t)
	tests := []struct {
		name  string
		env   string
		files []string
		want  map[string][]string // project -> exact reasons
		order []string            // when set, the expected Projects order
	}{
		{"project file and its dependent", "dev", []string{"projects/a/main.go"}, map[string][]string{
			"a": {"changed projects/a/main.go"},
			"c": {"depends on a"},
		}, []string{"a", "c"}},
		{"own stack config counts", "dev", []string{"projects/a/Pulumi.dev.yaml"}, map[string][]string{
			"a": {"changed projects/a/Pulumi.dev.yaml"},
			"c": {"depends on a"},
		}, nil},
		{"another stack's config does not", "prod", []string{"projects/a/Pulumi.dev.yaml"}, map[string][]string{}, nil},
		{"project file for every stack", "prod", []string{"projects/a/Pulumi.yaml"}, map[string][]string{
			"a": {"changed projects/a/Pulumi.yaml"},
			"c": {"depends on a"},
		}, nil},
		{"shared package imported directly and transitively", "dev", []string{"shared/x/x.go"}, map[string][]string{
			"a": {"imports example.com/infra/shared/x (changed shared/x/x.go)"},
			"b": {"imports example.com/infra/shared/x (changed shared/x/x.go)"},
			"c": {"depends on a"},
		}, []string{"a", "b", "c"}},
		{"shared package imported by one project", "dev", []string{"shared/y/y.go", "shared/y/new.go"}, map[string][]string{
			"b": {"imports example.com/infra/shared/y (changed shared/y/new.go, shared/y/y.go)"},
		}, nil},
		{"tests and testdata of shared packages", "dev", []string{"shared/x/x_test.go", "shared/x/testdata/t.txt"}, map[string][]string{}, nil},
		{"package nobody imports", "dev", []string{"shared/unused/u.go", "shared/brand-new/n.go"}, map[string][]string{}, nil},
		{"embedded file", "dev", []string{"shared/emb/data/one.txt"}, map[string][]string{
			"b": {"imports example.com/infra/shared/emb (changed shared/emb/data/one.txt)"},
		}, nil},
		{"deleted file under an imported package may have been embedded", "dev", []string{"shared/emb/data/gone.txt"}, map[string][]string{
			"b": {"imports example.com/infra/shared/emb (changed shared/emb/data/gone.txt)"},
		}, nil},
		{"file beside a package that is not embedded", "dev", []string{"shared/emb/README.md"}, map[string][]string{}, nil},
		{"shared go.mod and go.sum", "dev", []string{"shared/go.mod", "shared/go.sum"}, map[string][]string{
			"a": {"uses module example.com/infra/shared (changed shared/go.mod, shared/go.sum)"},
			"b": {"uses module example.com/infra/shared (changed shared/go.mod, shared/go.sum)"},
			"c": {"depends on a"},
		}, nil},
		{"a project's package imported by another project", "dev", []string{"projects/a/lib/lib.go"}, map[string][]string{
			"a": {"changed projects/a/lib/lib.go"},
			"c": {"depends on a"},
			"d": {"imports example.com/infra/projects/a/lib (changed projects/a/lib/lib.go)"},
		}, nil},
		{"the environment's own file", "dev", []string{"environments/dev.yaml"}, map[string][]string{
			"a": {"changed environments/dev.yaml"},
			"b": {"changed environments/dev.yaml"},
			"c": {"changed environments/dev.yaml", "depends on a"},
			"d": {"changed environments/dev.yaml"},
		}, []string{"a", "b", "c", "d"}},
		{"an environment it extends", "steve1", []string{"environments/dev.yaml"}, map[string][]string{
			"a": {"changed environments/dev.yaml (steve1 extends dev)"},
			"b": {"changed environments/dev.yaml (steve1 extends dev)"},
			"c": {"changed environments/dev.yaml (steve1 extends dev)", "depends on a"},
			"d": {"changed environments/dev.yaml (steve1 extends dev)"},
		}, nil},
		{"another environment", "dev", []string{"environments/steve1.yaml", "environments/prod.yaml"}, map[string][]string{}, nil},
		{"unrelated environment of a base", "prod", []string{"environments/dev.yaml"}, map[string][]string{}, nil},
		{"go.work", "prod", []string{"go.work"}, map[string][]string{
			"a": {"changed go.work (the workspace every project builds in)"},
			"b": {"changed go.work (the workspace every project builds in)"},
			"c": {"changed go.work (the workspace every project builds in)", "depends on a"},
			"d": {"changed go.work (the workspace every project builds in)"},
		}, nil},
		{"elsewhere", "dev", []string{"docs/readme.md", "internal/tool/tool.go", "magefile.go", "go.mod", "go.sum", ".github/workflows/ci.yml", "README.md", "projects/README.md"}, map[string][]string{}, nil},
		{"unknown project folder", "dev", []string{"projects/zz/main.go"}, map[string][]string{}, nil},
		{"messy names", "dev", []string{"./projects/a/main.go", "projects/a/main.go", "", "projects/a//main.go"}, map[string][]string{
			"a": {"changed projects/a/main.go"},
			"c": {"depends on a"},
		}, nil},
		{"nothing", "dev", nil, map[string][]string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := Affected(context.Background(), root, g, tt.env, tt.files)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sel.Reasons, tt.want) {
				t.Errorf("Reasons =\n%q\nwant\n%q", sel.Reasons, tt.want)
			}
			var wantProjects []string
			for _, p := range g.TopoSort() {
				if _, ok := tt.want[p]; ok {
					wantProjects = append(wantProjects, p)
				}
			}
			if !reflect.DeepEqual(sel.Projects, wantProjects) {
				t.Errorf("Projects = %v, want %v", sel.Projects, wantProjects)
			}
			if tt.order != nil && !reflect.DeepEqual(sel.Projects, tt.order) {
				t.Errorf("Projects = %v, want %v", sel.Projects, tt.order)
			}
		})
	}
}

func TestAffectedDependsThrough(t *testing.T) {
	root := fakeRepo(t)
	// A graph over the same projects with a longer chain: a → c → d.
	g, err := graph.New(map[string][]string{"a": nil, "b": nil, "c": {"a"}, "d": {"c"}})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Affected(context.Background(), root, g, "dev", []string{"projects/a/Pulumi.dev.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"a": {"changed projects/a/Pulumi.dev.yaml"},
		"c": {"depends on a"},
		"d": {"depends on a (through c)"},
	}
	if !reflect.DeepEqual(sel.Reasons, want) || !reflect.DeepEqual(sel.Projects, []string{"a", "c", "d"}) {
		t.Fatalf("got %v %q", sel.Projects, sel.Reasons)
	}
}

func TestAffectedErrors(t *testing.T) {
	root := fakeRepo(t)
	g := fakeGraph(t)
	if _, err := Affected(context.Background(), root, g, "Not An Env", nil); err == nil || !strings.Contains(err.Error(), "unknown environment") {
		t.Errorf("bad env: %v", err)
	}

	// A project of the graph without a module.
	noMod, err := graph.New(map[string][]string{"a": nil, "ghost": nil})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Affected(context.Background(), root, noMod, "dev", []string{"shared/x/x.go"})
	if err == nil || !strings.Contains(err.Error(), "projects/ghost/go.mod does not exist") {
		t.Errorf("missing project module: %v", err)
	}

	// An environment file that does not parse.
	bad := t.TempDir()
	writeTree(t, bad, map[string]string{
		"environments/steve1.yaml": "extends: dev\nunknownKey: 1\n",
		"environments/dev.yaml":    "description: dev\n",
	})
	if err := os.MkdirAll(filepath.Join(bad, "projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Affected(context.Background(), bad, g, "steve1", nil)
	if err == nil || !strings.Contains(err.Error(), "environments/steve1.yaml") {
		t.Errorf("broken environment file: %v", err)
	}

	// An extends cycle.
	cyc := t.TempDir()
	writeTree(t, cyc, map[string]string{
		"environments/alice1.yaml": "extends: bob1\n",
		"environments/bob1.yaml":   "extends: alice1\n",
	})
	_, err = Affected(context.Background(), cyc, g, "alice1", nil)
	if err == nil || !strings.Contains(err.Error(), "extends cycle: alice1 → bob1 → alice1") {
		t.Errorf("extends cycle: %v", err)
	}
}

func TestAffectedNewEnvironment(t *testing.T) {
	// A personal environment whose file does not exist yet: its own file
	// is the whole chain.
	root := fakeRepo(t)
	sel, err := Affected(context.Background(), root, fakeGraph(t), "maria2", []string{"environments/maria2.yaml", "environments/dev.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Projects) != 4 || sel.Reasons["a"][0] != "changed environments/maria2.yaml" || len(sel.Reasons["a"]) != 1 {
		t.Fatalf("got %v %q", sel.Projects, sel.Reasons)
	}
}

func TestHelpers(t *testing.T) {
	for f, want := range map[string]string{
		"projects/dns/Pulumi.staging.yaml": "staging",
		"projects/dns/Pulumi.prod.yml":     "prod",
		"projects/dns/Pulumi.yaml":         "",
		"projects/dns/x/Pulumi.dev.yaml":   "",
		"projects/dns/Pulumi..yaml":        "",
	} {
		if got, _ := stackConfig(f); got != want {
			t.Errorf("stackConfig(%q) = %q, want %q", f, got, want)
		}
	}
	m := module{Path: "example.com/infra/shared", Dir: "shared"}
	for dir, want := range map[string]string{
		"shared":            "example.com/infra/shared",
		"shared/topics":     "example.com/infra/shared/topics",
		"shared/a/b":        "example.com/infra/shared/a/b",
		"shared/x/testdata": "",
		"shared/_old":       "",
		"shared/.hidden/x":  "",
	} {
		if got := importPath(m, dir); got != want {
			t.Errorf("importPath(%q) = %q, want %q", dir, got, want)
		}
	}
	if got := importPath(module{Path: "example.com/infra"}, "."); got != "example.com/infra" {
		t.Errorf("root importPath = %q", got)
	}
}
