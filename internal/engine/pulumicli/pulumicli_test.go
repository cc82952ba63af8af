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

// countingCLI is a fake CLI that appends a line to calls at every start.
func countingCLI(t *testing.T, v string) (path, calls string) {
	t.Helper()
	dir := t.TempDir()
	path, calls = filepath.Join(dir, "pulumi"), filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho x >> " + calls + "\nif [ \"$1\" = version ]; then echo " + v + "; fi\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, calls
}

func starts(t *testing.T, calls string) int {
	t.Helper()
	data, err := os.ReadFile(calls)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "x")
}

func TestFindAsksAVersionOncePerBinary(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	cli, calls := countingCLI(t, "v3.261.0")
	t.Setenv(EnvCLI, cli)
	for i := 0; i < 3; i++ {
		if p, v, err := Find(root); err != nil || p != cli || v.String() != "3.261.0" {
			t.Fatalf("Find = %q %v %v", p, v, err)
		}
	}
	if n := starts(t, calls); n != 1 {
		t.Fatalf("the CLI started %d times for three Finds, want 1", n)
	}

	// A rebuilt binary (another size and time) is asked again.
	other, _ := countingCLI(t, "v3.262.0")
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "# rebuilt\n"...)
	if err := os.WriteFile(cli, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, v, err := Find(root); err != nil || v.String() != "3.262.0" {
		t.Fatalf("after the rebuild Find = %v %v, want 3.262.0", v, err)
	}
	cache, err := os.ReadFile(filepath.Join(root, versionCacheFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(cache), cli+"\t") != 1 {
		t.Fatalf("the cache keeps one line per binary:\n%s", cache)
	}
}

func TestFindWorksWithoutACacheFolder(t *testing.T) {
	cli, calls := countingCLI(t, "v3.261.0")
	t.Setenv(EnvCLI, cli)
	root := t.TempDir() // no bin/
	for i := 0; i < 2; i++ {
		if _, _, err := Find(root); err != nil {
			t.Fatal(err)
		}
	}
	if n := starts(t, calls); n != 2 {
		t.Fatalf("the CLI started %d times, want 2 (no cache without bin/)", n)
	}
	if _, err := os.Stat(filepath.Join(root, "bin")); err == nil {
		t.Fatal("Find created bin/")
	}
}
