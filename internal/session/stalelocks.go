package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// stackLock is the content of a file backend's stack lock.
type stackLock struct {
	PID       int    `json:"pid"`
	Username  string `json:"username"`
	Hostname  string `json:"hostname"`
	Timestamp string `json:"timestamp"`
}

// ClearStaleLocks removes the stack locks of a file backend that were left
// by a Pulumi process of this machine that no longer runs (killed with
// SIGKILL, or a machine crash): the next run then works without a manual
// `pulumi cancel`. A lock of a live process, or of another machine, is left
// alone. The orchestrator's own per-project locks, taken before this runs,
// guarantee that no other orchestrator here works on these stacks.
// Backends other than file:// are not touched. It returns a line per lock
// removed.
func (s *Session) ClearStaleLocks(projects []string) ([]string, error) {
	if !strings.HasPrefix(s.BackendURL, "file://") {
		return nil, nil
	}
	host, err := os.Hostname()
	if err != nil {
		return nil, nil
	}
	base := strings.TrimPrefix(s.BackendURL, "file://")
	var removed []string
	for _, p := range projects {
		dir := filepath.Join(base, ".pulumi", "locks", "organization", p, s.Settings.Name)
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			var l stackLock
			if json.Unmarshal(data, &l) != nil || l.Hostname != host || l.PID <= 0 || alive(l.PID) {
				continue
			}
			for _, path := range []string{f, f + ".attrs"} {
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					return removed, fmt.Errorf("removing the stale lock %s: %w", f, err)
				}
			}
			removed = append(removed, fmt.Sprintf("removed the stale lock of %s/%s left by pid %d (%s@%s, %s), which no longer runs",
				p, s.Settings.Name, l.PID, l.Username, l.Hostname, l.Timestamp))
		}
	}
	return removed, nil
}

// alive reports whether a process with pid runs on this machine. A zombie
// (dead, not yet reaped: common in containers whose init does not reap
// orphans) does not run.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill(2)
	}
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
