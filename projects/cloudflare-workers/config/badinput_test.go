package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.CloudflareWorkersProject

// The corpus of bad inputs of the cloudflare-workers project: each case
// mutates the committed projects/cloudflare-workers/Pulumi.local.yaml and
// config.Load must fail with one problem naming the file, the key and the
// fix. The first consumer, cron and flag are found in the committed file.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	const firstCron = `(` + project + `:crons:\n\s+\S+:\n\s+- )"[^"]*"`
	cronKey := ns + "crons." + firstMatch(t, stackFile, project+`:crons:\n\s+(\S+):`) + "[0]"
	runBadInputs(t, "local", []badInput{
		{"compatibility date that does not exist", edit(stackFile, sub(`(compatibilityDate: )"[^"]*"`, `${1}"2026-13-01"`)),
			stackFile, ns + "compatibilityDate", []string{`"2026-13-01" is not a date in the form YYYY-MM-DD`, "fix: set the Workers runtime compatibility date"}},
		{"compatibility date in the future", edit(stackFile, sub(`(compatibilityDate: )"[^"]*"`, `${1}"2999-01-01"`)),
			stackFile, ns + "compatibilityDate", []string{"is in the future", "fix: use today's date or an earlier one"}},
		{"misspelt required key", edit(stackFile, sub(`compatibilityDate:`, `compatibiltyDate:`)),
			stackFile, ns + "compatibiltyDate", []string{"is not a key of this project", "fix: did you mean " + ns + "compatibilityDate?"}},
		{"bad compatibility flag", edit(stackFile, sub(`(compatibilityFlags:\n\s+- )\S+`, `${1}"Node Compat"`)),
			stackFile, ns + "compatibilityFlags[0]", []string{`"Node Compat" is not a compatibility flag`, "fix: use a flag name such as nodejs_compat"}},
		{"sampling rate above 1", edit(stackFile, sub(`(?m)^(\s+headSamplingRate: )\S+`, `${1}2`)),
			stackFile, ns + "observability.headSamplingRate", []string{"2 is out of range", "fix: use a fraction from 0 to 1"}},
		{"batch size above the limit", edit(stackFile, sub(`(?m)^(\s+batchSize: )\d+`, `${1}1000`)),
			stackFile, ns + "consumers[0].batchSize", []string{"1000 is out of range", "fix: use 1 to 100 messages"}},
		{"negative retries", edit(stackFile, sub(`(?m)^(\s+maxRetries: )\d+`, `${1}-1`)),
			stackFile, ns + "consumers[0].maxRetries", []string{"-1 is out of range", "fix: use 0 to 100 retries"}},
		{"consumer Worker that does not exist", edit(stackFile, sub(`(?m)^(\s+worker: )\S+`, `${1}no-such-worker`)),
			stackFile, ns + "consumers[0].worker", []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{"misspelt consumer field", edit(stackFile, sub(`(?m)^(\s+)batchSize:`, `${1}batch_size:`)),
			stackFile, ns + "consumers", []string{`cannot be read: unknown field "batch_size"`, "fix: did you mean batchSize?"}},
		{"cron with a time zone", edit(stackFile, sub(firstCron, `${1}"TZ=Europe/Paris 0 * * * *"`)),
			stackFile, cronKey, []string{"sets a time zone", "fix: remove the time zone: Cloudflare runs cron triggers in UTC"}},
		{"cron that does not parse", edit(stackFile, sub(firstCron, `${1}"every 5 minutes"`)),
			stackFile, cronKey, []string{"is not a valid cron expression", "fix: use five fields"}},
		{"cron of an unknown Worker", edit(stackFile, sub(`(`+project+`:crons:\n\s+)\S+:`, `${1}no-such-worker:`)),
			stackFile, ns + "crons.no-such-worker", []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{"unknown key", edit(stackFile, addKey(ns+"routes: [api.clustera.test/*]")),
			stackFile, ns + "routes", []string{"is not a key of this project", "fix: remove it, or use one of"}},
	})
}

// firstMatch returns the first group of re in a committed file.
func firstMatch(t *testing.T, rel, re string) string {
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
