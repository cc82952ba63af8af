package affected

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// ChangedFiles lists the files (relative to root, slash-separated, sorted)
// that differ between base and the working tree: committed and uncommitted
// changes (`git diff --name-only <base>`, renames as a deletion plus an
// addition so both paths count) plus untracked files that are not ignored
// (`git ls-files --others --exclude-standard`). Files outside root are left
// out when root is below the top of the git repository.
func ChangedFiles(ctx context.Context, root, base string) ([]string, error) {
	if base == "" {
		return nil, errors.New("changed files: the base git ref is empty; pass base=<ref>, e.g. base=origin/main")
	}
	if strings.HasPrefix(base, "-") {
		return nil, fmt.Errorf("changed files: base %q is not a git ref", base)
	}
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", base+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("changed files: base %q is not a commit in %s (fetch it first, e.g. git fetch origin main): %w", base, root, err)
	}
	commit = strings.TrimSpace(commit)
	diff, err := git(ctx, root, "diff", "--name-only", "--no-renames", "--relative", "-z", commit, "--")
	if err != nil {
		return nil, fmt.Errorf("changed files since %s: %w", base, err)
	}
	untracked, err := git(ctx, root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
	if err != nil {
		return nil, fmt.Errorf("untracked files: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range append(strings.Split(diff, "\x00"), strings.Split(untracked, "\x00")...) {
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

// git runs git in dir and returns its standard output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, msg)
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}
