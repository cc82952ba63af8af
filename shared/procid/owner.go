package procid

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OwnersDir is the directory of the owner records of the Pulumi CLI
// processes of one environment, given its state directory
// (<StateDir>/<env>).
func OwnersDir(envDir string) string { return filepath.Join(envDir, "cli-owners") }

func ownerPath(dir string, pid int) string { return filepath.Join(dir, strconv.Itoa(pid)+".json") }

// WriteOwner records id as <dir>/<pid>.json, atomically (a reader sees the
// whole record or none), creating dir if needed. Call remove once the
// process has exited (after Wait): it deletes the record unless it has been
// replaced by another process's record meanwhile.
func WriteOwner(dir string, id Identity) (remove func(), err error) {
	if id.PID <= 0 {
		return nil, fmt.Errorf("procid: owner record of invalid pid %d", id.PID)
	}
	data, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("procid: owner records: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".owner-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("procid: owner record: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	path := ownerPath(dir, id.PID)
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("procid: owner record %s: %w", path, werr)
	}
	return func() {
		if cur, ok, err := ReadOwner(dir, id.PID); err == nil && ok && cur == id {
			_ = os.Remove(path)
		}
	}, nil
}

// ReadOwner reads the owner record of pid in dir. ok is false, with no
// error, when there is none.
func ReadOwner(dir string, pid int) (id Identity, ok bool, err error) {
	data, err := os.ReadFile(ownerPath(dir, pid))
	if errors.Is(err, fs.ErrNotExist) {
		return Identity{}, false, nil
	}
	if err != nil {
		return Identity{}, false, fmt.Errorf("procid: owner record: %w", err)
	}
	if err := json.Unmarshal(data, &id); err != nil {
		return Identity{}, false, fmt.Errorf("procid: owner record %s: %w", ownerPath(dir, pid), err)
	}
	return id, true, nil
}

// RemoveOwner deletes the owner record of pid in dir, if any: for a process
// proven dead whose record its owner could not remove.
func RemoveOwner(dir string, pid int) error {
	if err := os.Remove(ownerPath(dir, pid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("procid: owner record: %w", err)
	}
	return nil
}

// Prune deletes the records in dir of processes that are provably dead and
// that inUse (e.g. a stack lock naming the pid) does not claim: a CLI that
// a signal ended without leaving a lock, or a crashed project process's CLI
// that stopped cleanly. It returns how many it deleted.
func Prune(dir string, inUse func(pid int) bool) int {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	n := 0
	for _, f := range files {
		pid, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil || (inUse != nil && inUse(pid)) {
			continue
		}
		id, ok, err := ReadOwner(dir, pid)
		if err != nil || !ok {
			continue
		}
		if dead, _ := id.Dead(); dead && RemoveOwner(dir, pid) == nil {
			n++
		}
	}
	return n
}
