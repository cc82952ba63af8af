package pulumicli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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
	args = withoutPlaintextSecrets(args)
	cmd := exec.Command(c.path, args...) //nolint:gosec // path is the resolved CLI
	cmd.Dir = workdir
	env := append(os.Environ(), additionalEnv...)
	env = append(env, "PULUMI_AUTOMATION_API=true")
	cmd.Env = prependPath(env, filepath.Dir(c.path))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(additionalOutput, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(additionalErrorOutput, &stderr)...)
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return "", "", -2, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err = <-done:
		case <-time.After(c.Grace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
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
	return stdout.String(), stderr.String(), code, err
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
