// Package procid identifies a process well enough to prove, later and from
// another process, that it is dead: a pid alone is not enough, because pids
// are reused, and the same pid means another process on another machine, on
// another boot of this machine, or in another PID namespace (a container, a
// devcontainer) sharing the same files.
//
// An Identity is recorded while the process runs (see WriteOwner); Dead then
// answers true only when the record was made on this machine, during this
// boot, in the caller's PID namespace, and that process is gone. Whenever it
// cannot prove that, it answers false and says why. It relies on Linux's
// /proc; elsewhere nothing can be proven dead.
package procid

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Identity names one process of one boot of one machine, as seen from one
// PID namespace.
type Identity struct {
	Host string `json:"host"`
	// BootID is /proc/sys/kernel/random/boot_id: it changes on each boot.
	BootID string `json:"bootId"`
	// PIDNamespace is the link of /proc/self/ns/pid of the process that
	// recorded the identity (e.g. "pid:[4026531836]"): PID is a pid of that
	// namespace.
	PIDNamespace string `json:"pidNamespace"`
	PID          int    `json:"pid"`
	// StartTicks is the process's start time, in clock ticks after boot
	// (field 22 of /proc/<pid>/stat): a reused pid has another one.
	StartTicks uint64 `json:"startTicks"`
}

func (id Identity) String() string {
	return fmt.Sprintf("pid %d@%s (boot %s, %s, start %d)", id.PID, id.Host, id.BootID, id.PIDNamespace, id.StartTicks)
}

// The files read.
const (
	procRoot = "/proc"
	bootFile = "/proc/sys/kernel/random/boot_id"
)

// Self returns the identity of the calling process.
func Self() (Identity, error) { return Of(os.Getpid()) }

// Of returns the identity of process pid of this machine, as seen from the
// caller's PID namespace. A process that has exited but is not reaped yet (a
// zombie, e.g. a child not yet waited for) still has one.
func Of(pid int) (Identity, error) {
	if pid <= 0 {
		return Identity{}, fmt.Errorf("procid: invalid pid %d", pid)
	}
	host, boot, ns, err := here()
	if err != nil {
		return Identity{}, err
	}
	_, start, err := stat(pid)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Host: host, BootID: boot, PIDNamespace: ns, PID: pid, StartTicks: start}, nil
}

// here returns the caller's host name, boot id and PID namespace.
func here() (host, boot, ns string, err error) {
	if host, err = os.Hostname(); err != nil {
		return "", "", "", fmt.Errorf("procid: host name: %w", err)
	}
	data, err := os.ReadFile(bootFile)
	if err != nil {
		return "", "", "", fmt.Errorf("procid: boot id: %w", err)
	}
	if boot = strings.TrimSpace(string(data)); boot == "" {
		return "", "", "", fmt.Errorf("procid: %s is empty", bootFile)
	}
	if ns, err = os.Readlink(procRoot + "/self/ns/pid"); err != nil {
		return "", "", "", fmt.Errorf("procid: PID namespace: %w", err)
	}
	return host, boot, ns, nil
}

// stat reads the state and the start time of pid from /proc/<pid>/stat.
func stat(pid int) (state byte, start uint64, err error) {
	data, err := os.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("procid: process %d: %w", pid, err)
	}
	state, start, err = parseStat(string(data))
	if err != nil {
		return 0, 0, fmt.Errorf("procid: process %d: %w", pid, err)
	}
	return state, start, nil
}

// parseStat extracts field 3 (state) and field 22 (starttime) of a
// /proc/<pid>/stat line. Field 2, the command name in parentheses, may
// itself hold spaces and parentheses: the fields are counted after the last
// ')'.
func parseStat(s string) (state byte, start uint64, err error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat: no ')'")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3, so field 22 is f[19].
	if len(f) < 20 || len(f[0]) != 1 {
		return 0, 0, errors.New("malformed stat: too few fields")
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("malformed stat: start time %q", f[19])
	}
	return f[0][0], start, nil
}

// Dead reports whether the process id names is provably gone: id was
// recorded on this host, during this boot, in the caller's PID namespace,
// and no process has that pid any more, or it is a zombie (it exited), or
// the pid now belongs to another process (its start time differs). In every
// other case it returns false; why says in plain words what it found or
// what it could not prove.
func (id Identity) Dead() (dead bool, why string) {
	if id == (Identity{}) {
		return false, "no owner record"
	}
	if id.PID <= 0 || id.Host == "" || id.BootID == "" || id.PIDNamespace == "" || id.StartTicks == 0 {
		return false, "the owner record is incomplete"
	}
	host, boot, ns, err := here()
	if err != nil {
		return false, "cannot tell this machine's identity: " + err.Error()
	}
	switch {
	case id.Host != host:
		return false, fmt.Sprintf("recorded on another host (%s)", id.Host)
	case id.BootID != boot:
		return false, "recorded on another boot of this machine (or a cloned machine)"
	case id.PIDNamespace != ns:
		return false, fmt.Sprintf("recorded in another PID namespace (container): %s, this process is in %s", id.PIDNamespace, ns)
	}
	state, start, err := stat(id.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// /proc may hide processes of other users (hidepid): ask the
		// kernel too.
		if kerr := syscall.Kill(id.PID, 0); errors.Is(kerr, syscall.ESRCH) {
			return true, fmt.Sprintf("process %d no longer exists", id.PID)
		}
		return false, fmt.Sprintf("process %d exists but /proc does not show it", id.PID)
	case err != nil:
		return false, fmt.Sprintf("cannot inspect process %d: %v", id.PID, err)
	case start != id.StartTicks:
		return true, fmt.Sprintf("process %d no longer exists (its pid now belongs to a process started later)", id.PID)
	case state == 'Z' || state == 'X':
		return true, fmt.Sprintf("process %d has exited (zombie, not reaped yet)", id.PID)
	}
	return false, fmt.Sprintf("process %d still runs", id.PID)
}
