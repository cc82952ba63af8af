package config_test

import (
	"testing"

	"github.com/clustera/infra/projects/cloudflare-storage/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
)

const project = contracts.CloudflareStorageProject

// The corpus of bad inputs of the cloudflare-storage project: each case
// mutates the committed projects/cloudflare-storage/Pulumi.local.yaml or
// environments/local.yaml and config.Load must fail with one problem naming
// the file, the key and the fix.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "vectorize dimensions out of range", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+dimensions: )\S+`, `${1}0`)),
			File: stackFile, Key: ns + "vectorize.dimensions", Want: []string{"0 is out of range", "fix: use 1 to"}},
		{Name: "vectorize dimensions in words", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+dimensions: )\S+`, `${1}many`)),
			File: stackFile, Key: ns + "vectorize", Want: []string{"cannot be read: dimensions is a string, not a whole number", "fix: write a whole number"}},
		{Name: "unknown vectorize metric", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+metric: )\S+`, `${1}manhattan`)),
			File: stackFile, Key: ns + "vectorize.metric", Want: []string{`"manhattan" is not a Vectorize metric`, "fix: use one of"}},
		{Name: "misspelt vectorize field", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+)dimensions:`, `${1}dimension:`)),
			File: stackFile, Key: ns + "vectorize", Want: []string{`cannot be read: unknown field "dimension"`, "fix: did you mean dimensions?"}},
		{Name: "notification of an unknown bucket", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+bucket: )\S+`, `${1}no-such-bucket`)),
			File: stackFile, Key: ns + "eventNotification.bucket", Want: []string{`"no-such-bucket" is not a bucket of this project`, "fix: use one of"}},
		{Name: "notification prefix with a space", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+)(bucket: \S+)`, "${1}${2}\n${1}prefix: \"raw uploads/\"")),
			File: stackFile, Key: ns + "eventNotification.prefix", Want: []string{"is not a valid object key filter", "fix: use printable characters without spaces"}},
		{Name: "misspelt key", Change: configtest.Edit(stackFile, configtest.Sub(`eventNotification:`, `eventNotifications:`)),
			File: stackFile, Key: ns + "eventNotifications", Want: []string{"is not a key of this project", "fix: did you mean " + ns + "eventNotification?"}},
		{Name: "name override without the environment", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"names:\n    dome-meta: dome-meta")),
			File: stackFile, Key: ns + "names", Want: []string{"fix: outside prod remove the override, or keep the environment name in it"}},
		{Name: "name override of an unknown object", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"names:\n    dome-metadata: local-dome-metadata")),
			File: stackFile, Key: ns + "names.dome-metadata", Want: []string{`"dome-metadata" is not an object of this project`, "fix: use one of"}},
		{Name: "imports outside prod", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"imports:\n    dome-meta: 00000000-0000-0000-0000-000000000000")),
			File: stackFile, Key: ns + "imports", Want: []string{"is only allowed in prod", "fix: remove the key"}},
		{Name: "environment without the account", Change: configtest.Edit("environments/local.yaml", configtest.Sub(`(?m)^\s+accountId: .*\n`, ``)),
			File: "environments/local.yaml", Key: "cloudflare.accountId", Want: []string{"is missing", "fix: set the 32-character Cloudflare account ID"}},
	})
}
