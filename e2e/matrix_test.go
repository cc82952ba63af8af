package e2e

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clustera/infra/internal/engine/report"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/procid"
)

// The fault matrix (issue #13): each row breaks one thing on `local`,
// through the real engine, and records what the user sees, the exit code,
// that nothing was lost or orphaned and that a rerun converges. The rows
// are also the documentation: docs/fault-matrix.md is generated from them
// (TestFaultMatrixDoc fails when the two disagree;
// INFRA_UPDATE_FAULT_MATRIX=1 rewrites the file).

// matrixRow is one row of the fault matrix.
type matrixRow struct {
	name string // the subtest
	// The documentation of the row (Markdown, no '|').
	fault string // the fault and how the test injects it
	lost  string // what "nothing lost" means beyond the common check
	note  string // anything else the reader must know, e.g. what cannot be simulated
	// sees are substrings of the faulted run's output; next, of the
	// converging rerun's. Both are checked.
	sees, next []string
	// exit is the faulted run's exit code (checked); exitNote explains it.
	exit     int
	exitNote string
	// repair is what the user does before the rerun ("" = nothing) and
	// fix does it.
	repair string
	fix    func(t *testing.T, w *workspace)
	// runbook is the runbook that covers the fault (docs/runbooks/…), if
	// any.
	runbook string
	// run injects the fault, runs the orchestrator, checks what is
	// particular to the row, clears the fault and returns the faulted
	// run.
	run func(t *testing.T, w *workspace) result
	// unreadable: the states cannot be exported until fix ran, so nothing
	// lost is checked after it.
	unreadable bool
}

// The secret of the secret-echo row: random per test process, so that no
// other text can contain it by chance.
var matrixSecret = "e2e-fake-cloudflare-token-" + randomHex(8)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var faultMatrix = []matrixRow{
	{
		name:    "provider create failure",
		fault:   "the provider fails the create of one new resource (a topic added to `projects/kafka-data-plane/kafka-topics.yaml`; sandbox fault on create)",
		sees:    []string{"injected: Aiven rejected the topic", "full log:"},
		exit:    report.ExitFailed,
		lost:    "the failed create left no object and no state entry",
		runbook: "failed-deploy.md",
		run: func(t *testing.T, w *workspace) result {
			addTopic(t, w, "e2e-create-fails", "")
			setFaults(t, w, sandbox.Fault{Op: "create", Type: typeTopic, Name: "*e2e-create-fails", Message: "injected: Aiven rejected the topic"})
			defer setFaults(t, w)
			r := w.infra("deploy", "-env", "local")
			checkIsolated(t, r, contracts.KafkaDataPlaneProject, "injected: Aiven rejected the topic")
			if _, ok, _ := w.cloud().Find(typeTopic, "local-e2e-create-fails"); ok {
				t.Error("the failed create left the topic in the sandbox")
			}
			return r
		},
	},
	{
		name:    "SIGINT once",
		fault:   "Ctrl-C (SIGINT) once while a create is in flight (a 15 s delay fault on the create of a new topic)",
		sees:    []string{"interrupt received: cancelling in-flight operations cleanly", "interrupted: in-flight operations were cancelled and their stacks unlocked"},
		exit:    report.ExitInterrupted,
		lost:    "the in-flight create finished and was saved: no pending operation, no lock",
		runbook: "failed-deploy.md",
		run: func(t *testing.T, w *workspace) result {
			addTopic(t, w, "e2e-sigint", "604800000")
			setFaults(t, w, sandbox.Fault{Op: "create", Type: typeTopic, Name: "*e2e-sigint", Delay: "15s"})
			defer setFaults(t, w)
			b := w.start(t, nil, "deploy", "-env", "local")
			b.waitStep(t, contracts.KafkaDataPlaneProject, "create", "e2e-sigint")
			b.signal(t, syscall.SIGINT)
			r := b.wait(t, 3*time.Minute)
			if r.report == nil || !r.report.Interrupted {
				t.Fatalf("the report does not say interrupted\n%s", r.out)
			}
			for _, row := range r.report.Rows {
				switch {
				case row.Project == contracts.KafkaDataPlaneProject && row.Result != report.Interrupted:
					t.Errorf("%s: %s %s, want interrupted (it was running)", row.Project, row.Label(), row.Error)
				case row.Result == report.Failed || row.Result == report.Blocked:
					t.Errorf("%s: %s %s, want interrupted, skipped or finished", row.Project, row.Label(), row.Error)
				}
			}
			for _, p := range dependentsOf(contracts.KafkaDataPlaneProject) {
				if row := r.row(p); row.Result != report.Skipped {
					t.Errorf("%s (not started): %s, want skipped", p, row.Label())
				}
			}
			checkClean(t, w, "after the interrupt")
			if _, ok, _ := w.cloud().Find(typeTopic, "local-e2e-sigint"); !ok {
				t.Error("the create in flight did not finish")
			}
			return r
		},
	},
	{
		name: "SIGINT twice",
		fault: "Ctrl-C twice while an update is in flight (a 60 s delay fault on the update of a topic): the second kills every project process " +
			"and CLI at once",
		sees: []string{"received again: aborting; killing every project process and Pulumi CLI now",
			"aborted (second Ctrl-C) while", "the stack may stay locked until the next run"},
		next:    []string{"note: removed the stale lock of kafka-data-plane/local held by pid "},
		exit:    report.ExitInterrupted,
		lost:    "no process of the run survives; the killed update's lock and owner record stay behind until the next run",
		runbook: "state-locks.md",
		run: func(t *testing.T, w *workspace) result {
			setRetention(t, w, "e2e-sigint", "604800000", "172800000")
			setFaults(t, w, sandbox.Fault{Op: "update", Type: typeTopic, Name: "*e2e-sigint", Delay: "60s"})
			defer setFaults(t, w)
			b := w.start(t, nil, "deploy", "-env", "local")
			b.waitStep(t, contracts.KafkaDataPlaneProject, "update", "e2e-sigint")
			b.signal(t, syscall.SIGINT)
			if !b.waitOutput("interrupt received: cancelling", 30*time.Second) {
				t.Errorf("the first SIGINT was not acknowledged\n%s", b.output())
			}
			time.Sleep(time.Second)
			b.signal(t, syscall.SIGINT)
			r := b.wait(t, 3*time.Minute)
			pids := survivors(w.root)
			for end := time.Now().Add(5 * time.Second); len(pids) > 0 && time.Now().Before(end); pids = survivors(w.root) {
				time.Sleep(200 * time.Millisecond) // SIGKILL takes a moment
			}
			for _, pid := range pids {
				cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
				t.Errorf("a process of the aborted run still runs: pid %d %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			locks := stackLocks(w, contracts.KafkaDataPlaneProject)
			if len(locks) == 0 {
				t.Fatalf("no stale lock of kafka-data-plane after the abort; the row would prove nothing\n%s", r.out)
			}
			// The sandbox serves from the orchestrator, which lives on: the
			// killed CLI's update may still have landed.
			topic, _, _ := w.cloud().Find(typeTopic, "local-e2e-sigint")
			t.Logf("after the abort the sandbox's retention of e2e-sigint is %v (asked: 172800000)", configOf(topic)["retentionMs"])
			// The output must not say the lock was released while it is
			// still there.
			for _, claim := range []string{"stopped cleanly (state saved, lock released)", "their stacks unlocked"} {
				if strings.Contains(r.out, claim) {
					t.Errorf("the output says %q, but %s is still locked (%v): it should say which stacks were left locked\n%s",
						claim, "kafka-data-plane/local", locks, r.out)
				}
			}
			return r
		},
	},
	{
		name: "SIGKILL of the orchestrator",
		fault: "`kill -9` of the orchestrator and every process below it while an update is in flight (a 60 s delay fault): a crash, " +
			"a lost CI runner",
		next:     []string{"note: removed the stale lock of kafka-data-plane/local held by pid "},
		exit:     128 + int(syscall.SIGKILL),
		exitNote: " (killed: no exit code of its own; what a shell shows)",
		lost:     "the update never reached the sandbox; its pending operation is cleared by the rerun",
		runbook:  "state-locks.md",
		run: func(t *testing.T, w *workspace) result {
			setRetention(t, w, "e2e-sigint", "172800000", "259200000")
			setFaults(t, w, sandbox.Fault{Op: "update", Type: typeTopic, Name: "*e2e-sigint", Delay: "60s"})
			defer setFaults(t, w)
			b := w.start(t, nil, "deploy", "-env", "local")
			b.waitStep(t, contracts.KafkaDataPlaneProject, "update", "e2e-sigint")
			killTree(b.cmd.Process.Pid)
			r := b.wait(t, time.Minute)
			if len(stackLocks(w, contracts.KafkaDataPlaneProject)) == 0 {
				t.Fatal("no stale lock after the kill; the row would prove nothing")
			}
			if topic, _, _ := w.cloud().Find(typeTopic, "local-e2e-sigint"); configOf(topic)["retentionMs"] != "172800000" {
				t.Errorf("the killed update reached the sandbox: retention %v", configOf(topic)["retentionMs"])
			}
			return r
		},
	},
	{
		name:    "a concurrent second run",
		fault:   "a second `deploy` of the same environment and project while the first runs (its create delayed 20 s)",
		sees:    []string{"is locked by another run: pid "},
		exit:    report.ExitFailed,
		lost:    "the second run started nothing; the first finished normally (exit 0)",
		runbook: "state-locks.md",
		run: func(t *testing.T, w *workspace) result {
			addTopic(t, w, "e2e-concurrent", "")
			setFaults(t, w, sandbox.Fault{Op: "create", Type: typeTopic, Name: "*e2e-concurrent", Delay: "20s"})
			defer setFaults(t, w)
			first := w.start(t, nil, "deploy", "-env", "local", "-project", contracts.KafkaDataPlaneProject)
			first.waitStep(t, contracts.KafkaDataPlaneProject, "create", "e2e-concurrent")
			second := w.infra("deploy", "-env", "local", "-project", contracts.KafkaDataPlaneProject)
			if want := "is locked by another run: pid " + strconv.Itoa(first.cmd.Process.Pid); !strings.Contains(second.out, want) {
				t.Errorf("the second run does not name the holder (%q)\n%s", want, second.out)
			}
			if second.took > 10*time.Second {
				t.Errorf("the second run took %s to fail, want fast", second.took)
			}
			if r := first.wait(t, 3*time.Minute); r.code != 0 {
				t.Errorf("the first run: exit %d, want 0\n%s", r.code, r.out)
			}
			return second
		},
	},
	{
		name: "stale lock of a dead process",
		fault: "a Pulumi lock of `dns/local` with an owner record (`.state/local/cli-owners/<pid>.json`) of a process that is gone, on this host, " +
			"boot and PID namespace",
		sees:    []string{"note: removed the stale lock of dns/local held by pid "},
		exit:    0,
		lost:    "the lock and the owner record are removed",
		runbook: "state-locks.md",
		run: func(t *testing.T, w *workspace) result {
			lock, owner, id := fabricateLock(t, w, contracts.DNSProject, "")
			r := w.infra("deploy", "-env", "local")
			if want := fmt.Sprintf("removed the stale lock of dns/local held by pid %d@%s", id.PID, id.Host); !strings.Contains(r.out, want) {
				t.Errorf("no note %q\n%s", want, r.out)
			}
			for _, f := range []string{lock, owner} {
				if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is still there", f)
				}
			}
			return r
		},
	},
	{
		name: "lock of a process in another PID namespace",
		fault: "the same lock, but its owner record was made in another PID namespace (simulated: a container sharing `.state`, whose " +
			"pids mean other processes)",
		sees: []string{"note: kept the lock of dns/local held by pid ", "recorded in another PID namespace (container)",
			"pulumi cancel --stack organization/dns/local --yes", "is currently locked"},
		exit:    report.ExitFailed,
		lost:    "the lock is kept; only dns fails, the other projects deploy",
		repair:  "`pulumi cancel --stack organization/dns/local --yes`, as the note says",
		runbook: "state-locks.md",
		run: func(t *testing.T, w *workspace) result {
			fabricateLock(t, w, contracts.DNSProject, "pid:[4026532999]")
			r := w.infra("deploy", "-env", "local")
			checkIsolated(t, r, contracts.DNSProject, "is currently locked")
			if len(stackLocks(w, contracts.DNSProject)) == 0 {
				t.Error("the lock of a process that is not provably dead was removed")
			}
			return r
		},
		fix: func(t *testing.T, w *workspace) {
			if out, err := w.pulumi(contracts.DNSProject, "cancel", "--stack", "organization/dns/local", "--yes"); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		},
	},
	{
		name: "corrupt checkpoint",
		fault: "the checkpoint `.state/local/backend/.pulumi/stacks/dns/local.json` truncated to half (the file backend reads only that file, " +
			"never `local.json.bak`, which is left valid)",
		sees:       []string{"the state of organization/dns/local is unreadable: restore it as docs/runbooks/backup-restore-state.md describes"},
		exit:       report.ExitFailed,
		lost:       "nothing changed: the sandbox and the file stay byte for byte; only dns fails, the other projects deploy",
		repair:     "`pulumi stack import` of the backup made before (backup-restore-state.md)",
		runbook:    "backup-restore-state.md",
		unreadable: true,
		run: func(t *testing.T, w *workspace) result {
			if out, err := w.pulumi(contracts.DNSProject, "stack", "export", "--stack", "organization/dns/local", "--file", dnsBackup(w)); err != nil {
				t.Fatalf("backing up dns as the runbook says: %v\n%s", err, out)
			}
			path := checkpoint(w, contracts.DNSProject)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if bak, err := os.ReadFile(path + ".bak"); err != nil || !json.Valid(bak) {
				t.Logf("no valid %s.bak (%v): the row does not show that the backend ignores it", filepath.Base(path), err)
			}
			corrupt := data[:len(data)/2]
			if err := os.WriteFile(path, corrupt, 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, w)
			r := w.infra("deploy", "-env", "local")
			if snapshot(t, w) != before {
				t.Error("the sandbox changed")
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, corrupt) {
				t.Error("the corrupt checkpoint was rewritten")
			}
			checkIsolated(t, r, contracts.DNSProject, "the state of organization/dns/local is unreadable")
			if n := strings.Count(r.row(contracts.DNSProject).Error, "is unreadable"); n != 1 {
				t.Errorf("dns error names the unreadable state %d times, want once: %q", n, r.row(contracts.DNSProject).Error)
			}
			return r
		},
		fix: func(t *testing.T, w *workspace) {
			if out, err := w.pulumi(contracts.DNSProject, "stack", "import", "--stack", "organization/dns/local", "--file", dnsBackup(w)); err != nil {
				t.Fatalf("restoring dns as the runbook says: %v\n%s", err, out)
			}
		},
	},
	{
		name: "unreachable backend",
		fault: "the state backend cannot be reached: `env dev` with `PULUMI_BACKEND_URL` an R2 (s3://) endpoint on a closed local port; " +
			"for `local`, the stack folder made unreadable (chmod 000), only when the test does not run as root",
		sees: []string{"listing stacks in s3://", "connection refused"},
		exit: report.ExitFailed,
		lost: "the run stops before any project runs; nothing changed in the sandbox or the local state",
		note: "PULUMI_BACKEND_URL only applies outside local, and as root (CI, the dev container) chmod 000 does not deny reads: the " +
			"local variant cannot be simulated there and is skipped",
		run: func(t *testing.T, w *workspace) result {
			before, states := snapshot(t, w), stateFiles(t, w)
			if !runsAsRoot() {
				unreadableLocalBackend(t, w)
			}
			port := closedPort(t)
			r := w.infraWith([]string{
				"PULUMI_BACKEND_URL=s3://clustera-e2e-unreachable?endpoint=127.0.0.1:" + strconv.Itoa(port) + "&region=auto&s3ForcePathStyle=true",
				"AWS_ACCESS_KEY_ID=e2e", "AWS_SECRET_ACCESS_KEY=e2e", "PULUMI_CONFIG_PASSPHRASE=e2e", "PULUMI_HOME=" + t.TempDir(),
			}, "deploy", "-env", "dev")
			if r.took > 2*time.Minute {
				t.Errorf("the unreachable backend took %s to fail", r.took)
			}
			if snapshot(t, w) != before || stateFiles(t, w) != states {
				t.Error("the sandbox or the local state changed")
			}
			return r
		},
	},
	{
		name:  "slow provider with a deadline",
		fault: "a create slower than the deadline (a 40 s delay fault on a new topic) under `bin/infra deploy -timeout 20s`",
		sees:  []string{"timed out after 20s (-timeout)"},
		exit:  report.ExitFailed,
		lost:  "the CLI was interrupted and saved: the create in flight finished and is in the state; no lock, no pending operation",
		note: "the project ends when the step in flight does (an interrupted CLI waits for it), so a provider that never answers " +
			"holds the run",
		runbook: "failed-deploy.md",
		run: func(t *testing.T, w *workspace) result {
			addTopic(t, w, "e2e-slow", "")
			setFaults(t, w, sandbox.Fault{Op: "create", Type: typeTopic, Name: "*e2e-slow", Delay: "40s"})
			defer setFaults(t, w)
			r := w.infra("deploy", "-env", "local", "-timeout", "20s")
			checkIsolated(t, r, contracts.KafkaDataPlaneProject, "timed out after 20s (-timeout)")
			if e := r.row(contracts.KafkaDataPlaneProject).Error; !strings.Contains(e, "e2e-slow") {
				t.Errorf("the timeout does not name the step in flight (creating KafkaTopic e2e-slow): %q", e)
			}
			checkClean(t, w, "after the timeout")
			if _, ok, _ := w.cloud().Find(typeTopic, "local-e2e-slow"); !ok {
				t.Error("the create in flight did not finish")
			}
			return r
		},
	},
	{
		name: "secret echoed in a provider error",
		fault: "`CLOUDFLARE_API_TOKEN` set to a fake secret, and the provider's error for a new topic quotes it; `GITHUB_STEP_SUMMARY` " +
			"set",
		sees:    []string{"401 Unauthorized: token [secret] is not valid"},
		exit:    report.ExitFailed,
		lost:    "the secret is in neither the output, nor report.json, nor the step summary: each shows [secret]",
		note:    "the project's own log under `.state/runs/` is the CLI's output and keeps the provider's message as it is",
		runbook: "rotate-secrets.md",
		run: func(t *testing.T, w *workspace) result {
			addTopic(t, w, "e2e-secret", "")
			setFaults(t, w, sandbox.Fault{Op: "create", Type: typeTopic, Name: "*e2e-secret",
				Message: "401 Unauthorized: token " + matrixSecret + " is not valid"})
			defer setFaults(t, w)
			summary := filepath.Join(t.TempDir(), "step-summary.md")
			r := w.infraWith([]string{"CLOUDFLARE_API_TOKEN=" + matrixSecret, "GITHUB_STEP_SUMMARY=" + summary}, "deploy", "-env", "local")
			checkIsolated(t, r, contracts.KafkaDataPlaneProject, "401 Unauthorized: token [secret] is not valid")
			texts := map[string]string{"the output": r.out}
			if m := reportLine.FindStringSubmatch(r.out); m != nil {
				texts["report.json"] = w.read(m[1])
			} else {
				t.Error("no report.json")
			}
			if data, err := os.ReadFile(summary); err == nil {
				texts["the step summary"] = string(data)
			} else {
				t.Errorf("no step summary: %v", err)
			}
			for what, text := range texts {
				if strings.Contains(text, matrixSecret) {
					t.Errorf("the secret is in %s", what)
				}
				if !strings.Contains(text, "[secret]") {
					t.Errorf("%s does not show [secret]", what)
				}
			}
			return r
		},
	},
}

// TestFaultMatrix runs the rows of the fault matrix in order, in one
// workspace: each row's fault, its checks, then the rerun that must
// converge before the next row.
func TestFaultMatrix(t *testing.T) {
	w := newWorkspace(t)
	if !t.Run("deploy all from empty", func(t *testing.T) {
		if r := w.infra("deploy", "-env", "local"); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		checkNoOrphans(t, w)
		checkOrphansSees(t, w)
	}) {
		t.FailNow()
	}
	for _, row := range faultMatrix {
		t.Run(row.name, func(t *testing.T) {
			r := row.run(t, w)
			if r.code != row.exit {
				t.Errorf("exit %d, want %d\n%s", r.code, row.exit, r.out)
			}
			for _, s := range row.sees {
				if line := lineWith(r.out, s); line == "" {
					t.Errorf("the output does not say %q\n%s", s, r.out)
				} else {
					t.Logf("the user sees: %s", line)
				}
			}
			if !row.unreadable {
				checkNoOrphans(t, w)
			}
		})
		// A row that does not converge leaves the workspace broken for
		// the next ones.
		if !t.Run(row.name+": rerun converges", func(t *testing.T) {
			setFaults(t, w)
			if row.fix != nil {
				row.fix(t, w)
			}
			r := converge(t, w)
			for _, s := range row.next {
				if line := lineWith(r.out, s); line == "" {
					t.Errorf("the rerun does not say %q\n%s", s, r.out)
				} else {
					t.Logf("the rerun says: %s", line)
				}
			}
			checkNoOrphans(t, w)
		}) {
			t.FailNow()
		}
	}
}

// TestFaultMatrixDoc checks docs/fault-matrix.md against the rows.
func TestFaultMatrixDoc(t *testing.T) {
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "docs", "fault-matrix.md")
	want := faultMatrixDoc()
	if os.Getenv("INFRA_UPDATE_FAULT_MATRIX") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/fault-matrix.md is not the matrix of e2e/matrix_test.go (%v): regenerate it with "+
			"INFRA_UPDATE_FAULT_MATRIX=1 go test ./e2e -run TestFaultMatrixDoc", err)
	}
}

// faultMatrixDoc renders the rows as docs/fault-matrix.md.
func faultMatrixDoc() string {
	var b strings.Builder
	b.WriteString(`# Fault matrix

What the orchestrator does when something breaks, row by row: the fault, what the user sees, the exit code, that
nothing is lost or orphaned, and that a rerun converges. Every row is a case of the end-to-end test
` + "`TestFaultMatrix`" + ` ([e2e/matrix_test.go](../e2e/matrix_test.go)), run on ` + "`local`" + ` through the real engine, in this order,
in one workspace; this file is generated from the test's rows and checked against them: do not edit it, change
the rows and run ` + "`INFRA_UPDATE_FAULT_MATRIX=1 go test ./e2e -run TestFaultMatrixDoc`" + `.

Every row checks:

- **what the user sees**: each quoted text is in the output of the run with the fault (or, marked *next run*, of
  the rerun);
- **exit**: the exit code of the run with the fault (` + "`0`" + ` ok, ` + "`1`" + ` failed or blocked, ` + "`2`" + ` changes pending, ` + "`130`" + `
  interrupted);
- **nothing lost or orphaned**: every object of the sandbox is in some stack's state and every custom resource of
  every state exists in the sandbox (by type and ID; a queue consumer by its consumer ID and an R2 event
  notification by account, jurisdiction, bucket and queue, since the provider reports the account ID as their
  ID);
- **converges**: after the repair, if any, ` + "`deploy -env local`" + ` exits 0 and leaves no stack lock and no pending
  operation, and again nothing is lost or orphaned.

| # | Fault | What the user sees (checked) | Exit | Nothing lost or orphaned | Rerun converges | Runbook |
|--:|---|---|--:|---|---|---|
`)
	for i, r := range faultMatrix {
		var sees []string
		for _, s := range r.sees {
			sees = append(sees, "`"+s+"`")
		}
		for _, s := range r.next {
			sees = append(sees, "*next run:* `"+s+"`")
		}
		converges := "yes"
		if r.repair != "" {
			converges = "after " + r.repair
		}
		fault := r.fault
		if r.note != "" {
			fault += ". *Note:* " + r.note
		}
		runbook := "—"
		if r.runbook != "" {
			runbook = fmt.Sprintf("[%s](runbooks/%s)", r.runbook, r.runbook)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %d%s | %s | %s | %s |\n", i+1, fault, strings.Join(sees, "; "), r.exit,
			r.exitNote, r.lost, converges, runbook)
	}
	return b.String()
}

// lineWith returns the first line of out that contains s, "" if none.
func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// checkNoOrphans compares the sandbox with the union of every stack's
// state: every object of the sandbox is a custom resource of some state,
// and every custom resource of a state exists in the sandbox.
func checkNoOrphans(t *testing.T, w *workspace) {
	t.Helper()
	for _, p := range orphans(stateObjects(w), w.objects()) {
		t.Error(p)
	}
}

// stateObjects maps the key of every cloud object in a stack's state to
// its project.
func stateObjects(w *workspace) map[string]string {
	w.t.Helper()
	inState := map[string]string{}
	for _, p := range contracts.Projects {
		for _, r := range w.export(p).Deployment.Resources {
			if !r.Custom || strings.HasPrefix(r.Type, "pulumi:") {
				continue // providers, stack references: not cloud objects
			}
			inState[stateObjectKey(r.Type, r.ID, r.Outputs)] = p
		}
	}
	return inState
}

// orphans returns the sandbox objects in no state and the state entries
// with no sandbox object.
func orphans(inState map[string]string, objs []sandbox.Object) []string {
	var out []string
	inCloud := map[string]bool{}
	for _, o := range objs {
		k := cloudObjectKey(o)
		inCloud[k] = true
		if _, ok := inState[k]; !ok {
			out = append(out, fmt.Sprintf("orphan: the sandbox holds %s %q (%s) that no stack's state has", o.Type, o.Name, o.Key))
		}
	}
	keys := make([]string, 0, len(inState))
	for k := range inState {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !inCloud[k] {
			out = append(out, fmt.Sprintf("lost: the state of %s has %s, which the sandbox does not hold", inState[k], k))
		}
	}
	return out
}

// checkOrphansSees proves that orphans sees an object missing from the
// sandbox and one the states do not know, of each type that has no ID of
// its own too.
func checkOrphansSees(t *testing.T, w *workspace) {
	t.Helper()
	inState, objs := stateObjects(w), w.objects()
	for _, typ := range []string{typeTopic, typeConsumer, typeNotify} {
		i := slices.IndexFunc(objs, func(o sandbox.Object) bool { return o.Type == typ })
		if i < 0 {
			t.Errorf("the sandbox holds no %s", typ)
			continue
		}
		missing := slices.Delete(slices.Clone(objs), i, i+1)
		if p := orphans(inState, missing); len(p) != 1 || !strings.HasPrefix(p[0], "lost: ") {
			t.Errorf("a %s missing from the sandbox: %q, want it lost", typ, p)
		}
		stray := objs[i]
		stray.ID, stray.Key = stray.ID+"-stray", stray.Key+"-stray"
		if p := orphans(inState, append(slices.Clone(objs), stray)); len(p) != 1 || !strings.HasPrefix(p[0], "orphan: ") {
			t.Errorf("a stray %s: %q, want an orphan", typ, p)
		}
	}
}

// stateObjectKey and cloudObjectKey identify an object the same way from
// a state's resource and from the sandbox: by type and Pulumi ID, except
// for the two types whose ID the real provider reports as the account ID
// (sandbox Object doc): their sandbox key, rebuilt from the outputs.
func stateObjectKey(typ, id string, outputs map[string]any) string {
	s := func(k string) string { v, _ := outputs[k].(string); return v }
	switch typ {
	case typeConsumer:
		return typ + " key " + s("consumerId")
	case typeNotify:
		jurisdiction := s("jurisdiction")
		if jurisdiction == "" {
			jurisdiction = "default"
		}
		return typ + " key " + strings.Join([]string{s("accountId"), jurisdiction, s("bucketName"), s("queueId")}, "/")
	}
	return typ + " id " + id
}

func cloudObjectKey(o sandbox.Object) string {
	switch o.Type {
	case typeConsumer, typeNotify:
		return o.Type + " key " + o.Key
	}
	return o.Type + " id " + o.ID
}

// converge reruns the deploy: exit 0, no lock, no pending operation.
func converge(t *testing.T, w *workspace) result {
	t.Helper()
	r := w.infra("deploy", "-env", "local")
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.out)
	}
	checkClean(t, w, "after the rerun")
	return r
}

// checkClean checks that no stack is locked and none has pending
// operations.
func checkClean(t *testing.T, w *workspace, when string) {
	t.Helper()
	if locks := w.lockFiles(); len(locks) > 0 {
		t.Errorf("%s: locks left: %v", when, locks)
	}
	for _, p := range contracts.Projects {
		if d := w.export(p); len(d.Deployment.PendingOperations) > 0 {
			t.Errorf("%s: %s has pending operations %v", when, p, d.Deployment.PendingOperations)
		}
	}
}

func setFaults(t *testing.T, w *workspace, faults ...sandbox.Fault) {
	t.Helper()
	if err := sandbox.SetFaults(w.sandboxDir(), faults); err != nil {
		t.Fatal(err)
	}
}

const topicFile = "projects/kafka-data-plane/kafka-topics.yaml"

// topicBlock is how addTopic declares a topic.
func topicBlock(name, retention string) string {
	s := fmt.Sprintf("  - name: \"{stack}-%s\"\n    description: fault matrix (e2e)\n", name)
	if retention != "" {
		s += fmt.Sprintf("    retention_ms: %q\n", retention)
	}
	return s
}

// addTopic declares a new data-plane topic (docs/kafka.md), which the
// next deploy creates; it stays for the later rows.
func addTopic(t *testing.T, w *workspace, name, retention string) {
	t.Helper()
	y := w.read(topicFile)
	if !strings.HasSuffix(y, "\n") {
		y += "\n"
	}
	w.write(topicFile, y+topicBlock(name, retention))
}

// setRetention changes the retention of a topic addTopic declared, which
// the next deploy updates.
func setRetention(t *testing.T, w *workspace, name, from, to string) {
	t.Helper()
	y := w.read(topicFile)
	old := topicBlock(name, from)
	if !strings.Contains(y, old) {
		t.Fatalf("%s does not declare %q with retention %s (an earlier row failed?)", topicFile, name, from)
	}
	w.write(topicFile, strings.Replace(y, old, topicBlock(name, to), 1))
}

// infraWith is w.infra with more environment variables (later ones win).
func (w *workspace) infraWith(env []string, args ...string) result {
	w.t.Helper()
	b := w.start(w.t, env, args...)
	return b.wait(w.t, 10*time.Minute)
}

// bgRun is an orchestrator run in the background.
type bgRun struct {
	w     *workspace
	cmd   *exec.Cmd
	start time.Time
	// runs are the run folders that existed before it started.
	runs map[string]bool
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
	err  error
}

func (b *bgRun) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *bgRun) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (w *workspace) start(t testing.TB, env []string, args ...string) *bgRun {
	t.Helper()
	cmd := w.command(args...)
	cmd.Env = append(cmd.Env, env...)
	b := &bgRun{w: w, cmd: cmd, runs: w.runFolders(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b, b
	b.start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.err = cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			killTree(cmd.Process.Pid)
			<-b.done
		}
	})
	return b
}

func (b *bgRun) exited() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

func (b *bgRun) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v\n%s", sig, err, b.output())
	}
}

// waitOutput waits for text in the output.
func (b *bgRun) waitOutput(text string, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(b.output(), text) {
			return true
		}
		if b.exited() {
			return strings.Contains(b.output(), text)
		}
	}
	return false
}

// waitStep waits until the engine has started op ("create", "update") on
// the resource named name of project, from the project's event stream.
func (b *bgRun) waitStep(t *testing.T, project, op, name string) {
	t.Helper()
	for deadline := time.Now().Add(4 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if b.exited() {
			t.Fatalf("the run ended before it started to %s %s\n%s", op, name, b.output())
		}
		for dir := range b.w.runFolders() {
			if !b.runs[dir] && stepStarted(filepath.Join(b.w.runsDir(), dir, project+".events.jsonl"), op, name) {
				return
			}
		}
	}
	killTree(b.cmd.Process.Pid)
	t.Fatalf("%s never started to %s %s\n%s", project, op, name, b.output())
}

func stepStarted(events, op, name string) bool {
	f, err := os.Open(events)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		var e struct {
			Pre *struct {
				Metadata struct {
					Op  string `json:"op"`
					URN string `json:"urn"`
				} `json:"metadata"`
			} `json:"resourcePreEvent"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Pre != nil && e.Pre.Metadata.Op == op && strings.HasSuffix(e.Pre.Metadata.URN, "::"+name) {
			return true
		}
	}
	return false
}

// wait waits for the run to end and returns it; a run killed by a signal
// has the exit code a shell shows (128 + the signal).
func (b *bgRun) wait(t testing.TB, timeout time.Duration) result {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(timeout):
		killTree(b.cmd.Process.Pid)
		<-b.done
		t.Fatalf("the run did not end within %s\n%s", timeout, b.output())
	}
	r := result{out: b.output(), took: time.Since(b.start)}
	var ee *exec.ExitError
	switch {
	case errors.As(b.err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.code = 128 + int(ws.Signal())
		}
	case b.err != nil:
		t.Fatalf("%v: %v", b.cmd.Args, b.err)
	}
	r.report = b.w.loadReport(r.out)
	t.Logf("infra %s → exit %d in %s", strings.Join(b.cmd.Args[1:], " "), r.code, r.took.Round(100*time.Millisecond))
	return r
}

func (w *workspace) runsDir() string { return filepath.Join(w.root, ".state", "runs", "local") }

func (w *workspace) runFolders() map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir(w.runsDir())
	for _, e := range entries {
		if e.IsDir() {
			out[e.Name()] = true
		}
	}
	return out
}

// killTree kills pid and every process below it at once, as a crash or a
// lost machine would.
func killTree(pid int) {
	for _, p := range append(descendants(pid), pid) {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

// survivors returns the live processes (zombies aside) whose working
// directory is in root: what an aborted run left running.
func survivors(root string) []int {
	var out []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink(filepath.Join(d, "cwd"))
		if err != nil || (cwd != root && !strings.HasPrefix(cwd, root+string(os.PathSeparator))) {
			continue
		}
		if id, err := procid.Of(pid); err == nil {
			if dead, _ := id.Dead(); dead {
				continue
			}
		}
		out = append(out, pid)
	}
	return out
}

// stackLocks lists the Pulumi lock files of project's local stack.
func stackLocks(w *workspace, project string) []string {
	var out []string
	for _, l := range w.lockFiles() {
		if strings.Contains(l, "/organization/"+project+"/local/") {
			out = append(out, l)
		}
	}
	return out
}

// fabricateLock writes a Pulumi stack lock of project held by a process
// that has exited, and that process's owner record, as the CLI wrapper
// writes it (shared/procid); pidNamespace, when set, replaces the record's
// PID namespace. It returns the lock file, the record and its identity.
func fabricateLock(t *testing.T, w *workspace, project, pidNamespace string) (lock, owner string, id procid.Identity) {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id, err := procid.Of(cmd.Process.Pid) // an unreaped child still has its identity
	if err != nil {
		t.Fatalf("no process identity here: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if pidNamespace != "" {
		if pidNamespace == id.PIDNamespace {
			t.Fatalf("the simulated namespace %s is this one", pidNamespace)
		}
		id.PIDNamespace = pidNamespace
	}
	owners := procid.OwnersDir(filepath.Join(w.root, ".state", "local"))
	if _, err := procid.WriteOwner(owners, id); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.root, ".state", "local", "backend", ".pulumi", "locks", "organization", project, "local")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lock = filepath.Join(dir, "e2e-"+randomHex(8)+".json")
	body, _ := json.Marshal(map[string]any{"pid": id.PID, "username": "e2e", "hostname": id.Host, "timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
	if err := os.WriteFile(lock, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return lock, filepath.Join(owners, strconv.Itoa(id.PID)+".json"), id
}

// checkpoint is the file of project's local stack in the file backend.
func checkpoint(w *workspace, project string) string {
	return filepath.Join(w.root, ".state", "local", "backend", ".pulumi", "stacks", project, "local.json")
}

// dnsBackup is where the corrupt-checkpoint row keeps its backup, outside
// the repository, as backup-restore-state.md asks.
func dnsBackup(w *workspace) string {
	return filepath.Join(filepath.Dir(w.root), "dns-local-backup.json")
}

// stateFiles returns the local stacks' checkpoints, concatenated.
func stateFiles(t *testing.T, w *workspace) string {
	t.Helper()
	var b strings.Builder
	for _, p := range contracts.Projects {
		data, err := os.ReadFile(checkpoint(w, p))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

func runsAsRoot() bool { return os.Geteuid() == 0 }

// unreadableLocalBackend is the local variant of the unreachable backend,
// where permissions bite (not as root): the dns stack folder made
// unreadable fails the run and changes nothing.
func unreadableLocalBackend(t *testing.T, w *workspace) {
	t.Helper()
	dir := filepath.Dir(checkpoint(w, contracts.DNSProject))
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chmod(dir, 0o755) }()
	if _, err := os.ReadFile(checkpoint(w, contracts.DNSProject)); err == nil {
		t.Log("chmod 000 does not deny reads here: the local variant cannot be simulated")
		return
	}
	before := snapshot(t, w)
	r := w.infra("deploy", "-env", "local")
	if r.code != report.ExitFailed || !strings.Contains(r.out, "permission denied") {
		t.Errorf("unreadable local backend: exit %d, want 1 naming the permission problem\n%s", r.code, r.out)
	}
	if snapshot(t, w) != before {
		t.Error("the sandbox changed although the backend was unreadable")
	}
}

// closedPort returns a local TCP port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}
