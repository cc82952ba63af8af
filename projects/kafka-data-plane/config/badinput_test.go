package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/kafka-data-plane/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.KafkaDataPlaneProject

// The corpus of bad inputs of the kafka-data-plane project: each case
// mutates the committed stack file, topic file or environments/local.yaml
// and config.Load must fail with one problem naming the file, the key and
// the fix. The first topic is read from the committed topic file.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	const topicFile = "projects/" + project + "/" + topics.FileName
	ns := project + ":"
	first := firstMatch(t, topicFile, `(?m)^\s+- name: "?\{stack\}-([^"\s]+)`)
	runBadInputs(t, "local", []badInput{
		{"import of an undeclared topic", edit(stackFile, addKey(ns+"importTopics: [no-such-topic]")),
			stackFile, ns + "importTopics[0]", []string{`"no-such-topic" is not a declared topic`, "fix: use a logical name (without the {stack}- prefix)"}},
		{"import with the stack prefix", edit(stackFile, addKey(ns+`importTopics: ["{stack}-`+first+`"]`)),
			stackFile, ns + "importTopics[0]", []string{"is not a declared topic", "fix: use a logical name (without the {stack}- prefix), one of"}},
		{"misspelt importTopics", edit(stackFile, addKey(ns+"importTopic: ["+first+"]")),
			stackFile, ns + "importTopic", []string{"is not a key of this project", "fix: did you mean " + ns + "importTopics?"}},
		{"default replication below Aiven's minimum", edit(stackFile, addKey(ns+"defaultReplication: 1")),
			stackFile, ns + "defaultReplication", []string{"1 is below 2", "fix: use at least 2"}},
		{"name override without the environment", edit(stackFile, addKey(ns+"names:\n    "+first+": "+first)),
			stackFile, ns + "names", []string{`does not contain the environment "local"`, "fix: put the environment name in every override"}},
		{"name override of an undeclared topic", edit(stackFile, addKey(ns+"names:\n    no-such-topic: local-no-such-topic")),
			stackFile, ns + "names", []string{"overrides for topics that are not declared: [no-such-topic]", "fix: remove them or fix the topic name"}},
		{"camelCase key in the topic file", edit(topicFile, sub(`(?m)^(\s+)(- name: .*)$`, "${1}${2}\n${1}  retentionMs: \"259200000\"")),
			topicFile, "topics[0].retentionMs", []string{"unknown key", "fix: did you mean retention_ms?"}},
		{"topic file removed", func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, topicFile)); err != nil {
				t.Fatal(err)
			}
		}, topicFile, "topics", []string{"topics: cannot be read", "no such file", "fix: declare the data plane topics in " + topicFile}},
		{"environment without the Kafka service", edit("environments/local.yaml", sub(`(?m)^\s+kafkaService: .*\n`, ``)),
			"environments/local.yaml", "aiven.kafkaService", []string{"is missing", "fix: set the name of the Aiven Kafka service"}},
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
