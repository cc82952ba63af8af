package affected

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// gitRepo runs git commands in a temporary repository with a fixed
// identity and no user or system configuration.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(files map[string]string) {
	r.t.Helper()
	writeTree(r.t, r.dir, files)
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChangedFiles(t *testing.T) {
	r := newGitRepo(t)
	r.write(map[string]string{
		".gitignore":                 "*.log\n",
		"docs/readme.md":             "v1\n",
		"projects/dns/main.go":       "package main\n",
		"projects/dns/old.go":        "package main\n// old\n",
		"shared/topics/load.go":      "package topics\n",
		"shared/topics/unchanged.go": "package topics\n// same\n",
		"environments/dev.yaml":      "description: dev\n",
	})
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	base := r.git("rev-parse", "HEAD")

	// Committed after base.
	r.write(map[string]string{"shared/topics/load.go": "package topics\n// v2\n"})
	r.git("mv", "projects/dns/old.go", "projects/dns/renamed.go")
	r.git("commit", "-q", "-am", "change")
	// Staged, not committed.
	r.write(map[string]string{"environments/dev.yaml": "description: dev v2\n"})
	r.git("add", "environments/dev.yaml")
	// Unstaged.
	r.write(map[string]string{"docs/readme.md": "v2\n"})
	// Deleted in the working tree.
	if err := os.Remove(filepath.Join(r.dir, "projects/dns/main.go")); err != nil {
		t.Fatal(err)
	}
	// Untracked, and ignored.
	r.write(map[string]string{"projects/dns/Pulumi.steve1.yaml": "config: {}\n", "run.log": "x\n", "odd name.txt": "x\n"})

	got, err := ChangedFiles(context.Background(), r.dir, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"docs/readme.md",
		"environments/dev.yaml",
		"odd name.txt",
		"projects/dns/Pulumi.steve1.yaml",
		"projects/dns/main.go",
		"projects/dns/old.go",
		"projects/dns/renamed.go",
		"shared/topics/load.go",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ChangedFiles =\n%q\nwant\n%q", got, want)
	}

	// A branch name works as well as a hash, and HEAD shows only the
	// uncommitted changes.
	r.git("branch", "base", base)
	if byName, err := ChangedFiles(context.Background(), r.dir, "base"); err != nil || !reflect.DeepEqual(byName, want) {
		t.Fatalf("ChangedFiles(base) = %q, %v", byName, err)
	}
	head, err := ChangedFiles(context.Background(), r.dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	wantHead := []string{"docs/readme.md", "environments/dev.yaml", "odd name.txt", "projects/dns/Pulumi.steve1.yaml", "projects/dns/main.go"}
	if !reflect.DeepEqual(head, wantHead) {
		t.Fatalf("ChangedFiles(HEAD) = %q, want %q", head, wantHead)
	}

	// Run below the top of the repository: paths are relative to that
	// folder and changes outside it are left out.
	sub, err := ChangedFiles(context.Background(), filepath.Join(r.dir, "projects"), base)
	if err != nil {
		t.Fatal(err)
	}
	wantSub := []string{"dns/Pulumi.steve1.yaml", "dns/main.go", "dns/old.go", "dns/renamed.go"}
	if !reflect.DeepEqual(sub, wantSub) {
		t.Fatalf("ChangedFiles(projects/) = %q, want %q", sub, wantSub)
	}
}

func TestChangedFilesNothingChanged(t *testing.T) {
	r := newGitRepo(t)
	r.write(map[string]string{"a.txt": "a\n"})
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	got, err := ChangedFiles(context.Background(), r.dir, "main")
	if err != nil || len(got) != 0 {
		t.Fatalf("ChangedFiles = %q, %v; want none", got, err)
	}
}

func TestChangedFilesErrors(t *testing.T) {
	r := newGitRepo(t)
	r.write(map[string]string{"a.txt": "a\n"})
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "base")
	tests := []struct{ base, want string }{
		{"", "base git ref is empty"},
		{"--output=/tmp/x", `base "--output=/tmp/x" is not a git ref`},
		{"origin/main", `base "origin/main" is not a commit`},
		{"no-such-branch", "fetch it first"},
	}
	for _, tt := range tests {
		_, err := ChangedFiles(context.Background(), r.dir, tt.base)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ChangedFiles(%q) error = %v, want it to contain %q", tt.base, err, tt.want)
		}
	}
	if _, err := ChangedFiles(context.Background(), t.TempDir(), "HEAD"); err == nil {
		t.Error("ChangedFiles outside a repository: no error")
	}
}
