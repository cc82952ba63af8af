package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/procid"
)

// stackLock is the content of a file backend's stack lock.
type stackLock struct {
	PID       int    `json:"pid"`
	Username  string `json:"username"`
	Hostname  string `json:"hostname"`
	Timestamp string `json:"timestamp"`
}

// The prefixes of the lines ClearStaleLocks returns.
const (
	LockRemoved = "removed "
	LockKept    = "kept "
)

// ClearStaleLocks removes the stack locks of a file backend whose Pulumi
// process is provably dead (killed with SIGKILL, or a crash), so that the
// next run works without a manual `pulumi cancel`.
//
// A pid and a host name do not prove that: a devcontainer, a container
// sharing .state, or a cloned VM on a shared file:// backend has the same
// host name and other processes. A lock is removed only when the owner
// record the Pulumi CLI wrapper wrote for that process (procid.OwnersDir of
// the environment) names the lock's pid and host, and procid says that
// process, recorded on this boot and in this PID namespace, is gone. Every
// other lock is left alone and reported with the reason and the manual fix.
// The orchestrator's own per-project locks, taken before this runs,
// guarantee that no other orchestrator here works on these stacks.
//
// Backends other than file:// are not touched. It returns one line per lock
// found: "removed …" (LockRemoved) or "kept …" (LockKept).
func (s *Session) ClearStaleLocks(projects []string) ([]string, error) {
	if !strings.HasPrefix(s.BackendURL, "file://") {
		return nil, nil
	}
	base := strings.TrimPrefix(s.BackendURL, "file://")
	owners := procid.OwnersDir(s.EnvDir)
	var lines []string
	held := map[int]bool{} // pids of the locks kept
	for _, p := range projects {
		stack := p + "/" + s.Settings.Name
		dir := filepath.Join(base, ".pulumi", "locks", "organization", p, s.Settings.Name)
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			keep := func(holder, why string) {
				lines = append(lines, fmt.Sprintf("%sthe lock of %s held by %s: %s, so it may belong to a running update. "+
					"Only if you are sure no update runs, remove it by hand: cd projects/%s && "+
					"PULUMI_BACKEND_URL='%s' pulumi cancel --stack organization/%s/%s --yes",
					LockKept, stack, holder, why, p, s.BackendURL, p, s.Settings.Name))
			}
			data, err := os.ReadFile(f)
			if err != nil {
				keep(filepath.Base(f), "cannot read the lock file: "+err.Error())
				continue
			}
			var l stackLock
			if err := json.Unmarshal(data, &l); err != nil || l.PID <= 0 {
				keep(filepath.Base(f), "cannot read the lock file's owner")
				continue
			}
			holder := fmt.Sprintf("pid %d@%s (%s, since %s)", l.PID, l.Hostname, l.Username, l.Timestamp)
			dead, why, err := lockOwnerDead(owners, l)
			if err != nil {
				why = err.Error()
			}
			if !dead {
				held[l.PID] = true
				keep(holder, "not provably dead: "+why)
				continue
			}
			for _, path := range []string{f, f + ".attrs"} {
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					return lines, fmt.Errorf("removing the stale lock %s: %w", f, err)
				}
			}
			_ = procid.RemoveOwner(owners, l.PID)
			lines = append(lines, fmt.Sprintf("%sthe stale lock of %s held by %s: %s", LockRemoved, stack, holder, why))
		}
	}
	// Records of dead CLIs that hold no lock prove nothing any more. A
	// lock of another project of this environment may still name one, so
	// only a whole-environment run prunes.
	if len(projects) == len(contracts.Projects) {
		procid.Prune(owners, func(pid int) bool { return held[pid] })
	}
	return lines, nil
}

// lockOwnerDead tells whether the process that holds lock l is provably
// dead, from its owner record in owners.
func lockOwnerDead(owners string, l stackLock) (bool, string, error) {
	id, ok, err := procid.ReadOwner(owners, l.PID)
	switch {
	case err != nil:
		return false, "", err
	case !ok:
		return false, "no owner record (the lock was not taken by a Pulumi CLI this orchestrator started here)", nil
	case id.PID != l.PID || id.Host != l.Hostname:
		return false, fmt.Sprintf("the owner record (pid %d@%s) does not match the lock", id.PID, id.Host), nil
	}
	dead, why := id.Dead()
	return dead, why, nil
}
