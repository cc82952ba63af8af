package config_test

import (
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/cloudflare-storage/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.CloudflareStorageProject

// The corpus of bad inputs of the cloudflare-storage project: each case
// mutates the committed projects/cloudflare-storage/Pulumi.local.yaml or
// environments/local.yaml and config.Load must fail with one problem naming
// the file, the key and the fix.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	runBadInputs(t, "local", []badInput{
		{"vectorize dimensions out of range", edit(stackFile, sub(`(?m)^(\s+dimensions: )\S+`, `${1}0`)),
			stackFile, ns + "vectorize.dimensions", []string{"0 is out of range", "fix: use 1 to"}},
		{"vectorize dimensions in words", edit(stackFile, sub(`(?m)^(\s+dimensions: )\S+`, `${1}many`)),
			stackFile, ns + "vectorize", []string{"cannot be read: dimensions is a string, not a whole number", "fix: write a whole number"}},
		{"unknown vectorize metric", edit(stackFile, sub(`(?m)^(\s+metric: )\S+`, `${1}manhattan`)),
			stackFile, ns + "vectorize.metric", []string{`"manhattan" is not a Vectorize metric`, "fix: use one of"}},
		{"misspelt vectorize field", edit(stackFile, sub(`(?m)^(\s+)dimensions:`, `${1}dimension:`)),
			stackFile, ns + "vectorize", []string{`cannot be read: unknown field "dimension"`, "fix: did you mean dimensions?"}},
		{"notification of an unknown bucket", edit(stackFile, sub(`(?m)^(\s+bucket: )\S+`, `${1}no-such-bucket`)),
			stackFile, ns + "eventNotification.bucket", []string{`"no-such-bucket" is not a bucket of this project`, "fix: use one of"}},
		{"notification prefix with a space", edit(stackFile, sub(`(?m)^(\s+)(bucket: \S+)`, "${1}${2}\n${1}prefix: \"raw uploads/\"")),
			stackFile, ns + "eventNotification.prefix", []string{"is not a valid object key filter", "fix: use printable characters without spaces"}},
		{"misspelt key", edit(stackFile, sub(`eventNotification:`, `eventNotifications:`)),
			stackFile, ns + "eventNotifications", []string{"is not a key of this project", "fix: did you mean " + ns + "eventNotification?"}},
		{"name override without the environment", edit(stackFile, addKey(ns+"names:\n    dome-meta: dome-meta")),
			stackFile, ns + "names", []string{"fix: outside prod remove the override, or keep the environment name in it"}},
		{"name override of an unknown object", edit(stackFile, addKey(ns+"names:\n    dome-metadata: local-dome-metadata")),
			stackFile, ns + "names.dome-metadata", []string{`"dome-metadata" is not an object of this project`, "fix: use one of"}},
		{"imports outside prod", edit(stackFile, addKey(ns+"imports:\n    dome-meta: 00000000-0000-0000-0000-000000000000")),
			stackFile, ns + "imports", []string{"is only allowed in prod", "fix: remove the key"}},
		{"environment without the account", edit("environments/local.yaml", sub(`(?m)^\s+accountId: .*\n`, ``)),
			"environments/local.yaml", "cloudflare.accountId", []string{"is missing", "fix: set the 32-character Cloudflare account ID"}},
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
