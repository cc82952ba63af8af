package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/kafka-integrations/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/topics"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.KafkaIntegrationsProject

// The corpus of bad inputs of the kafka-integrations project: each case
// adds, breaks or removes an integration folder, or mutates the committed
// stack file, and config.Load must fail with one problem naming the file (or
// folder), the key and the fix. The integrations are discovered in the
// repository as the project does, so adding one changes nothing here.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	dir := "projects/" + project + "/" + config.Dir
	ns := project + ":"
	other := otherIntegration(t, dir)
	topic := func(logical string) string { return "topics:\n  - name: \"" + topics.NamePrefix + logical + "\"\n" }
	newFile := dir + "/newthing/" + topics.FileName
	runBadInputs(t, "local", []badInput{
		{"integration folder without a topic file", mkdir(dir + "/newthing"),
			newFile, "topics", []string{"is missing", `fix: create it with the integration's worker queue, - name: "{stack}-integrations-worker-newthing"`}},
		{"integration folder with a bad name", write(dir+"/Google_Drive/"+topics.FileName, topic(config.WorkerTopic("google-drive2"))),
			dir + "/Google_Drive", "(folder)", []string{"is not a valid integration name", "fix: name the folder with lowercase letters, digits and single '-'"}},
		{"integration without its worker queue", write(newFile, topic(config.GroupPrefix+"newthing-events")),
			newFile, "topics", []string{`declares no topic "{stack}-integrations-worker-newthing" (its worker queue)`, `fix: add - name: "{stack}-integrations-worker-newthing"`}},
		{"topic outside the integrations group", write(newFile, topic(config.WorkerTopic("newthing"))+"  - name: \"{stack}-newthing-events\"\n"),
			newFile, "name", []string{`topic "{stack}-newthing-events" is not an integration topic`, `fix: name it "{stack}-integrations-newthing-events"`}},
		{"worker queue in the shared folder", edit(dir+"/"+config.Shared+"/"+topics.FileName, appendTopic(config.WorkerTopic("orphan"))),
			dir + "/" + config.Shared + "/" + topics.FileName, "name", []string{"is declared in the shared folder", "fix: move it to the folder of its integration"}},
		{"worker queue in another integration's folder", edit(dir+"/"+other+"/"+topics.FileName, appendTopic(config.WorkerTopic("orphan"))),
			dir + "/" + other + "/" + topics.FileName, "name", []string{"does not belong to the " + other + " integration", "fix: move it to the folder of its integration"}},
		{"gmail integration removed", func(t *testing.T, root string) {
			if err := os.RemoveAll(filepath.Join(root, dir, config.Gmail)); err != nil {
				t.Fatal(err)
			}
		}, dir + "/" + config.Gmail, "(folder)", []string{"is missing", "fix: restore the gmail integration"}},
		{"import of an undeclared topic", edit(stackFile, addKey(ns+"importTopics: [no-such-topic]")),
			stackFile, ns + "importTopics[0]", []string{`"no-such-topic" is not a declared topic`, "fix: use a logical name"}},
		{"default replication below Aiven's minimum", edit(stackFile, addKey(ns+"defaultReplication: 1")),
			stackFile, ns + "defaultReplication", []string{"1 is below 2", "fix: use at least 2"}},
		{"misspelt defaultReplication", edit(stackFile, addKey(ns+"default_replication: 3")),
			stackFile, ns + "default_replication", []string{"is not a key of this project", "fix: did you mean " + ns + "defaultReplication?"}},
	})
}

// otherIntegration returns the first committed integration that is neither
// the shared folder nor gmail.
func otherIntegration(t *testing.T, dir string) string {
	t.Helper()
	root, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != config.Shared && e.Name() != config.Gmail {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Skip("no integration besides shared and gmail")
	}
	sort.Strings(names)
	return names[0]
}

func mkdir(rel string) change {
	return func(t *testing.T, root string) {
		if err := os.MkdirAll(filepath.Join(root, rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func write(rel, content string) change {
	return func(t *testing.T, root string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// appendTopic appends a topic to a topic file, indented like its topics.
func appendTopic(logical string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		m := regexp.MustCompile(`(?m)^(\s*)- name:`).FindStringSubmatch(s)
		if m == nil {
			t.Fatal("the committed file declares no topic")
		}
		return strings.TrimRight(s, "\n") + "\n" + m[1] + "- name: \"" + topics.NamePrefix + logical + "\"\n"
	}
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
