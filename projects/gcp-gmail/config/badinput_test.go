package config_test

import (
	"testing"

	"github.com/clustera/infra/projects/gcp-gmail/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
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
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "plain http endpoint", Change: configtest.Edit(stackFile, configtest.Sub(endpoint, `${1}http://gmail-webhook.clustera.test/gmail/push`)),
			File: stackFile, Key: ns + "gmailWebhookEndpoint", Want: []string{"is not an https URL", "fix: use https"}},
		{Name: "endpoint with its own kafkaTopic", Change: configtest.Edit(stackFile, configtest.Sub(endpoint, `${1}https://gmail-webhook.clustera.test/push?kafkaTopic=x`)),
			File: stackFile, Key: ns + "gmailWebhookEndpoint", Want: []string{"already sets kafkaTopic", "fix: remove the parameter"}},
		{Name: "endpoint with credentials", Change: configtest.Edit(stackFile, configtest.Sub(endpoint, `${1}https://user:secret@gmail-webhook.clustera.test/push`)),
			File: stackFile, Key: ns + "gmailWebhookEndpoint", Want: []string{"carries credentials", "fix: remove the credentials"}},
		{Name: "push service account not an e-mail", Change: configtest.Edit(stackFile, configtest.Sub(`(pushServiceAccount: )\S+`, `${1}gmail-push`)),
			File: stackFile, Key: ns + "pushServiceAccount", Want: []string{`"gmail-push" is not a service account e-mail`, "fix: use a service account e-mail"}},
		{Name: "push settings without an endpoint", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^.*gmailWebhookEndpoint: .*\n`, ``)),
			File: stackFile, Key: ns + "pushServiceAccount", Want: []string{"is set, but gmailWebhookEndpoint is not", "fix: set gmailWebhookEndpoint, or remove the key"}},
		{Name: "ack deadline too short", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"ackDeadlineSeconds: 5")),
			File: stackFile, Key: ns + "ackDeadlineSeconds", Want: []string{"5 is outside the range Pub/Sub accepts", "fix: use 10 to 600 seconds"}},
		{Name: "ack deadline in words", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"ackDeadlineSeconds: a minute")),
			File: stackFile, Key: ns + "ackDeadlineSeconds", Want: []string{`"a minute" is not an integer`, "fix: use a whole number"}},
		{Name: "import flag not a boolean", Change: configtest.Edit(stackFile, configtest.AddKey(ns+`importExisting: "yes please"`)),
			File: stackFile, Key: ns + "importExisting", Want: []string{`"yes please" is not a boolean`, "fix: use true or false"}},
		{Name: "misspelt optional key", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"ackDeadlineSecond: 30")),
			File: stackFile, Key: ns + "ackDeadlineSecond", Want: []string{"is not a key of this project", "fix: did you mean " + ns + "ackDeadlineSeconds?"}},
		{Name: "name override of an unknown object", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"names:\n    gmail-topic: local-gmail-topic")),
			File: stackFile, Key: ns + "names", Want: []string{"unknown keys [gmail-topic]", "fix: use the keys"}},
		{Name: "environment without the GCP project", Change: configtest.Edit("environments/local.yaml", configtest.Sub(`(?m)^(gcp:\n(?:\s+.*\n)*?)\s+project: .*\n`, `${1}`)),
			File: "environments/local.yaml", Key: "gcp.project", Want: []string{"is missing", "fix: set the GCP project ID"}},
		{Name: "environment without the GCP region", Change: configtest.Edit("environments/local.yaml", configtest.Sub(`(?m)^\s+region: .*\n`, ``)),
			File: "environments/local.yaml", Key: "gcp.region", Want: []string{"is missing", "fix: set the GCP region"}},
	})
}
