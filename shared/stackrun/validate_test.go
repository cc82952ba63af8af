package stackrun

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// stackRoot is a repository root holding projects/demo/Pulumi.dev.yaml.
func stackRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	file := layout.StackConfigFile(root, "demo", "dev")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("config:\n  demo:name: dev-demo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestCheckConfigOfPassesTheStackFilesValues(t *testing.T) {
	var got string
	err := CheckConfigOf(stackRoot(t), "demo", "dev", func(ctx *pulumi.Context) error {
		got = config.Get(ctx, "name")
		if !ctx.DryRun() {
			t.Error("the config check is not a preview")
		}
		return nil
	})
	if err != nil || got != "dev-demo" {
		t.Fatalf("err = %v, demo:name = %q", err, got)
	}
}

func TestCheckConfigOfReturnsTheProblems(t *testing.T) {
	var list problems.List
	list.Add("projects/demo/Pulumi.dev.yaml", "demo:name", "is wrong", "fix it")
	err := CheckConfigOf(stackRoot(t), "demo", "dev", func(*pulumi.Context) error { return list.Err() })
	var pe *problems.Error
	if !errors.As(err, &pe) || err.Error() != list.Err().Error() {
		t.Fatalf("err = %v, want the program's problems", err)
	}
}

func TestCheckConfigOfRejectsResources(t *testing.T) {
	err := CheckConfigOf(stackRoot(t), "demo", "dev", func(ctx *pulumi.Context) error {
		var r pulumi.CustomResourceState
		return ctx.RegisterResource("test:index:Thing", "thing", pulumi.Map{}, &r)
	})
	if err == nil || !strings.Contains(err.Error(), "unexpected resource test:index:Thing thing") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckConfigOfNamesAMissingStackFile(t *testing.T) {
	err := CheckConfigOf(t.TempDir(), "demo", "juan1", func(*pulumi.Context) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "projects/demo/Pulumi.juan1.yaml: (file): does not exist") || !strings.Contains(err.Error(), "env:new name=juan1") {
		t.Fatalf("err = %v", err)
	}
}
