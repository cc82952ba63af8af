package config_test

import (
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/gcp-gmail/config"
	"github.com/clustera/infra/shared/contracts"
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
