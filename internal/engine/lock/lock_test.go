package lock

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSecondAcquireFailsNamingHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "staging/dns", "mage deploy:all env=staging")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "staging/dns", "other")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("err = %v, want HeldError", err)
	}
	if held.Holder.PID != os.Getpid() || !strings.Contains(err.Error(), "mage deploy:all env=staging") {
		t.Fatalf("holder not named: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir, "staging/dns", "again")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = l2.Release()
}

func TestOtherProjectsAreIndependent(t *testing.T) {
	dir := t.TempDir()
	a, err := Acquire(dir, "staging/dns", "a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := Acquire(dir, "staging/kafka-data-plane", "b")
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Release()
	c, err := Acquire(dir, "prod/dns", "c")
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Release()
}

func TestAcquireAllIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	held, err := Acquire(dir, "dev/b", "holder")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	if _, err := AcquireAll(dir, []string{"dev/a", "dev/b", "dev/c"}, "x"); err == nil {
		t.Fatal("AcquireAll succeeded while dev/b was held")
	}
	// dev/a must have been released again.
	a, err := Acquire(dir, "dev/a", "y")
	if err != nil {
		t.Fatalf("dev/a still held after a failed AcquireAll: %v", err)
	}
	_ = a.Release()
}

// TestLockHeldByAnotherProcess checks the cross-process case with flock(1).
func TestLockHeldByAnotherProcess(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	dir := t.TempDir()
	l, err := Acquire(dir, "local/dns", "first")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("flock", "-n", dir+"/local/dns.lock", "true").CombinedOutput()
	if err == nil {
		t.Fatalf("another process took the lock: %s", out)
	}
	_ = l.Release()
	if out, err := exec.Command("flock", "-n", dir+"/local/dns.lock", "true").CombinedOutput(); err != nil {
		t.Fatalf("lock not released for other processes: %v %s", err, out)
	}
}
