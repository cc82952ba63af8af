package layout_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
)

func TestProjectFolders(t *testing.T) {
	root := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("projects/b/Pulumi.yaml", "name: b\nruntime: go\n")
	write("projects/a/Pulumi.yaml", "name: a\nruntime: go\ndescription: x\n")
	write("projects/notes/README.md", "not a project\n")
	write("projects/wrong/Pulumi.yaml", "name: other\nruntime: go\n")
	got, err := layout.ProjectFolders(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "wrong"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ProjectFolders = %v, want %v", got, want)
	}
	if name, err := layout.ProjectName(root, "a"); err != nil || name != "a" {
		t.Fatalf("ProjectName(a) = %q, %v", name, err)
	}
	_, err = layout.ProjectName(root, "wrong")
	if err == nil || !strings.Contains(err.Error(), "projects/wrong/Pulumi.yaml") || !strings.Contains(err.Error(), "set name: wrong") {
		t.Fatalf("ProjectName(wrong): %v", err)
	}
	if _, err := layout.ProjectName(root, "notes"); err == nil {
		t.Fatal("ProjectName accepted a folder without Pulumi.yaml")
	}
}

// The repository's own folders all name themselves.
func TestRepositoryProjectNames(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	folders, err := layout.ProjectFolders(root)
	if err != nil || len(folders) == 0 {
		t.Fatalf("ProjectFolders = %v, %v", folders, err)
	}
	for _, f := range folders {
		if _, err := layout.ProjectName(root, f); err != nil {
			t.Error(err)
		}
	}
}
