package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/gcp-gmail/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.GCPGmailProject

// The corpus of bad inputs of the gcp-gmail project: each case mutates the
// committed projects/gcp-gmail/Pulumi.local.yaml or environments/local.yaml
// and config.Load must fail with one problem naming the file, the key and
// the fix.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	endpoint := `(gmailWebhookEndpoint: )\S+`
	runBadInputs(t, "local", []badInput{
		{"plain http endpoint", edit(stackFile, sub(endpoint, `${1}http://gmail-webhook.clustera.test/gmail/push`)),
			stackFile, ns + "gmailWebhookEndpoint", []string{"is not an https URL", "fix: use https"}},
		{"endpoint with its own kafkaTopic", edit(stackFile, sub(endpoint, `${1}https://gmail-webhook.clustera.test/push?kafkaTopic=x`)),
			stackFile, ns + "gmailWebhookEndpoint", []string{"already sets kafkaTopic", "fix: remove the parameter"}},
		{"endpoint with credentials", edit(stackFile, sub(endpoint, `${1}https://user:secret@gmail-webhook.clustera.test/push`)),
			stackFile, ns + "gmailWebhookEndpoint", []string{"carries credentials", "fix: remove the credentials"}},
		{"push service account not an e-mail", edit(stackFile, sub(`(pushServiceAccount: )\S+`, `${1}gmail-push`)),
			stackFile, ns + "pushServiceAccount", []string{`"gmail-push" is not a service account e-mail`, "fix: use a service account e-mail"}},
		{"push settings without an endpoint", edit(stackFile, sub(`(?m)^.*gmailWebhookEndpoint: .*\n`, ``)),
			stackFile, ns + "pushServiceAccount", []string{"is set, but gmailWebhookEndpoint is not", "fix: set gmailWebhookEndpoint, or remove the key"}},
		{"ack deadline too short", edit(stackFile, addKey(ns+"ackDeadlineSeconds: 5")),
			stackFile, ns + "ackDeadlineSeconds", []string{"5 is outside the range Pub/Sub accepts", "fix: use 10 to 600 seconds"}},
		{"ack deadline in words", edit(stackFile, addKey(ns+"ackDeadlineSeconds: a minute")),
			stackFile, ns + "ackDeadlineSeconds", []string{`"a minute" is not an integer`, "fix: use a whole number"}},
		{"import flag not a boolean", edit(stackFile, addKey(ns+`importExisting: "yes please"`)),
			stackFile, ns + "importExisting", []string{`"yes please" is not a boolean`, "fix: use true or false"}},
		{"misspelt optional key", edit(stackFile, addKey(ns+"ackDeadlineSecond: 30")),
			stackFile, ns + "ackDeadlineSecond", []string{"is not a key of this project", "fix: did you mean " + ns + "ackDeadlineSeconds?"}},
		{"name override of an unknown object", edit(stackFile, addKey(ns+"names:\n    gmail-topic: local-gmail-topic")),
			stackFile, ns + "names", []string{"unknown keys [gmail-topic]", "fix: use the keys"}},
		{"environment without the GCP project", edit("environments/local.yaml", sub(`(?m)^(gcp:\n(?:\s+.*\n)*?)\s+project: .*\n`, `${1}`)),
			"environments/local.yaml", "gcp.project", []string{"is missing", "fix: set the GCP project ID"}},
		{"environment without the GCP region", edit("environments/local.yaml", sub(`(?m)^\s+region: .*\n`, ``)),
			"environments/local.yaml", "gcp.region", []string{"is missing", "fix: set the GCP region"}},
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
