package layout

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func mkRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"environments", "projects/dns/program"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFindRootWalksUp(t *testing.T) {
	root := mkRoot(t)
	got, err := FindRoot(filepath.Join(root, "projects", "dns", "program"))
	if err != nil {
		t.Fatal(err)
	}
	if got != root {
		t.Fatalf("FindRoot = %q, want %q", got, root)
	}
}

func TestFindRootFailsOutsideRepo(t *testing.T) {
	_, err := FindRoot(t.TempDir())
	if !errors.Is(err, ErrNoRoot) {
		t.Fatalf("err = %v, want ErrNoRoot", err)
	}
}

func TestRootHonoursEnv(t *testing.T) {
	root := mkRoot(t)
	t.Setenv(EnvRoot, root)
	got, err := Root()
	if err != nil || got != root {
		t.Fatalf("Root() = %q, %v; want %q", got, err, root)
	}
	t.Setenv(EnvRoot, t.TempDir())
	if _, err := Root(); !errors.Is(err, ErrNoRoot) {
		t.Fatalf("Root() with a bad %s: err = %v, want ErrNoRoot", EnvRoot, err)
	}
}

func TestPaths(t *testing.T) {
	if got := StackConfigFile("/r", "dns", "prod"); got != "/r/projects/dns/Pulumi.prod.yaml" {
		t.Fatal(got)
	}
	if got := EnvironmentFile("/r", "prod"); got != "/r/environments/prod.yaml" {
		t.Fatal(got)
	}
	if got := Rel("/r", "/r/projects/dns"); got != "projects/dns" {
		t.Fatal(got)
	}
}

type noMocks struct{}

func (noMocks) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return a.Name, a.Inputs, nil
}
func (noMocks) Call(a pulumi.MockCallArgs) (resource.PropertyMap, error) { return a.Args, nil }

func TestDirsOf(t *testing.T) {
	root := mkRoot(t)
	t.Setenv(EnvRoot, root)
	var gotRoot, gotDir string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		var err error
		gotRoot, gotDir, err = DirsOf(ctx)
		return err
	}, pulumi.WithMocks("dns", "dev", noMocks{}))
	if err != nil {
		t.Fatal(err)
	}
	if gotRoot != root || gotDir != filepath.Join(root, "projects", "dns") {
		t.Fatalf("DirsOf = %q, %q", gotRoot, gotDir)
	}
}
