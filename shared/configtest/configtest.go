// Package configtest tests a project against a copy of the committed
// configuration. CommittedRoot copies the environment files and the
// project's folder into a temporary root, points INFRA_ROOT at it and
// applies a case's Changes (Edit with Sub, AddKey, Replace or Append;
// Write; Mkdir; Remove), so tests never write into the repository. Run is
// the bad-input corpus every project's config tests share: each case
// mutates the copy and the project's config.Load must fail with exactly one
// problem naming the file, the key and the fix.
package configtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CommittedRoot copies the repository's environment files and this
// project's folder (its stack files, topic files and bundles; no Go code)
// into a temporary root, points INFRA_ROOT at it and applies changes to
// it in order, so the program or its config.Load reads the committed
// configuration, mutated by one case. It returns the root.
func CommittedRoot(t *testing.T, project string, changes ...Change) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, dir := range []string{"environments", filepath.Join("projects", project)} {
		err := filepath.WalkDir(filepath.Join(src, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			if d.IsDir() {
				if d.Name() == "program" || d.Name() == "config" || d.Name() == "build" {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(root, rel), 0o755)
			}
			if strings.HasSuffix(path, ".go") || strings.HasPrefix(d.Name(), "go.") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(root, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(layout.EnvRoot, root)
	for _, c := range changes {
		c(t, root)
	}
	return root
}

// Change is the mutation of one case.
type Change func(t *testing.T, root string)

// Edit rewrites a file of the root with fn; fn must change it.
func Edit(rel string, fn func(t *testing.T, s string) string) Change {
	return func(t *testing.T, root string) {
		t.Helper()
		path := filepath.Join(root, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out := fn(t, string(data))
		if out == string(data) {
			t.Fatalf("the mutation leaves %s unchanged", rel)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Sub replaces the first match of the regular expression re with repl
// ($1 expands); the committed file must match, or the case is out of date.
func Sub(re, repl string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		t.Helper()
		rx := regexp.MustCompile(re)
		loc := rx.FindStringSubmatchIndex(s)
		if loc == nil {
			t.Fatalf("the committed file has no match of %s: rewrite the case", re)
		}
		return s[:loc[0]] + string(rx.ExpandString(nil, repl, s, loc)) + s[loc[1]:]
	}
}

// AddKey adds a top-level key of the project to a stack file's config.
func AddKey(text string) func(t *testing.T, s string) string {
	return Sub(`(?m)^config:.*$`, "config:\n  "+text)
}

// Replace replaces the first occurrence of old with repl; the committed
// file must contain old, or the case is out of date.
func Replace(old, repl string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("the committed file does not contain %q: rewrite the case", old)
		}
		return strings.Replace(s, old, repl, 1)
	}
}

// Append appends text to the file as it is.
func Append(text string) func(t *testing.T, s string) string {
	return func(_ *testing.T, s string) string { return s + text }
}

// Write writes content to a file of the root, creating its folders and
// replacing the file if it exists.
func Write(rel, content string) Change {
	return func(t *testing.T, root string) {
		t.Helper()
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Mkdir creates a folder of the root, and its parents.
func Mkdir(rel string) Change {
	return func(t *testing.T, root string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(root, rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// Remove removes a file or a folder (with its contents) of the root; it
// must exist, or the case is out of date.
func Remove(rel string) Change {
	return func(t *testing.T, root string) {
		t.Helper()
		path := filepath.Join(root, rel)
		if _, err := os.Lstat(path); err != nil {
			t.Fatalf("the committed tree has no %s: rewrite the case", rel)
		}
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
	}
}

// Case is one bad input of the corpus.
type Case struct {
	Name   string
	Change Change
	File   string   // the file the problem names, relative to the root
	Key    string   // the key it names
	Want   []string // substrings of the error
}

// Run loads the committed configuration of project's stack with load, the
// project's config.Load (it must be valid), then each case's mutation of
// it, which must fail with one problem naming the file, the key and the
// fix.
func Run[T any](t *testing.T, project, stack string, load func(*pulumi.Context) (T, error), cases []Case) {
	program := func(ctx *pulumi.Context) error {
		_, err := load(ctx)
		return err
	}
	CommittedRoot(t, project)
	if _, err := mocktest.Run(project, stack, program, mocktest.Options{}); err != nil {
		t.Fatalf("the committed configuration of %s/%s does not load: %v", project, stack, err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			CommittedRoot(t, project, c.Change)
			_, err := mocktest.Run(project, stack, program, mocktest.Options{})
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want one problem", err)
			}
			if len(e.Problems) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(e.Problems), err)
			}
			p, msg := e.Problems[0], e.Error()
			t.Log(msg)
			if p.File != c.File || p.Key != c.Key || p.Fix == "" {
				t.Errorf("problem %+v: want file %s, key %s and a fix", p, c.File, c.Key)
			}
			for _, w := range c.Want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

// FirstMatch returns the first submatch of re in the repository's file rel:
// a value a case takes from the committed configuration.
func FirstMatch(t *testing.T, rel, re string) string {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(re).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatalf("%s has no match of %s", rel, re)
	}
	return m[1]
}
