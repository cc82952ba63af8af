package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clustera/infra/shared/stackrun"
)

// TestAProjectRunsWithoutTheOrchestrator follows the README's route for a
// team that runs its project alone: `go run mage.go sandbox` serves the
// local sandbox in the foreground and prints the environment; with it, the
// project's own binary deploys its stack through the real CLI. (A stock
// `pulumi up` runs the same binary through the Go language host, which
// cannot be installed here: the test checks instead that the binary is a
// plain Pulumi program when no task is given.)
func TestAProjectRunsWithoutTheOrchestrator(t *testing.T) {
	w := newWorkspace(t)
	sb := w.command("sandbox")
	stdout, err := sb.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	sb.Stderr = &stderr
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Process.Kill() }()
	env := map[string]string{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(3 * time.Minute)
	for env["PULUMI_DEBUG_PROVIDERS"] == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the sandbox exited before printing its environment\n%s", stderr.String())
			}
			if k, v, found := strings.Cut(strings.TrimPrefix(l, "export "), "="); found && strings.HasPrefix(l, "export ") {
				env[k] = strings.Trim(v, "'")
			}
		case <-deadline:
			t.Fatalf("no environment printed within 3 minutes\n%s", stderr.String())
		}
	}
	for _, k := range []string{"PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_DEBUG_PROVIDERS"} {
		if env[k] == "" {
			t.Fatalf("the sandbox did not print %s: %v", k, env)
		}
	}

	bin := filepath.Join(w.root, "bin", "projects", "dns")
	build := exec.Command("go", "build", "-o", bin, "./projects/dns")
	build.Dir = w.root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building dns: %v\n%s", err, out)
	}

	// A plain Pulumi program when no task is given: it answers the Go
	// language host's plugin query (PULUMI_PLUGINS) as pulumi.Run does.
	plain := exec.Command(bin)
	plain.Dir = filepath.Join(w.root, "projects", "dns")
	plain.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PULUMI_PLUGINS=true"}
	if out, _ := plain.Output(); !strings.HasPrefix(strings.TrimSpace(string(out)), `{"plugins"`) {
		t.Fatalf("without a task the binary should be a plain Pulumi program answering the language host's plugin query; got %q", out)
	}

	// The project's own process against the served sandbox.
	logDir := t.TempDir()
	task := stackrun.Task{Project: "dns", Stack: "local", Op: stackrun.Deploy, Root: w.root, Dir: filepath.Join(w.root, "projects", "dns"),
		CLI: pulumiBin, CLIVersion: "3.259.0", Env: env, Passphrase: true,
		Log: filepath.Join(logDir, "dns.log"), Events: filepath.Join(logDir, "dns.events.jsonl")}
	raw, err := stackrun.EncodeTask(task)
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(bin)
	run.Dir = task.Dir
	run.Env = append(os.Environ(), stackrun.EnvTask+"="+raw)
	out, err := run.CombinedOutput() // no fd 3: the channel falls back to stderr
	if err != nil {
		t.Fatalf("dns alone: %v\n%s", err, out)
	}
	var res *stackrun.Result
	for _, l := range strings.Split(string(out), "\n") {
		var m stackrun.Message
		if json.Unmarshal([]byte(l), &m) == nil && m.Kind == stackrun.KindResult {
			res = m.Result
		}
	}
	if res == nil || res.Status != stackrun.Changed || res.Changes["create"] == 0 {
		t.Fatalf("dns alone: result %+v\n%s", res, out)
	}
	records := 0
	for _, o := range w.objects() {
		if strings.HasSuffix(o.Type, ":DnsRecord") {
			records++
		}
	}
	if records == 0 {
		t.Fatal("no DNS record in the sandbox after the project deployed alone")
	}

	// Ctrl-C stops the sandbox.
	_ = sb.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() {
		for range lines {
		}
		done <- sb.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the sandbox did not stop cleanly on Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Error("the sandbox did not stop within a minute of Ctrl-C")
	}
}
