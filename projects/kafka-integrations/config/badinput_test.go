package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/kafka-integrations/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/topics"
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
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "integration folder without a topic file", Change: configtest.Mkdir(dir + "/newthing"),
			File: newFile, Key: "topics", Want: []string{"is missing", `fix: create it with the integration's worker queue, - name: "{stack}-integrations-worker-newthing"`}},
		{Name: "integration folder with a bad name", Change: configtest.Write(dir+"/Google_Drive/"+topics.FileName, topic(config.WorkerTopic("google-drive2"))),
			File: dir + "/Google_Drive", Key: "(folder)", Want: []string{"is not a valid integration name", "fix: name the folder with lowercase letters, digits and single '-'"}},
		{Name: "integration without its worker queue", Change: configtest.Write(newFile, topic(config.GroupPrefix+"newthing-events")),
			File: newFile, Key: "topics", Want: []string{`declares no topic "{stack}-integrations-worker-newthing" (its worker queue)`, `fix: add - name: "{stack}-integrations-worker-newthing"`}},
		{Name: "topic outside the integrations group", Change: configtest.Write(newFile, topic(config.WorkerTopic("newthing"))+"  - name: \"{stack}-newthing-events\"\n"),
			File: newFile, Key: "name", Want: []string{`topic "{stack}-newthing-events" is not an integration topic`, `fix: name it "{stack}-integrations-newthing-events"`}},
		{Name: "worker queue in the shared folder", Change: configtest.Edit(dir+"/"+config.Shared+"/"+topics.FileName, appendTopic(config.WorkerTopic("orphan"))),
			File: dir + "/" + config.Shared + "/" + topics.FileName, Key: "name", Want: []string{"is declared in the shared folder", "fix: move it to the folder of its integration"}},
		{Name: "worker queue in another integration's folder", Change: configtest.Edit(dir+"/"+other+"/"+topics.FileName, appendTopic(config.WorkerTopic("orphan"))),
			File: dir + "/" + other + "/" + topics.FileName, Key: "name", Want: []string{"does not belong to the " + other + " integration", "fix: move it to the folder of its integration"}},
		{Name: "gmail integration removed", Change: configtest.Remove(dir + "/" + config.Gmail),
			File: dir + "/" + config.Gmail, Key: "(folder)", Want: []string{"is missing", "fix: restore the gmail integration"}},
		{Name: "import of an undeclared topic", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"importTopics: [no-such-topic]")),
			File: stackFile, Key: ns + "importTopics[0]", Want: []string{`"no-such-topic" is not a declared topic`, "fix: use a logical name"}},
		{Name: "default replication below Aiven's minimum", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"defaultReplication: 1")),
			File: stackFile, Key: ns + "defaultReplication", Want: []string{"1 is below 2", "fix: use at least 2"}},
		{Name: "misspelt defaultReplication", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"default_replication: 3")),
			File: stackFile, Key: ns + "default_replication", Want: []string{"is not a key of this project", "fix: did you mean " + ns + "defaultReplication?"}},
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
