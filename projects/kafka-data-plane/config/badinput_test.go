package config_test

import (
	"testing"

	"github.com/clustera/infra/projects/kafka-data-plane/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/topics"
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
	first := configtest.FirstMatch(t, topicFile, `(?m)^\s+- name: "?\{stack\}-([^"\s]+)`)
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "import of an undeclared topic", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"importTopics: [no-such-topic]")),
			File: stackFile, Key: ns + "importTopics[0]", Want: []string{`"no-such-topic" is not a declared topic`, "fix: use a logical name (without the {stack}- prefix)"}},
		{Name: "import with the stack prefix", Change: configtest.Edit(stackFile, configtest.AddKey(ns+`importTopics: ["{stack}-`+first+`"]`)),
			File: stackFile, Key: ns + "importTopics[0]", Want: []string{"is not a declared topic", "fix: use a logical name (without the {stack}- prefix), one of"}},
		{Name: "misspelt importTopics", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"importTopic: ["+first+"]")),
			File: stackFile, Key: ns + "importTopic", Want: []string{"is not a key of this project", "fix: did you mean " + ns + "importTopics?"}},
		{Name: "default replication below Aiven's minimum", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"defaultReplication: 1")),
			File: stackFile, Key: ns + "defaultReplication", Want: []string{"1 is below 2", "fix: use at least 2"}},
		{Name: "name override without the environment", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"names:\n    "+first+": "+first)),
			File: stackFile, Key: ns + "names", Want: []string{`does not contain the environment "local"`, "fix: put the environment name in every override"}},
		{Name: "name override of an undeclared topic", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"names:\n    no-such-topic: local-no-such-topic")),
			File: stackFile, Key: ns + "names", Want: []string{"overrides for topics that are not declared: [no-such-topic]", "fix: remove them or fix the topic name"}},
		{Name: "camelCase key in the topic file", Change: configtest.Edit(topicFile, configtest.Sub(`(?m)^(\s+)(- name: .*)$`, "${1}${2}\n${1}  retentionMs: \"259200000\"")),
			File: topicFile, Key: "topics[0].retentionMs", Want: []string{"unknown key", "fix: did you mean retention_ms?"}},
		{Name: "topic file removed", Change: configtest.Remove(topicFile),
			File: topicFile, Key: "topics", Want: []string{"topics: cannot be read", "no such file", "fix: declare the data plane topics in " + topicFile}},
		{Name: "environment without the Kafka service", Change: configtest.Edit("environments/local.yaml", configtest.Sub(`(?m)^\s+kafkaService: .*\n`, ``)),
			File: "environments/local.yaml", Key: "aiven.kafkaService", Want: []string{"is missing", "fix: set the name of the Aiven Kafka service"}},
	})
}
