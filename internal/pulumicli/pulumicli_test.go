package pulumicli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver"
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

func TestRunReportsExitCodeAndOutput(t *testing.T) {
	cli := fakeCLI(t, "v3.259.0", `echo "args: $*"; echo oops >&2; exit 3`)
	c := NewCommand(cli, mustVersion(t, cli))
	out, errOut, code, err := c.Run(context.Background(), t.TempDir(), nil, nil, nil, []string{"X=1"}, "preview")
	if err == nil || code != 3 {
		t.Fatalf("code = %d, err = %v", code, err)
	}
	if !strings.Contains(out, "args: --non-interactive preview") || !strings.Contains(errOut, "oops") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
}

// TestCancelInterruptsOnce checks the contract that keeps stack locks safe:
// a cancelled run gets exactly one SIGINT and may finish cleanly.
func TestCancelInterruptsOnce(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ints")
	cli := fakeCLI(t, "v3.259.0", `trap 'echo int >> `+marker+`; sleep 0.3; exit 130' INT
echo started
i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`)
	c := NewCommand(cli, mustVersion(t, cli))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	start := time.Now()
	_, _, code, _ := c.Run(ctx, dir, nil, nil, nil, nil, "up")
	if code != 130 {
		t.Fatalf("exit code = %d, want 130 from the CLI's own clean exit", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %s", d)
	}
	data, _ := os.ReadFile(marker)
	if n := strings.Count(string(data), "int"); n != 1 {
		t.Fatalf("CLI got %d interrupts, want exactly 1", n)
	}
}

func TestCancelKillsAfterGrace(t *testing.T) {
	cli := fakeCLI(t, "v3.259.0", `trap '' INT; sleep 30`)
	c := NewCommand(cli, mustVersion(t, cli))
	c.Grace = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	start := time.Now()
	_, _, _, err := c.Run(ctx, t.TempDir(), nil, nil, nil, nil, "up")
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
}

func mustVersion(t *testing.T, path string) semver.Version {
	t.Helper()
	v, err := Version(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStackOutputNeverAsksForPlaintextSecrets(t *testing.T) {
	got := withoutPlaintextSecrets([]string{"--non-interactive", "stack", "output", "--json", "--show-secrets", "--stack", "dev"})
	if slices.Contains(got, "--show-secrets") || len(got) != 6 {
		t.Fatalf("args = %v", got)
	}
	other := []string{"--non-interactive", "stack", "export", "--show-secrets"}
	if got := withoutPlaintextSecrets(other); !slices.Equal(got, other) {
		t.Fatalf("changed an unrelated command: %v", got)
	}
}
