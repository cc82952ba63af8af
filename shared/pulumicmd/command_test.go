package pulumicmd

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

// fakeCLI writes an executable script named pulumi that runs body.
func fakeCLI(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "pulumi")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunReportsExitCodeAndOutput(t *testing.T) {
	cli := fakeCLI(t, `echo "args: $*"; echo oops >&2; exit 3`)
	c := NewCommand(cli, semver.MustParse("3.259.0"))
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
	cli := fakeCLI(t, `trap 'echo int >> `+marker+`; sleep 0.3; exit 130' INT
echo started
i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`)
	c := NewCommand(cli, semver.MustParse("3.259.0"))
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
	cli := fakeCLI(t, `trap '' INT; sleep 30`)
	c := NewCommand(cli, semver.MustParse("3.259.0"))
	c.Grace = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	start := time.Now()
	_, _, _, err := c.Run(ctx, t.TempDir(), nil, nil, nil, nil, "up")
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
}

// TestHardAbortKillsAtOnce: a second Ctrl-C ends the CLI without waiting
// for the grace period.
func TestHardAbortKillsAtOnce(t *testing.T) {
	cli := fakeCLI(t, `trap '' INT; sleep 30`)
	hard := make(chan struct{})
	var started, exited int
	var killed bool
	c := NewCommand(cli, semver.MustParse("3.259.0"))
	c.Hard = hard
	c.OnStart = func(pid int) { started = pid }
	c.OnExit = func(pid int, clean bool) { exited, killed = pid, !clean }
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel(); time.Sleep(200 * time.Millisecond); close(hard) }()
	start := time.Now()
	_, _, _, err := c.Run(ctx, t.TempDir(), nil, nil, nil, nil, "up")
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
	if started == 0 || started != exited || !killed {
		t.Fatalf("OnStart pid %d, OnExit pid %d killed %v", started, exited, killed)
	}
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

// TestSecondStackOutputIsNotRun: the Automation API reads the outputs twice,
// the second time with --show-secrets, which the Command drops; the CLI
// then runs once.
func TestSecondStackOutputIsNotRun(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	cli := fakeCLI(t, `echo run >> `+count+`; echo '{"a":1}'`)
	c := NewCommand(cli, semver.MustParse("3.259.0"))
	for _, args := range [][]string{
		{"stack", "output", "--json", "--stack", "dev"},
		{"stack", "output", "--json", "--show-secrets", "--stack", "dev"},
	} {
		out, _, code, err := c.Run(context.Background(), dir, nil, nil, nil, nil, args...)
		if err != nil || code != 0 || strings.TrimSpace(out) != `{"a":1}` {
			t.Fatalf("%v: %q %d %v", args, out, code, err)
		}
	}
	_, _, _, _ = c.Run(context.Background(), dir, nil, nil, nil, nil, "up")
	_, _, _, _ = c.Run(context.Background(), dir, nil, nil, nil, nil, "stack", "output", "--json", "--show-secrets", "--stack", "dev")
	data, _ := os.ReadFile(count)
	if n := strings.Count(string(data), "run"); n != 3 {
		t.Fatalf("the CLI ran %d times, want 3 (the repeated output is served once, a later one after another command runs)", n)
	}
}
