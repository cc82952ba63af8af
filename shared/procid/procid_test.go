package procid

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func self(t *testing.T) Identity {
	t.Helper()
	id, err := Self()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	return id
}

// exited returns the identity of a child process that has run to its end
// and been reaped: its pid is free.
func exited(t *testing.T) Identity {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id, err := Of(cmd.Process.Pid) // running, or a zombie until Wait
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSelfIsAlive(t *testing.T) {
	id := self(t)
	if id.PID != os.Getpid() || id.Host == "" || id.BootID == "" || !strings.HasPrefix(id.PIDNamespace, "pid:[") || id.StartTicks == 0 {
		t.Fatalf("incomplete identity %+v", id)
	}
	if dead, why := id.Dead(); dead || !strings.Contains(why, "still runs") {
		t.Fatalf("Dead() = %v, %q", dead, why)
	}
}

func TestFinishedChildIsDead(t *testing.T) {
	self(t)
	id := exited(t)
	if dead, why := id.Dead(); !dead || why == "" {
		t.Fatalf("a reaped child: Dead() = %v, %q", dead, why)
	}
}

func TestZombieIsDead(t *testing.T) {
	self(t)
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	id, err := Of(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if state, _, err := stat(id.PID); err != nil || state == 'Z' {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not exit")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if dead, why := id.Dead(); !dead || !strings.Contains(why, "zombie") {
		t.Fatalf("an exited, unreaped child: Dead() = %v, %q", dead, why)
	}
}

func TestNotProvablyDeadElsewhere(t *testing.T) {
	self(t)
	gone := exited(t)
	cases := []struct {
		name string
		edit func(*Identity)
		why  string
	}{
		{"another PID namespace", func(id *Identity) { id.PIDNamespace = "pid:[1]" }, "another PID namespace (container)"},
		{"another boot", func(id *Identity) { id.BootID = "00000000-0000-0000-0000-000000000000" }, "another boot"},
		{"another host", func(id *Identity) { id.Host = "elsewhere.example" }, "another host (elsewhere.example)"},
		{"no record", func(id *Identity) { *id = Identity{} }, "no owner record"},
		{"incomplete record", func(id *Identity) { id.BootID = "" }, "incomplete"},
	}
	for _, c := range cases {
		id := gone
		c.edit(&id)
		if dead, why := id.Dead(); dead || !strings.Contains(why, c.why) {
			t.Errorf("%s: Dead() = %v, %q; want false, %q", c.name, dead, why, c.why)
		}
	}
}

func TestReusedPIDIsDead(t *testing.T) {
	id := self(t)
	id.StartTicks++ // same pid, another process
	if dead, why := id.Dead(); !dead || !strings.Contains(why, "started later") {
		t.Fatalf("a reused pid: Dead() = %v, %q", dead, why)
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (we ird) (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 3133440 392 18446744073709551615 0 0"
	state, start, err := parseStat(line)
	if err != nil || state != 'S' || start != 987654 {
		t.Fatalf("parseStat = %c, %d, %v", state, start, err)
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 nope"} {
		if _, _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
}

func TestOwnerRecords(t *testing.T) {
	id := self(t)
	dir := OwnersDir(filepath.Join(t.TempDir(), "local"))
	if !strings.HasSuffix(dir, filepath.Join("local", "cli-owners")) {
		t.Fatalf("OwnersDir = %s", dir)
	}
	if _, ok, err := ReadOwner(dir, id.PID); ok || err != nil {
		t.Fatalf("a record before writing one: %v %v", ok, err)
	}
	remove, err := WriteOwner(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadOwner(dir, id.PID)
	if err != nil || !ok || got != id {
		t.Fatalf("ReadOwner = %+v, %v, %v; want %+v", got, ok, err, id)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != strconv.Itoa(id.PID)+".json" {
		t.Fatalf("files left in %s: %v", dir, entries)
	}
	// Another process's record under the same pid is not removed.
	other := id
	other.StartTicks++
	if _, err := WriteOwner(dir, other); err != nil {
		t.Fatal(err)
	}
	remove()
	if _, ok, _ := ReadOwner(dir, id.PID); !ok {
		t.Fatal("remove deleted another process's record")
	}
	remove2, _ := WriteOwner(dir, id)
	remove2()
	if _, ok, _ := ReadOwner(dir, id.PID); ok {
		t.Fatal("the record is still there after remove")
	}
	if err := os.WriteFile(filepath.Join(dir, "7.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadOwner(dir, 7); ok || err == nil {
		t.Fatal("a corrupt record was accepted")
	}
	if err := RemoveOwner(dir, 7); err != nil {
		t.Fatal(err)
	}
	if err := RemoveOwner(dir, 7); err != nil {
		t.Fatal("removing a missing record:", err)
	}
}

func TestPruneRemovesOnlyDeadUnclaimedRecords(t *testing.T) {
	dir := t.TempDir()
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead, err := Of(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	dead.PID = cmd.Process.Pid
	claimed := dead
	claimed.PID = cmd.Process.Pid + 100000
	for _, id := range []Identity{self, dead, claimed} {
		if _, err := WriteOwner(dir, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := Prune(dir, func(pid int) bool { return pid == claimed.PID }); n != 1 {
		t.Fatalf("pruned %d records, want 1 (the dead, unclaimed one)", n)
	}
	for _, c := range []struct {
		pid  int
		want bool
	}{{self.PID, true}, {dead.PID, false}, {claimed.PID, true}} {
		if _, ok, _ := ReadOwner(dir, c.pid); ok != c.want {
			t.Errorf("record of pid %d present = %v, want %v", c.pid, ok, c.want)
		}
	}
}
