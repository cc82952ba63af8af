package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPanicOfGivesTheMessageAndFirstFramesRelativeToTheRoot(t *testing.T) {
	root := "/repo"
	log := filepath.Join(t.TempDir(), "dns.log")
	text := `Updating (local):
panic: e2e: injected panic in an apply

goroutine 49 [running]:
github.com/clustera/infra/projects/dns/program.Deploy.func1({0x0?, 0x4931d3?})
	/repo/projects/dns/program/program.go:35 +0x25
reflect.Value.call({0x2a65f80?, 0x3aa6290?, 0x13?}, {0x3a16147, 0x4}, {0x12cac0715e88, 0x1, 0x2?})
	/usr/local/go/src/reflect/value.go:586 +0xf0c
`
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got := panicOf(log, root)
	if !strings.HasPrefix(got, "panic: e2e: injected panic in an apply\n") ||
		!strings.Contains(got, "at projects/dns/program/program.go:35 (github.com/clustera/infra/projects/dns/program.Deploy.func1") {
		t.Fatalf("panicOf = %q", got)
	}
	if panicOf(filepath.Join(t.TempDir(), "none.log"), root) != "" {
		t.Fatal("a missing log has no panic")
	}
}

func TestBuildErrorNamesTheFirstCompilerMessage(t *testing.T) {
	out := []byte("# github.com/clustera/infra/projects/dns/program\nprojects/dns/program/broken.go:3:9: undefined: nope\nprojects/dns/program/broken.go:4:1: other\n")
	logDir := t.TempDir()
	err := buildError("/repo", "dns", out, func(p string) string { return filepath.Join(logDir, p+".log") })
	if err.Error() != "does not compile: projects/dns/program/broken.go:3:9: undefined: nope" {
		t.Fatalf("err = %v", err)
	}
	data, _ := os.ReadFile(filepath.Join(logDir, "dns.log"))
	if !strings.Contains(string(data), "undefined: nope") {
		t.Fatalf("the compiler output is not in the project's log: %q", data)
	}
}

func TestDescribeExit(t *testing.T) {
	err := exec.Command("sh", "-c", "exit 3").Run()
	if got := describeExit(err); got != "exit status 3" {
		t.Fatalf("describeExit = %q", got)
	}
	err = exec.Command("sh", "-c", "kill -9 $$").Run()
	if got := describeExit(err); got != "killed by signal killed" {
		t.Fatalf("describeExit = %q", got)
	}
}

func TestDescendantsFindsGrandchildren(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 5 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for i := 0; i < 50; i++ {
		if len(descendants(cmd.Process.Pid)) > 0 {
			return
		}
		exec.Command("sleep", "0.05").Run() //nolint:errcheck
	}
	t.Fatal("the sleep below the shell was not found")
}
