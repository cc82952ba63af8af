package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/shared/environment"
)

func TestClearStaleLocks(t *testing.T) {
	backend := t.TempDir()
	s := &Session{BackendURL: "file://" + backend}
	s.Settings = mustSettings(t, "local")
	host, _ := os.Hostname()
	dir := filepath.Join(backend, ".pulumi", "locks", "organization", "dns", "local")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A process that has exited: its pid is free.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.ProcessState.Pid()
	write := func(name string, pid int, hostname string) string {
		path := filepath.Join(dir, name+".json")
		body := `{"pid":` + strconv.Itoa(pid) + `,"username":"u","hostname":"` + hostname + `","timestamp":"t"}`
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path+".attrs", []byte("{}"), 0o644)
		return path
	}
	stale := write("stale", dead, host)
	live := write("live", os.Getpid(), host)
	remote := write("remote", dead, "another-host")

	removed, err := s.ClearStaleLocks([]string{"dns", "kafka-data-plane"})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || !strings.Contains(removed[0], "pid "+strconv.Itoa(dead)) {
		t.Fatalf("removed %v", removed)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("the stale lock is still there")
	}
	if _, err := os.Stat(stale + ".attrs"); !os.IsNotExist(err) {
		t.Error("the stale lock's attrs are still there")
	}
	for _, keep := range []string{live, remote} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	s.BackendURL = "s3://bucket"
	if removed, _ := s.ClearStaleLocks([]string{"dns"}); removed != nil {
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

func TestAliveTreatsZombiesAsDead(t *testing.T) {
	if !alive(os.Getpid()) {
		t.Fatal("this process is not alive")
	}
	// A child that exits and is not reaped yet is a zombie.
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		t.Fatal("an exited, unreaped child counts as alive")
	}
	_ = cmd.Wait()
	if alive(pid) {
		t.Fatal("a reaped child counts as alive")
	}
}
