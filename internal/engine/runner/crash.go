package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/procid"
	"github.com/clustera/infra/shared/stackrun"
)

// CLIGrace bounds how long the CLI of a crashed project process may take to
// stop cleanly after its interrupt.
var CLIGrace = 2 * time.Minute

// afterCrash ends the CLIs a crashed project process left running (one
// interrupt each: the engine finishes its in-flight steps, saves the stack
// and unlocks it), then explains the crash: how the process ended, the
// panic and its first frames from the log, and any pending operation the
// stack was left with, with the command that clears it.
func (r *Runner) afterCrash(c *crash, project string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "crashed (%s)", c.exit)
	if p := panicOf(c.log, r.S.Root); p != "" {
		b.WriteString(": " + p)
	}
	var stopped []string
	for _, pid := range c.clis {
		if how := endCLI(pid, CLIGrace); how != "" {
			stopped = append(stopped, fmt.Sprintf("pid %d %s", pid, how))
		}
	}
	if len(stopped) > 0 {
		fmt.Fprintf(&b, "\nits Pulumi CLI was %s", strings.Join(stopped, ", "))
	}
	if c.task.Op != stackrun.Validate {
		// A CLI that lost its program may exit without releasing its
		// lock; its owner record proves it dead, so the lock goes now
		// rather than on the next run.
		if notes, err := r.S.ClearStaleLocks([]string{project}); err == nil {
			for _, n := range notes {
				fmt.Fprintf(&b, "\n%s", n)
			}
		}
	}
	if c.task.Op == stackrun.Validate {
		return errors.New(b.String())
	}
	if pending, err := r.pendingOperations(project); err != nil {
		fmt.Fprintf(&b, "\ncould not read the stack to check for pending operations: %v", err)
	} else if len(pending) > 0 {
		fmt.Fprintf(&b, "\n%s", pendingNote(project, r.S.Settings.Name, pending))
	}
	return errors.New(b.String())
}

// endCLI interrupts the CLI's process group once and waits for it to stop,
// killing it after grace. It returns what it did, "" when the CLI had
// already exited.
func endCLI(pid int, grace time.Duration) string {
	if !running(pid) {
		// Plugins it started (the policy pack, providers) share its
		// process group and may outlive it.
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		return ""
	}
	_ = syscall.Kill(-pid, syscall.SIGINT)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !running(pid) {
			_ = syscall.Kill(-pid, syscall.SIGTERM)
			return "interrupted and stopped cleanly (state saved, lock released)"
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	return fmt.Sprintf("killed after %s (the stack may stay locked: see docs/runbooks/state-locks.md)", grace)
}

// running reports whether pid is a live process (a zombie is not).
func running(pid int) bool {
	id, err := procid.Of(pid)
	if err != nil {
		return false
	}
	dead, _ := id.Dead()
	return !dead
}

// panicOf returns the panic (or fatal error) a Go process wrote to the log:
// the message and its first frames, with paths relative to root.
func panicOf(log, root string) string {
	f, err := os.Open(log)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	start := -1
	for sc.Scan() {
		l := sc.Text()
		if start < 0 && (strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ")) {
			start = len(lines)
		}
		lines = append(lines, l)
		if start >= 0 && len(lines)-start > 40 {
			break
		}
	}
	if start < 0 {
		return ""
	}
	msg := strings.TrimSpace(lines[start])
	var frames []string
	for i := start + 1; i+1 < len(lines) && len(frames) < 3; i++ {
		fn, loc := strings.TrimSpace(lines[i]), strings.TrimSpace(lines[i+1])
		if !strings.HasPrefix(lines[i+1], "\t") || strings.HasPrefix(fn, "goroutine ") {
			continue
		}
		if strings.HasPrefix(fn, "panic(") || strings.HasPrefix(fn, "runtime.") {
			i++
			continue
		}
		if j := strings.LastIndex(loc, " +0x"); j > 0 {
			loc = loc[:j]
		}
		loc = strings.TrimPrefix(loc, root+string(os.PathSeparator))
		frames = append(frames, fmt.Sprintf("  at %s (%s)", loc, fn))
		i++
	}
	return strings.Join(append([]string{msg}, frames...), "\n")
}

// pendingOp is an operation the engine started and never finished.
type pendingOp struct {
	Resource struct {
		URN  string `json:"urn"`
		Type string `json:"type"`
	} `json:"resource"`
	Type string `json:"type"` // creating, updating, deleting, reading
}

// pendingOperations reads the stack's checkpoint for pending operations.
func (r *Runner) pendingOperations(project string) ([]pendingOp, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := contracts.StackName("organization", project, r.S.Settings.Name)
	dir, err := r.S.WorkDir(project)
	if err != nil {
		return nil, err
	}
	stdout, stderr, code, err := r.S.Cmd.Run(ctx, dir, nil, nil, nil, r.S.EnvList(), "stack", "export", "--stack", name)
	if err != nil || code != 0 {
		return nil, fmt.Errorf("pulumi stack export: %v: %s", err, lastLine(stderr))
	}
	var dep struct {
		Deployment struct {
			Pending []pendingOp `json:"pending_operations"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(stdout), &dep); err != nil {
		return nil, fmt.Errorf("pulumi stack export: %w", err)
	}
	return dep.Deployment.Pending, nil
}

// pendingNote names pending operations and the command that clears them.
func pendingNote(project, stack string, ops []pendingOp) string {
	var names []string
	for _, op := range ops {
		names = append(names, fmt.Sprintf("%s %s %s", op.Type, stackrun.ShortType(op.Resource.Type), stackrun.URNName(op.Resource.URN)))
	}
	return fmt.Sprintf("pending operations left in %s/%s: %s; check the cloud for these objects, then clear them with "+
		"bin/infra refresh -env %s -project %s -clear-pending-creates (pending creates that did not happen are dropped) or import them (docs/runbooks/failed-deploy.md)",
		project, stack, strings.Join(names, "; "), stack, project)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
