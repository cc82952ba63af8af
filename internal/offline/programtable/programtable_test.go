package programtable_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/offline/programtable"
	"github.com/clustera/infra/shared/layout"
)

// The committed table is what the folders generate.
func TestCommittedTableIsCurrent(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	want, err := programtable.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(programtable.File)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the folders under projects/ generate; fix: run `%s` and commit it", programtable.File, programtable.Command)
	}
	ps, err := programtable.Projects(root)
	if err != nil {
		t.Fatal(err)
	}
	folders, _ := layout.ProjectFolders(root)
	if len(ps) != len(folders) {
		t.Fatalf("%d rows for %d folders", len(ps), len(folders))
	}
	for _, p := range ps {
		if !strings.Contains(string(got), `"`+p.Module+`/program"`) || !strings.Contains(string(got), `Name: "`+p.Name+`"`) {
			t.Errorf("the table has no row for %s (%s)", p.Name, p.Module)
		}
	}
}

func write(t *testing.T, root, rel, data string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateFromFolders(t *testing.T) {
	root := t.TempDir()
	write(t, root, "projects/my-app/Pulumi.yaml", "name: my-app\nruntime: go\n")
	write(t, root, "projects/my-app/go.mod", "module example.com/infra/projects/my-app\n\ngo 1.26\n")
	write(t, root, "projects/my-app/program/program.go", "package program\n")
	write(t, root, "projects/my-app/config/config.go", "package config\n")
	write(t, root, "projects/README.md", "not a project\n")
	got, err := programtable.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`myappconfig "example.com/infra/projects/my-app/config"`,
		`myappprogram "example.com/infra/projects/my-app/program"`,
		`{Name: "my-app", Program: myappprogram.Program, Deploy: deployOf(myappprogram.Deploy), Validate: stackrun.CheckConfig(myappconfig.Load)}`,
		"DO NOT EDIT",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("generated table lacks %s:\n%s", want, got)
		}
	}
	if err := programtable.Write(root); err == nil {
		t.Error("Write succeeded without internal/offline/projects/")
	}
	write(t, root, "internal/offline/projects/doc.go", "package projects\n")
	if err := programtable.Write(root); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(programtable.File))); !bytes.Equal(data, got) {
		t.Error("Write wrote something else than Generate")
	}
}

func TestGenerateNamesWhatIsMissing(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no go.mod", map[string]string{"projects/a/Pulumi.yaml": "name: a\n"}, "project a"},
		{"no config", map[string]string{"projects/a/Pulumi.yaml": "name: a\n", "projects/a/go.mod": "module m\n", "projects/a/program/p.go": "package program\n"}, "project a has no config/ package"},
		{"other name", map[string]string{"projects/a/Pulumi.yaml": "name: b\n"}, "projects/a/Pulumi.yaml: name is \"b\""},
		{"no module line", map[string]string{"projects/a/Pulumi.yaml": "name: a\n", "projects/a/go.mod": "go 1.26\n"}, "projects/a/go.mod: no module line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for rel, data := range c.files {
				write(t, root, rel, data)
			}
			if _, err := programtable.Generate(root); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
