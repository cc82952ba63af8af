package affected

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/graph"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
)

// These tests run Affected against this repository with synthetic change
// lists: they pin down which projects import which shared packages.

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := layout.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func repoGraph(t *testing.T) *graph.Graph {
	t.Helper()
	deps := map[string][]string{}
	for _, p := range contracts.Projects {
		deps[p] = contracts.Upstreams(p)
	}
	g, err := graph.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// requireFile fails when a file the test names is missing, so a renamed
// file breaks the test instead of making it pass vacuously.
func requireFile(t *testing.T, root, f string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f))); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
}

func hasReason(reasons []string, prefix string) bool {
	for _, r := range reasons {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

func TestRepositoryAffected(t *testing.T) {
	root := repoRoot(t)
	g := repoGraph(t)
	all := g.TopoSort()
	tests := []struct {
		name  string
		env   string
		files []string
		want  []string // projects, topological order
		// imports lists the projects that must import the changed package
		// themselves (not just follow an upstream).
		imports []string
		pkg     string
	}{
		{"contracts feed every project", "staging", []string{"shared/contracts/types.go"}, all, all, "github.com/clustera/infra/shared/contracts"},
		{"topics feed the kafka projects", "staging", []string{"shared/topics/topics.go"},
			[]string{"kafka-data-plane", "kafka-integrations", "gcp-gmail"},
			[]string{"kafka-data-plane", "kafka-integrations"}, "github.com/clustera/infra/shared/topics"},
		{"vectorize feeds cloudflare storage", "prod", []string{"shared/vectorize/vectorize.go"},
			[]string{"cloudflare-storage", "cloudflare-workers"},
			[]string{"cloudflare-storage"}, "github.com/clustera/infra/shared/vectorize"},
		{"shared module files feed every project", "dev", []string{"shared/go.mod"}, all, all, "uses module github.com/clustera/infra/shared"},
		{"a shared package test feeds nothing", "dev", []string{"shared/contracts/contracts_test.go"}, nil, nil, ""},
		{"stack config of the environment", "staging", []string{"projects/dns/Pulumi.staging.yaml"}, []string{"dns"}, nil, ""},
		{"stack config of another environment", "prod", []string{"projects/dns/Pulumi.staging.yaml"}, nil, nil, ""},
		{"kafka-data-plane and its dependents", "testing", []string{"projects/kafka-data-plane/Pulumi.yaml"},
			[]string{"kafka-data-plane", "kafka-integrations", "gcp-gmail"}, nil, ""},
		{"the base of a personal environment", "steve1", []string{"environments/dev.yaml"}, all, nil, ""},
		{"another environment", "staging", []string{"environments/dev.yaml", "environments/steve1.yaml"}, nil, nil, ""},
		{"orchestrator and docs", "prod", []string{"internal/graph/graph.go", "docs/decisions/README.md", "go.mod"}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range tt.files {
				if !strings.HasSuffix(f, ".md") {
					requireFile(t, root, f)
				}
			}
			sel, err := Affected(context.Background(), root, g, tt.env, tt.files)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sel.Projects, tt.want) {
				t.Fatalf("Projects = %v, want %v\nreasons: %q", sel.Projects, tt.want, sel.Reasons)
			}
			for _, p := range tt.imports {
				prefix := tt.pkg
				if !strings.HasPrefix(prefix, "uses module") {
					prefix = "imports " + prefix
				}
				if !hasReason(sel.Reasons[p], prefix) {
					t.Errorf("%s: reasons %q lack %q", p, sel.Reasons[p], prefix)
				}
			}
		})
	}
}
