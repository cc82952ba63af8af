// Package pulumicli finds or builds the Pulumi CLI and runs it for the
// Automation API. The CLI cannot be installed the usual way on these
// machines, so when no pulumi >= MinVersion is on PATH it is built from the
// Go module proxy into bin/pulumi (tools/pulumicli pins the module).
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
	"strings"
	"time"

	"github.com/blang/semver"
)

// MinVersion is the oldest CLI the repository accepts, and the version built.
const MinVersion = "3.259.0"

// EnvCLI names an environment variable that points at a CLI to use as is.
const EnvCLI = "INFRA_PULUMI"

const versionPkg = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

// Find returns a usable CLI without building one: $INFRA_PULUMI, then
// bin/pulumi under root, then pulumi on PATH, each only if new enough. The
// version of a binary it has asked before comes from bin/.pulumi-versions.
func Find(root string) (string, semver.Version, error) {
	var tried []string
	try := func(path string) (string, semver.Version, bool) {
		if path == "" {
			return "", semver.Version{}, false
		}
		v, err := cachedVersion(root, path)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s (%v)", path, err))
			return "", semver.Version{}, false
		}
		if v.LT(semver.MustParse(MinVersion)) {
			tried = append(tried, fmt.Sprintf("%s (v%s is older than v%s)", path, v, MinVersion))
			return "", semver.Version{}, false
		}
		return path, v, true
	}
	if p, v, ok := try(os.Getenv(EnvCLI)); ok {
		return p, v, nil
	}
	if p, v, ok := try(filepath.Join(root, "bin", "pulumi")); ok {
		return p, v, nil
	}
	if lp, err := exec.LookPath("pulumi"); err == nil {
		if p, v, ok := try(lp); ok {
			return p, v, nil
		}
	}
	return "", semver.Version{}, fmt.Errorf("no pulumi CLI >= v%s found; tried: %s", MinVersion, strings.Join(append(tried, "PATH"), ", "))
}

// Ensure returns a usable CLI, building bin/pulumi when Find finds none. It
// prints a one-line notice to w before the build, which takes about five
// minutes on two cores the first time.
func Ensure(ctx context.Context, root string, w io.Writer) (string, semver.Version, error) {
	if p, v, err := Find(root); err == nil {
		return p, v, nil
	}
	out := filepath.Join(root, "bin", "pulumi")
	fmt.Fprintf(w, "pulumi: no pulumi CLI >= v%s found; building v%s from source into bin/pulumi (about 5 minutes the first time, seconds afterwards)\n", MinVersion, MinVersion)
	start := time.Now()
	if err := Build(ctx, root, out); err != nil {
		return "", semver.Version{}, err
	}
	v, err := Version(out)
	if err != nil {
		return "", semver.Version{}, fmt.Errorf("built %s but it does not run: %w", out, err)
	}
	fmt.Fprintf(w, "pulumi: built bin/pulumi v%s in %s\n", v, time.Since(start).Round(time.Second))
	return out, v, nil
}

// Build compiles the pinned CLI module (tools/pulumicli) into out. The
// version ldflag is required: without it the Automation API refuses the CLI.
func Build(ctx context.Context, root, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags", "-s -w -X "+versionPkg+"=v"+MinVersion,
		"-o", out, "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
	cmd.Dir = filepath.Join(root, "tools", "pulumicli")
	// The tool module is deliberately outside go.work.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the Pulumi CLI in tools/pulumicli: %w\n%s", err, tail(stderr.String(), 30))
	}
	return nil
}

// Version runs `<path> version` and parses its output.
func Version(path string) (semver.Version, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return semver.Version{}, fmt.Errorf("`pulumi version` failed: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return semver.Version{}, err
	}
	s := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	v, err := semver.ParseTolerant(s)
	if err != nil {
		return semver.Version{}, fmt.Errorf("cannot parse version %q: %w", s, err)
	}
	return v, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
