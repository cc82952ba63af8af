package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/kafka-data-plane/config"
	"github.com/clustera/infra/shared/contracts"
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

func loadConfig(ctx *pulumi.Context) error {
	_, err := config.Load(ctx)
	return err
}

// The corpus machinery is shared by every project (shared/configtest).
type change = configtest.Change

var (
	edit   = configtest.Edit
	sub    = configtest.Sub
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

func firstMatch(t *testing.T, rel, re string) string { return configtest.FirstMatch(t, rel, re) }
