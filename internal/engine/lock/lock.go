// Package lock keeps two orchestrator runs on one machine from working on
// the same environment and project at once. The second run fails at once
// with a message naming the holder, instead of queueing behind the Pulumi
// backend's own stack lock. The locks are flock(2) locks, so they vanish
// with the process that held them: a killed run leaves nothing stale.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Holder describes the process holding a lock.
type Holder struct {
	PID     int       `json:"pid"`
	User    string    `json:"user"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	return fmt.Sprintf("pid %d (%s@%s, `%s`, since %s)", h.PID, h.User, h.Host, h.Command, h.Since.Format("15:04:05"))
}

// HeldError is returned when a lock is held by another run.
type HeldError struct {
	Name   string
	Holder Holder
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is locked by another run: %s; wait for it to finish", e.Name, e.Holder)
}

// Lock is a held lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire takes the lock named name (e.g. "staging/dns") under dir without
// waiting. command describes this run for the message another run prints.
func Acquire(dir, name, command string) (*Lock, error) {
	path := filepath.Join(dir, filepath.FromSlash(name)+".lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			var h Holder
			data, _ := os.ReadFile(path)
			_ = json.Unmarshal(data, &h)
			return nil, &HeldError{Name: name, Holder: h}
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	h := Holder{PID: os.Getpid(), Host: hostname(), User: username(), Command: command, Since: time.Now()}
	data, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(data, 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release releases the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}

// Set is a group of locks taken together.
type Set []*Lock

// AcquireAll takes every named lock or none: on the first held lock it
// releases what it took and returns the error.
func AcquireAll(dir string, names []string, command string) (Set, error) {
	var s Set
	for _, n := range names {
		l, err := Acquire(dir, n, command)
		if err != nil {
			s.Release()
			return nil, err
		}
		s = append(s, l)
	}
	return s, nil
}

// Release releases every lock of the set.
func (s Set) Release() {
	for _, l := range s {
		_ = l.Release()
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown-host"
	}
	return h
}

func username() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strings.TrimSpace(os.Getenv("USER"))
}
