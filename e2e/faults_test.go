package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
)

// TestAProjectFailsAlone breaks one project at a time, as a team would by
// mistake, and checks the isolation the per-project processes give: the
// independent projects deploy, the dependents are blocked, the run exits 1
// naming the cause, a rerun after the fix converges, and every stack still
// exports as valid state.
func TestAProjectFailsAlone(t *testing.T) {
	w := newWorkspace(t)
	step := func(name string, fn func(t *testing.T)) {
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}
	step("from empty, a failing upstream blocks the dependents that started early, leaving them no stack", func(t *testing.T) {
		// The dependents' processes start while kafka-data-plane deploys
		// and wait at their first read of its outputs (ADR 0011).
		if err := sandbox.SetFaults(w.sandboxDir(), []sandbox.Fault{{Op: "create", Type: typeTopic, Message: "injected: Aiven API unavailable"}}); err != nil {
			t.Fatal(err)
		}
		r := w.infra("deploy", "-env", "local")
		if err := sandbox.SetFaults(w.sandboxDir(), nil); err != nil {
			t.Fatal(err)
		}
		checkIsolated(t, r, "kafka-data-plane", "injected: Aiven API unavailable")
		for _, p := range dependentsOf("kafka-data-plane") {
			out, err := w.pulumi(p, "stack", "ls", "--json")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, `"local"`) {
				t.Errorf("%s was blocked from empty but has a stack:\n%s\n%s", p, out, r.out)
			}
			if _, err := os.Stat(filepath.Join(w.root, "projects", p, "Pulumi.local.yaml")); err != nil {
				t.Errorf("removing the empty stack of %s lost its committed configuration: %v", p, err)
			}
		}
		if locks := w.lockFiles(); len(locks) > 0 {
			t.Errorf("locks left: %v", locks)
		}
	})
	step("deploy all from empty", func(t *testing.T) {
		if r := w.infra("deploy", "-env", "local"); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
	})

	step("a compile error fails its project alone", func(t *testing.T) {
		const file = "projects/kafka-integrations/program/broken_e2e.go"
		w.write(file, "package program\n\nvar _ = thisDoesNotExist\n")
		defer w.remove(file)

		// An unrelated project deploys on its own: nothing of Kafka compiles.
		r := w.infra("deploy", "-env", "local", "-project", "dns")
		if r.code != 0 {
			t.Fatalf("deploy -project dns: exit %d, want 0 despite the broken kafka-integrations\n%s", r.code, r.out)
		}
		if len(r.report.Rows) != 1 || strings.Contains(r.out, "thisDoesNotExist") {
			t.Fatalf("deploy -project dns ran or built more than dns:\n%s", r.out)
		}

		r = w.infra("deploy", "-env", "local")
		checkIsolated(t, r, "kafka-integrations", "does not compile: projects/kafka-integrations/program/broken_e2e.go:3:9: undefined: thisDoesNotExist")
		if _, err := os.Stat(filepath.Join(w.root, "bin", "projects", "kafka-integrations")); err == nil {
			t.Error("the binary of the project that does not compile was left in bin/projects: it could run stale code")
		}
	})
	step("the rerun after the compile error converges", func(t *testing.T) { checkConverges(t, w) })

	step("a config error fails its project alone", func(t *testing.T) {
		const file = "projects/dns/Pulumi.local.yaml"
		orig := w.read(file)
		w.write(file, strings.Replace(orig, `ips: ["192.0.2.1"]`, `ips: ["192.0.2.300"]`, 1))
		defer w.write(file, orig)
		r := w.infra("deploy", "-env", "local")
		checkIsolated(t, r, "dns", "projects/dns/Pulumi.local.yaml")
		if !strings.Contains(r.row("dns").Error, "192.0.2.300") || !strings.Contains(r.out, fmt.Sprintf("preflight: 1 of %d project(s) cannot run", len(contracts.Projects))) {
			t.Errorf("the config problem is not listed up front with the bad value:\n%s", r.out)
		}
	})
	step("the rerun after the config error converges", func(t *testing.T) { checkConverges(t, w) })

	step("a panic in an apply fails its project alone and leaves no lock", func(t *testing.T) {
		const file = "projects/dns/program/program.go"
		const anchor = "\trecordTags := "
		orig := w.read(file)
		if !strings.Contains(orig, anchor) {
			t.Fatalf("%s has no %q to insert the panic before", file, anchor)
		}
		w.write(file, strings.Replace(orig, anchor, "\tpulumi.String(\"x\").ToStringOutput().ApplyT(func(string) string { panic(\"e2e: injected panic in an apply\") })\n"+anchor, 1))
		defer w.write(file, orig)
		r := w.infra("deploy", "-env", "local")
		checkIsolated(t, r, "dns", "panic: e2e: injected panic in an apply")
		if !strings.Contains(r.row("dns").Error, "projects/dns/program/program.go:") {
			t.Errorf("the summary does not show the panic's first frames:\n%s", r.row("dns").Error)
		}
		if locks := w.lockFiles(); len(locks) > 0 {
			t.Errorf("locks left behind: %v", locks)
		}
	})
	step("the rerun after the panic converges", func(t *testing.T) { checkConverges(t, w) })

	step("SIGKILL of one project's process mid-create fails it alone", func(t *testing.T) {
		const file = "projects/kafka-data-plane/kafka-topics.yaml"
		orig := w.read(file)
		w.write(file, orig+"\n  - name: \"{stack}-e2e-killed\"\n    description: created while its project process is killed\n")
		defer w.write(file, orig)
		if err := sandbox.SetFaults(w.sandboxDir(), []sandbox.Fault{{Op: "create", Type: typeTopic, Name: "*e2e-killed", Delay: "6s"}}); err != nil {
			t.Fatal(err)
		}
		cmd := w.command("deploy", "-env", "local")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		bin := filepath.Join(w.root, "bin", "projects", "kafka-data-plane")
		var victim int
		for deadline := time.Now().Add(3 * time.Minute); victim == 0 && time.Now().Before(deadline); {
			for _, l := range w.lockFiles() {
				if strings.Contains(l, "/organization/kafka-data-plane/local/") {
					victim = processOf(bin, cmd.Process.Pid)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		if victim == 0 {
			_ = cmd.Process.Kill()
			t.Fatalf("never saw kafka-data-plane's process holding its stack lock\n%s", out.String())
		}
		time.Sleep(time.Second) // mid-create: the create is delayed 6 s
		if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("killing kafka-data-plane's process %d: %v\n%s", victim, err, out.String())
		}
		select {
		case <-exited:
		case <-time.After(5 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("the run did not end after its project process was killed\n%s", out.String())
		}
		r := result{out: out.String(), code: cmd.ProcessState.ExitCode()}
		r.report = w.loadReport(r.out)
		checkIsolated(t, r, "kafka-data-plane", "crashed (killed by signal killed)")
		if locks := w.lockFiles(); len(locks) > 0 {
			t.Errorf("the killed project's CLI was not stopped cleanly: locks left %v", locks)
		}
		if err := sandbox.SetFaults(w.sandboxDir(), nil); err != nil {
			t.Fatal(err)
		}
	})
	step("the rerun after the kill converges", func(t *testing.T) { checkConverges(t, w) })
}

// checkIsolated checks one broken project's run: exit 1, the project
// failed naming the cause, its dependents blocked by it, every other
// project deployed (no-op or changed), and nothing reported as skipped.
func checkIsolated(t *testing.T, r result, broken, cause string) {
	t.Helper()
	if r.code != report.ExitFailed || r.report == nil {
		t.Fatalf("exit %d, want 1 with a report\n%s", r.code, r.out)
	}
	blocked := map[string]bool{}
	for _, p := range dependentsOf(broken) {
		blocked[p] = true
	}
	for _, p := range contracts.Projects {
		row := r.row(p)
		switch {
		case p == broken:
			if row.Result != report.Failed || !strings.Contains(row.Error, cause) {
				t.Errorf("%s: %s %q, want failed with %q", p, row.Label(), row.Error, cause)
			}
		case blocked[p]:
			if row.Label() != "blocked-by-"+broken {
				t.Errorf("%s: %s, want blocked-by-%s", p, row.Label(), broken)
			}
		default:
			if row.Result != report.NoOp && row.Result != report.Changed {
				t.Errorf("%s: %s %s, want deployed (independent of %s)", p, row.Label(), row.Error, broken)
			}
		}
	}
	if !strings.Contains(r.out, cause) {
		t.Errorf("the output does not name the cause %q:\n%s", cause, r.out)
	}
}

// checkConverges reruns the deploy and checks it succeeds, leaves no lock
// and no pending operation, and that every stack exports as valid state.
func checkConverges(t *testing.T, w *workspace) {
	t.Helper()
	r := w.infra("deploy", "-env", "local")
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.out)
	}
	if locks := w.lockFiles(); len(locks) > 0 {
		t.Errorf("locks left: %v", locks)
	}
	for _, p := range contracts.Projects {
		if d := w.export(p); len(d.Deployment.PendingOperations) > 0 {
			t.Errorf("%s: pending operations %v", p, d.Deployment.PendingOperations)
		}
	}
}

// dependentsOf returns the transitive dependents of project.
func dependentsOf(project string) []string {
	var out []string
	seen := map[string]bool{project: true}
	for changed := true; changed; {
		changed = false
		for _, p := range contracts.Projects {
			if seen[p] {
				continue
			}
			for _, u := range contracts.Upstreams(p) {
				if seen[u] {
					seen[p], changed = true, true
					out = append(out, p)
					break
				}
			}
		}
	}
	return out
}

// processOf returns a descendant of root running the binary bin, or 0.
func processOf(bin string, root int) int {
	for _, pid := range descendants(root) {
		if exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); err == nil && exe == bin {
			return pid
		}
	}
	return 0
}

func (w *workspace) remove(rel string) {
	w.t.Helper()
	if err := os.Remove(filepath.Join(w.root, rel)); err != nil {
		w.t.Fatal(err)
	}
}
