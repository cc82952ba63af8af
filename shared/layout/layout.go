// Package layout finds the repository root and the folders of the Pulumi
// projects inside it, the same way whether a program runs under the
// orchestrator (an inline program, where the engine passes no root
// directory), under `pulumi up` in a project folder, or under `go test`.
package layout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EnvRoot names the environment variable that pins the repository root.
// The orchestrator sets it; everyone else finds the root by walking up.
const EnvRoot = "INFRA_ROOT"

// ErrNoRoot is returned when no repository root can be found.
var ErrNoRoot = errors.New("repository root not found")

// IsRoot reports whether dir looks like the repository root: it holds both
// the environments/ and the projects/ folders.
func IsRoot(dir string) bool {
	for _, sub := range []string{"environments", "projects"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// Root returns the repository root: $INFRA_ROOT when set, otherwise the
// nearest ancestor of the working directory that IsRoot.
func Root() (string, error) {
	if dir := os.Getenv(EnvRoot); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvRoot, dir, err)
		}
		if !IsRoot(abs) {
			return "", fmt.Errorf("%s=%q is not the repository root (it needs environments/ and projects/): %w", EnvRoot, dir, ErrNoRoot)
		}
		return abs, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return FindRoot(wd)
}

// FindRoot walks up from dir to the first folder that IsRoot.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if IsRoot(d) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%w above %s (set %s)", ErrNoRoot, dir, EnvRoot)
		}
		d = parent
	}
}

// ProjectDir returns projects/<name> under root.
func ProjectDir(root, name string) string {
	return filepath.Join(root, "projects", name)
}

// EnvironmentFile returns environments/<env>.yaml under root.
func EnvironmentFile(root, env string) string {
	return filepath.Join(root, "environments", env+".yaml")
}

// StackConfigFile returns the path of a project's Pulumi.<stack>.yaml.
func StackConfigFile(root, project, stack string) string {
	return filepath.Join(ProjectDir(root, project), "Pulumi."+stack+".yaml")
}

// Rel returns path relative to root for messages, or path itself.
func Rel(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil {
		return rel
	}
	return path
}

// ProjectDirOf returns the folder of the project a program runs for. It uses
// the engine's root directory when the engine passes one (a stock `pulumi up`
// in the project folder), otherwise projects/<ctx.Project()> under Root.
func ProjectDirOf(ctx *pulumi.Context) (string, error) {
	if dir := ctx.RootDirectory(); dir != "" {
		return dir, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	return ProjectDir(root, ctx.Project()), nil
}

// RootOf returns the repository root for a running program.
func RootOf(ctx *pulumi.Context) (string, error) {
	if dir := ctx.RootDirectory(); dir != "" {
		return FindRoot(dir)
	}
	return Root()
}

// DirsOf returns the repository root and the project folder of a running
// program.
func DirsOf(ctx *pulumi.Context) (root, projectDir string, err error) {
	if projectDir, err = ProjectDirOf(ctx); err != nil {
		return "", "", fmt.Errorf("project folder: %w", err)
	}
	if root, err = RootOf(ctx); err != nil {
		return "", "", fmt.Errorf("repository root: %w", err)
	}
	return root, projectDir, nil
}
