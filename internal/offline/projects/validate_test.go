package projects

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
)

func TestValidateConfigAcceptsTheLocalEnvironment(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateConfig(root, "local", contracts.Projects); err != nil {
		t.Fatalf("local config: %v", err)
	}
}

// copyRoot copies the files a config check reads into a temporary root.
func copyRoot(t *testing.T) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, pattern := range []string{"environments/*.yaml", "projects/*/Pulumi.*.yaml", "projects/*/placeholder/*"} {
		files, _ := filepath.Glob(filepath.Join(src, pattern))
		for _, f := range files {
			rel, _ := filepath.Rel(src, f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, rel), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

func TestValidateConfigReportsEveryProblemBeforeAnything(t *testing.T) {
	root := copyRoot(t)
	t.Setenv(layout.EnvRoot, root)
	file := filepath.Join(root, "projects", "cloudflare-workers", "Pulumi.local.yaml")
	data, _ := os.ReadFile(file)
	var kept []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "compatibilityDate") {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(file, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "projects", "dns", "Pulumi.local.yaml")); err != nil {
		t.Fatal(err)
	}
	err := ValidateConfig(root, "local", contracts.Projects)
	if err == nil {
		t.Fatal("broken config accepted")
	}
	for _, want := range []string{
		"projects/cloudflare-workers/Pulumi.local.yaml: cloudflare-workers:compatibilityDate: is missing",
		"projects/dns/Pulumi.local.yaml: (file): does not exist",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
