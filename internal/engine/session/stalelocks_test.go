package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/procid"
)

// exited returns the identity of a child process that has run to its end
// and been reaped, as the CLI wrapper records it right after the start.
func exited(t *testing.T) procid.Identity {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id, err := procid.Of(cmd.Process.Pid)
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestClearStaleLocks(t *testing.T) {
	backend := t.TempDir()
	s := &Session{BackendURL: "file://" + backend, EnvDir: t.TempDir()}
	s.Settings = mustSettings(t, "local")
	owners := procid.OwnersDir(s.EnvDir)
	host, _ := os.Hostname()
	dir := filepath.Join(backend, ".pulumi", "locks", "organization", "dns", "local")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, pid int, hostname string) string {
		path := filepath.Join(dir, name+".json")
		body := `{"pid":` + strconv.Itoa(pid) + `,"username":"u","hostname":"` + hostname + `","timestamp":"t"}`
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path+".attrs", []byte("{}"), 0o644)
		return path
	}
	record := func(id procid.Identity) {
		if _, err := procid.WriteOwner(owners, id); err != nil {
			t.Fatal(err)
		}
	}

	// A CLI of this machine, boot and namespace that has exited.
	dead := exited(t)
	record(dead)
	stale := write("stale", dead.PID, host)
	// Its owner record says another PID namespace: a container sharing
	// .state, whose pids mean other processes.
	container := exited(t)
	container.PIDNamespace = "pid:[4026532999]"
	record(container)
	inContainer := write("container", container.PID, host)
	// No owner record: not a CLI the orchestrator started here.
	unrecorded := exited(t)
	noRecord := write("norecord", unrecorded.PID, host)
	// A live process.
	me, err := procid.Self()
	if err != nil {
		t.Fatal(err)
	}
	record(me)
	live := write("live", me.PID, host)
	// The record names another host than the lock.
	other := exited(t)
	record(other)
	remote := write("remote", other.PID, "another-host")

	lines, err := s.ClearStaleLocks([]string{"dns", "kafka-data-plane"})
	if err != nil {
		t.Fatal(err)
	}
	var removed, kept []string
	for _, l := range lines {
		t.Log(l)
		switch {
		case strings.HasPrefix(l, LockRemoved):
			removed = append(removed, l)
		case strings.HasPrefix(l, LockKept):
			kept = append(kept, l)
		default:
			t.Errorf("line neither removed nor kept: %q", l)
		}
	}
	if len(removed) != 1 || !strings.Contains(removed[0], "pid "+strconv.Itoa(dead.PID)+"@"+host) || !strings.Contains(removed[0], "dns/local") {
		t.Fatalf("removed %q", removed)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("the stale lock is still there")
	}
	if _, err := os.Stat(stale + ".attrs"); !os.IsNotExist(err) {
		t.Error("the stale lock's attrs are still there")
	}
	if _, ok, _ := procid.ReadOwner(owners, dead.PID); ok {
		t.Error("the dead owner's record is still there")
	}
	for _, keep := range []string{inContainer, noRecord, live, remote} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	if len(kept) != 4 {
		t.Fatalf("kept %d locks, want 4: %q", len(kept), kept)
	}
	want := map[int]string{
		container.PID:  "another PID namespace (container)",
		unrecorded.PID: "no owner record",
		me.PID:         "still runs",
		other.PID:      "does not match the lock",
	}
	for pid, why := range want {
		found := false
		for _, l := range kept {
			if strings.Contains(l, "held by pid "+strconv.Itoa(pid)+"@") {
				found = true
				for _, part := range []string{"dns/local", why, ", since t)", "only if you are sure no update runs",
					"cd projects/dns", "pulumi cancel --stack organization/dns/local", s.BackendURL} {
					if !strings.Contains(strings.ToLower(l), strings.ToLower(part)) {
						t.Errorf("the line of pid %d lacks %q: %s", pid, part, l)
					}
				}
			}
		}
		if !found {
			t.Errorf("no line for the lock of pid %d (%s): %q", pid, why, kept)
		}
	}
	// Nothing changes on a second pass: the kept locks stay kept.
	again, err := s.ClearStaleLocks([]string{"dns"})
	if err != nil || len(again) != 4 {
		t.Fatalf("second pass: %v %q", err, again)
	}

	s.BackendURL = "s3://bucket"
	if lines, _ := s.ClearStaleLocks([]string{"dns"}); lines != nil {
		t.Fatal("touched a non-file backend")
	}
}

func mustSettings(t *testing.T, env string) *environment.Settings {
	t.Helper()
	s, err := environment.Load(root(t), env)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
