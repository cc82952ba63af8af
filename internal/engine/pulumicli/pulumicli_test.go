package pulumicli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCLI writes an executable script named pulumi that prints version v
// for `pulumi version` and otherwise runs body.
func fakeCLI(t *testing.T, v, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "pulumi")
	script := "#!/bin/sh\nif [ \"$1\" = version ]; then echo " + v + "; exit 0; fi\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindPrefersEnvThenBinThenPath(t *testing.T) {
	root := t.TempDir()
	t.Setenv("PATH", filepath.Dir(fakeCLI(t, "v3.300.0", "")))
	envCLI := fakeCLI(t, "v3.259.0", "")
	t.Setenv(EnvCLI, envCLI)
	if p, _, err := Find(root); err != nil || p != envCLI {
		t.Fatalf("Find = %q, %v; want $%s", p, err, EnvCLI)
	}
	t.Setenv(EnvCLI, "")
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "pulumi")
	if err := os.Rename(fakeCLI(t, "v3.260.1", ""), bin); err != nil {
		t.Fatal(err)
	}
	if p, v, err := Find(root); err != nil || p != bin || v.String() != "3.260.1" {
		t.Fatalf("Find = %q %v %v; want bin/pulumi", p, v, err)
	}
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	if p, _, err := Find(root); err != nil || !strings.HasSuffix(p, "/pulumi") {
		t.Fatalf("Find = %q, %v; want the PATH one", p, err)
	}
}

func TestFindRejectsOldCLI(t *testing.T) {
	t.Setenv("PATH", filepath.Dir(fakeCLI(t, "v3.100.0", "")))
	t.Setenv(EnvCLI, "")
	_, _, err := Find(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "older than v"+MinVersion) {
		t.Fatalf("err = %v", err)
	}
}
