package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-storage/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.CloudflareStorageProject

// The corpus of bad inputs of the cloudflare-storage project: each case
// mutates the committed projects/cloudflare-storage/Pulumi.local.yaml or
// environments/local.yaml and config.Load must fail with one problem naming
// the file, the key and the fix.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	runBadInputs(t, "local", []badInput{
		{"vectorize dimensions out of range", edit(stackFile, sub(`(?m)^(\s+dimensions: )\S+`, `${1}0`)),
			stackFile, ns + "vectorize.dimensions", []string{"0 is out of range", "fix: use 1 to"}},
		{"vectorize dimensions in words", edit(stackFile, sub(`(?m)^(\s+dimensions: )\S+`, `${1}many`)),
			stackFile, ns + "vectorize", []string{"cannot be read: dimensions is a string, not a whole number", "fix: write a whole number"}},
		{"unknown vectorize metric", edit(stackFile, sub(`(?m)^(\s+metric: )\S+`, `${1}manhattan`)),
			stackFile, ns + "vectorize.metric", []string{`"manhattan" is not a Vectorize metric`, "fix: use one of"}},
		{"misspelt vectorize field", edit(stackFile, sub(`(?m)^(\s+)dimensions:`, `${1}dimension:`)),
			stackFile, ns + "vectorize", []string{`cannot be read: unknown field "dimension"`, "fix: did you mean dimensions?"}},
		{"notification of an unknown bucket", edit(stackFile, sub(`(?m)^(\s+bucket: )\S+`, `${1}no-such-bucket`)),
			stackFile, ns + "eventNotification.bucket", []string{`"no-such-bucket" is not a bucket of this project`, "fix: use one of"}},
		{"notification prefix with a space", edit(stackFile, sub(`(?m)^(\s+)(bucket: \S+)`, "${1}${2}\n${1}prefix: \"raw uploads/\"")),
			stackFile, ns + "eventNotification.prefix", []string{"is not a valid object key filter", "fix: use printable characters without spaces"}},
		{"misspelt key", edit(stackFile, sub(`eventNotification:`, `eventNotifications:`)),
			stackFile, ns + "eventNotifications", []string{"is not a key of this project", "fix: did you mean " + ns + "eventNotification?"}},
		{"name override without the environment", edit(stackFile, addKey(ns+"names:\n    dome-meta: dome-meta")),
			stackFile, ns + "names", []string{"fix: outside prod remove the override, or keep the environment name in it"}},
		{"name override of an unknown object", edit(stackFile, addKey(ns+"names:\n    dome-metadata: local-dome-metadata")),
			stackFile, ns + "names.dome-metadata", []string{`"dome-metadata" is not an object of this project`, "fix: use one of"}},
		{"imports outside prod", edit(stackFile, addKey(ns+"imports:\n    dome-meta: 00000000-0000-0000-0000-000000000000")),
			stackFile, ns + "imports", []string{"is only allowed in prod", "fix: remove the key"}},
		{"environment without the account", edit("environments/local.yaml", sub(`(?m)^\s+accountId: .*\n`, ``)),
			"environments/local.yaml", "cloudflare.accountId", []string{"is missing", "fix: set the 32-character Cloudflare account ID"}},
	})
}

// committedRoot copies the repository's environment files and this
// project's folder (its stack files, topic files and bundles; no Go code)
// into a temporary root and points INFRA_ROOT at it, so config.Load reads
// the committed configuration, mutated by one case.
func committedRoot(t *testing.T) string {
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
	return root
}

// change is the mutation of one case.
type change func(t *testing.T, root string)

// edit rewrites a file of the root with fn; fn must change it.
func edit(rel string, fn func(t *testing.T, s string) string) change {
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

// sub replaces the first match of the regular expression re with repl
// ($1 expands); the committed file must match, or the case is out of date.
func sub(re, repl string) func(t *testing.T, s string) string {
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

// addKey adds a top-level key of the project to a stack file's config.
func addKey(text string) func(t *testing.T, s string) string {
	return sub(`(?m)^config:.*$`, "config:\n  "+text)
}

func loadConfig(ctx *pulumi.Context) error {
	_, err := config.Load(ctx)
	return err
}

// badInput is one case of the corpus.
type badInput struct {
	name   string
	change change
	file   string   // the file the problem names, relative to the root
	key    string   // the key it names
	want   []string // substrings of the error
}

// runBadInputs loads the committed configuration (it must be valid), then
// each case's mutation of it, which must fail with one problem naming the
// file, the key and the fix.
func runBadInputs(t *testing.T, stack string, cases []badInput) {
	committedRoot(t)
	if _, err := mocktest.Run(project, stack, loadConfig, mocktest.Options{}); err != nil {
		t.Fatalf("the committed configuration of %s/%s does not load: %v", project, stack, err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := committedRoot(t)
			c.change(t, root)
			_, err := mocktest.Run(project, stack, loadConfig, mocktest.Options{})
			var e *problems.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want one problem", err)
			}
			if len(e.Problems) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(e.Problems), err)
			}
			p, msg := e.Problems[0], e.Error()
			t.Log(msg)
			if p.File != c.file || p.Key != c.key || p.Fix == "" {
				t.Errorf("problem %+v: want file %s, key %s and a fix", p, c.file, c.key)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}
