package branch

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clustera/infra/shared/layout"
)

func TestStack(t *testing.T) {
	existing := map[string]bool{"steve1": true, "juan1": true, "dev": true, "local": true, "prod": true}
	exists := func(s string) bool { return existing[s] }
	tests := []struct {
		branch string
		want   string
		ok     bool
	}{
		{"main", "prod", true},
		{"refs/heads/main", "prod", true},
		{"development", "dev", true},
		{"refs/heads/development", "dev", true},
		{"testing", "testing", true},
		{"staging", "staging", true},
		{"refs/heads/staging", "staging", true},
		{"steve1", "steve1", true},
		{"refs/heads/juan1", "juan1", true},
		// A valid personal name without an environment file: preview only.
		{"maria2", "", false},
		// Environment names that are not branches of their own.
		{"dev", "", false},
		{"prod", "", false},
		{"local", "", false},
		// Not valid personal names.
		{"feature/dns-records", "", false},
		{"Steve1", "", false},
		{"refs/heads/fix-typo", "", false},
		{"refs/tags/main", "", false},
		{"", "", false},
		{"master", "", false},
	}
	for _, tt := range tests {
		got, ok := Stack(tt.branch, exists)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Stack(%q) = %q, %v; want %q, %v", tt.branch, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStackNilExists(t *testing.T) {
	if s, ok := Stack("steve1", nil); ok {
		t.Errorf("Stack(steve1, nil) = %q, true", s)
	}
	if s, ok := Stack("main", nil); !ok || s != "prod" {
		t.Errorf("Stack(main, nil) = %q, %v", s, ok)
	}
}

func TestGitHubEnvironment(t *testing.T) {
	tests := map[string]string{
		"prod":    "production",
		"dev":     "development",
		"testing": "testing",
		"staging": "staging",
		"steve1":  "development",
		"juan1":   "development",
		"local":   "",
		"Bad!":    "",
		"":        "",
	}
	for stack, want := range tests {
		if got := GitHubEnvironment(stack); got != want {
			t.Errorf("GitHubEnvironment(%q) = %q, want %q", stack, got, want)
		}
	}
}

// Every deploying branch has a GitHub Environment for its secrets.
func TestEveryDeployedStackHasSecrets(t *testing.T) {
	for _, b := range []string{Main, Development, Testing, Staging, "steve1"} {
		s, ok := Stack(b, func(string) bool { return true })
		if !ok || GitHubEnvironment(s) == "" {
			t.Errorf("branch %s: stack %q ok=%v environment %q", b, s, ok, GitHubEnvironment(s))
		}
	}
}

func TestEnvironmentExists(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "environments", "juan1.yaml.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(layout.EnvironmentFile(root, "steve1"), []byte("extends: dev\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exists := EnvironmentExists(root)
	if !exists("steve1") || exists("juan1") || exists("maria2") {
		t.Errorf("exists: steve1=%v juan1=%v maria2=%v", exists("steve1"), exists("juan1"), exists("maria2"))
	}
	if s, ok := Stack("refs/heads/steve1", exists); !ok || s != "steve1" {
		t.Errorf("Stack(steve1) = %q, %v", s, ok)
	}
}

// The repository's own personal environment deploys from its branch.
func TestRepositoryPersonalEnvironment(t *testing.T) {
	root, err := layout.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := Stack("steve1", EnvironmentExists(root)); !ok || s != "steve1" {
		t.Errorf("Stack(steve1) = %q, %v; environments/steve1.yaml exists", s, ok)
	}
}
