// Package pulumicmd runs the Pulumi CLI for the Automation API, one process
// group per CLI, so that an interrupt reaches each CLI exactly once and a
// CLI can be found and ended even when the process that started it died.
package pulumicmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blang/semver"
)

// Command runs the Pulumi CLI for the Automation API (it implements
// auto.PulumiCommand). Unlike the SDK's own runner it starts each CLI in a
// process group of its own, so a Ctrl-C in the terminal reaches only the
// orchestrator, which then interrupts each CLI exactly once. A second
// interrupt would make the CLI quit without releasing its stack lock; a
// single one lets it finish in-flight steps, save state and unlock.
type Command struct {
	path    string
	version semver.Version
	// Grace is how long a cancelled CLI may take to stop cleanly before it
	// is killed.
	Grace time.Duration
	// Hard, when done, kills a running CLI's process group at once (a
	// second Ctrl-C): nothing is saved, the stack stays locked.
	Hard <-chan struct{}
	// OnStart, when set, is called with the pid (and process group) of
	// each CLI process right after it starts; OnExit after it exited, with
	// clean true only when it exited with status 0 (otherwise it may have
	// left its stack locked).
	OnStart func(pid int)
	OnExit  func(pid int, clean bool)

	// Skip, when set, may answer a command without running the CLI: it
	// returns the command's stdout and true.
	Skip func(args []string) (string, bool)

	mu   sync.Mutex
	last struct{ key, out string } // the last `stack output`, until any other command runs
}

// NewCommand returns a Command for the CLI at path.
func NewCommand(path string, v semver.Version) *Command {
	return &Command{path: path, version: v, Grace: 5 * time.Minute}
}

// Path returns the CLI's path.
func (c *Command) Path() string { return c.path }

// Version implements auto.PulumiCommand.
func (c *Command) Version() semver.Version { return c.version }

// Run implements auto.PulumiCommand.
func (c *Command) Run(ctx context.Context, workdir string, stdin io.Reader,
	additionalOutput, additionalErrorOutput []io.Writer, additionalEnv []string, args ...string,
) (string, string, int, error) {
	if !slices.Contains(args, "--non-interactive") {
		args = append([]string{"--non-interactive"}, args...)
	}
	if ctx.Err() != nil {
		// Never start a CLI only to interrupt it at once: one interrupted
		// before it handles signals dies on the spot.
		return "", "", -2, ctx.Err()
	}
	if c.Skip != nil {
		if out, ok := c.Skip(args); ok {
			return out, "", 0, nil
		}
	}
	asked := args
	args = withoutPlaintextSecrets(args)
	key := workdir + "\x00" + strings.Join(args, "\x00")
	if !slices.Equal(asked, args) {
		// The Automation API reads outputs twice in a row, the second time
		// with --show-secrets, which is dropped: the same command again.
		if out, ok := c.lastOutput(key); ok {
			return out, "", 0, nil
		}
	}
	c.rememberOutput("", "")
	cmd := exec.Command(c.path, args...) //nolint:gosec // path is the resolved CLI
	cmd.Dir = workdir
	env := append(os.Environ(), additionalEnv...)
	env = append(env, "PULUMI_AUTOMATION_API=true")
	cmd.Env = prependPath(env, filepath.Dir(c.path))
	outSpool, err := newSpool(additionalOutput)
	if err != nil {
		return "", "", -2, err
	}
	errSpool, err := newSpool(additionalErrorOutput)
	if err != nil {
		outSpool.finish()
		return "", "", -2, err
	}
	cmd.Stdout, cmd.Stderr = outSpool.f, errSpool.f
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		outSpool.finish()
		errSpool.finish()
		return "", "", -2, err
	}
	outSpool.start()
	errSpool.start()
	pid := cmd.Process.Pid
	if c.OnStart != nil {
		c.OnStart(pid)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	kill := func() error {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		return <-done
	}
	select {
	case err = <-done:
	case <-c.Hard:
		err = kill()
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err = <-done:
		case <-c.Hard:
			err = kill()
		case <-time.After(c.Grace):
			err = kill()
		}
	}
	stdout, stderr := outSpool.finish(), errSpool.finish()
	if c.OnExit != nil {
		c.OnExit(pid, cmd.ProcessState != nil && cmd.ProcessState.Exited() && cmd.ProcessState.ExitCode() == 0)
	}
	if os.Getenv("INFRA_TRACE_CLI") != "" {
		fmt.Fprintf(os.Stderr, "trace: pulumi %s (%s) took %s\n", strings.Join(args, " "), filepath.Base(workdir), time.Since(start).Round(time.Millisecond))
	}
	code := -2
	var ee *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
	}
	if code == 0 && isStackOutput(args) {
		c.rememberOutput(key, stdout)
	}
	return stdout, stderr, code, err
}

func isStackOutput(args []string) bool {
	i := slices.Index(args, "stack")
	return i >= 0 && i+1 < len(args) && args[i+1] == "output"
}

func (c *Command) lastOutput(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last.out, key != "" && c.last.key == key
}

func (c *Command) rememberOutput(key, out string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last.key, c.last.out = key, out
}

// withoutPlaintextSecrets drops --show-secrets from `stack output`: the
// Automation API asks for every stack's outputs in plaintext after each
// update, but the orchestrator only ever shows secrets as [secret]. Not
// decrypting them keeps plaintext secrets out of this process and saves the
// passphrase key derivation (about a second per project).
func withoutPlaintextSecrets(args []string) []string {
	i := slices.Index(args, "stack")
	if i < 0 || i+1 >= len(args) || args[i+1] != "output" || !slices.Contains(args, "--show-secrets") {
		return args
	}
	out := make([]string, 0, len(args))
	for _, a := range args {
		if a != "--show-secrets" {
			out = append(out, a)
		}
	}
	return out
}

func prependPath(env []string, dir string) []string {
	out := make([]string, len(env))
	copy(out, env)
	for i, e := range out {
		if strings.HasPrefix(e, "PATH=") {
			out[i] = "PATH=" + dir + string(os.PathListSeparator) + e[len("PATH="):]
			return out
		}
	}
	return append(out, "PATH="+dir)
}
