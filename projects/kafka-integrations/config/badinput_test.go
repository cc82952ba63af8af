package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/kafka-integrations/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
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

func loadConfig(ctx *pulumi.Context) error {
	_, err := config.Load(ctx)
	return err
}

// The corpus machinery is shared by every project (shared/configtest).
type change = configtest.Change

var (
	edit   = configtest.Edit
	addKey = configtest.AddKey
)

// badInput is one case of the corpus.
type badInput struct {
	name   string
	change change
	file   string   // the file the problem names, relative to the root
	key    string   // the key it names
	want   []string // substrings of the error
}

func runBadInputs(t *testing.T, stack string, cases []badInput) {
	cs := make([]configtest.Case, len(cases))
	for i, c := range cases {
		cs[i] = configtest.Case{Name: c.name, Change: c.change, File: c.file, Key: c.key, Want: c.want}
	}
	configtest.Run(t, project, stack, loadConfig, cs)
}
