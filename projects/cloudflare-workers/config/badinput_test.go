package config_test

import (
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
)

const project = contracts.CloudflareWorkersProject

// The corpus of bad inputs of the cloudflare-workers project: each case
// mutates the committed projects/cloudflare-workers/Pulumi.local.yaml and
// config.Load must fail with one problem naming the file, the key and the
// fix. The first consumer, cron and flag are found in the committed file.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	ns := project + ":"
	const firstCron = `(` + project + `:crons:\n\s+\S+:\n\s+- )"[^"]*"`
	cronKey := ns + "crons." + configtest.FirstMatch(t, stackFile, project+`:crons:\n\s+(\S+):`) + "[0]"
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "compatibility date that does not exist", Change: configtest.Edit(stackFile, configtest.Sub(`(compatibilityDate: )"[^"]*"`, `${1}"2026-13-01"`)),
			File: stackFile, Key: ns + "compatibilityDate", Want: []string{`"2026-13-01" is not a date in the form YYYY-MM-DD`, "fix: set the Workers runtime compatibility date"}},
		{Name: "compatibility date in the future", Change: configtest.Edit(stackFile, configtest.Sub(`(compatibilityDate: )"[^"]*"`, `${1}"2999-01-01"`)),
			File: stackFile, Key: ns + "compatibilityDate", Want: []string{"is in the future", "fix: use today's date or an earlier one"}},
		{Name: "misspelt required key", Change: configtest.Edit(stackFile, configtest.Sub(`compatibilityDate:`, `compatibiltyDate:`)),
			File: stackFile, Key: ns + "compatibiltyDate", Want: []string{"is not a key of this project", "fix: did you mean " + ns + "compatibilityDate?"}},
		{Name: "bad compatibility flag", Change: configtest.Edit(stackFile, configtest.Sub(`(compatibilityFlags:\n\s+- )\S+`, `${1}"Node Compat"`)),
			File: stackFile, Key: ns + "compatibilityFlags[0]", Want: []string{`"Node Compat" is not a compatibility flag`, "fix: use a flag name such as nodejs_compat"}},
		{Name: "sampling rate above 1", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+headSamplingRate: )\S+`, `${1}2`)),
			File: stackFile, Key: ns + "observability.headSamplingRate", Want: []string{"2 is out of range", "fix: use a fraction from 0 to 1"}},
		{Name: "batch size above the limit", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+batchSize: )\d+`, `${1}1000`)),
			File: stackFile, Key: ns + "consumers[0].batchSize", Want: []string{"1000 is out of range", "fix: use 1 to 100 messages"}},
		{Name: "negative retries", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+maxRetries: )\d+`, `${1}-1`)),
			File: stackFile, Key: ns + "consumers[0].maxRetries", Want: []string{"-1 is out of range", "fix: use 0 to 100 retries"}},
		{Name: "consumer Worker that does not exist", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+worker: )\S+`, `${1}no-such-worker`)),
			File: stackFile, Key: ns + "consumers[0].worker", Want: []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{Name: "misspelt consumer field", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+)batchSize:`, `${1}batch_size:`)),
			File: stackFile, Key: ns + "consumers", Want: []string{`cannot be read: unknown field "batch_size"`, "fix: did you mean batchSize?"}},
		{Name: "cron with a time zone", Change: configtest.Edit(stackFile, configtest.Sub(firstCron, `${1}"TZ=Europe/Paris 0 * * * *"`)),
			File: stackFile, Key: cronKey, Want: []string{"sets a time zone", "fix: remove the time zone: Cloudflare runs cron triggers in UTC"}},
		{Name: "cron that does not parse", Change: configtest.Edit(stackFile, configtest.Sub(firstCron, `${1}"every 5 minutes"`)),
			File: stackFile, Key: cronKey, Want: []string{"is not a valid cron expression", "fix: use five fields"}},
		{Name: "cron of an unknown Worker", Change: configtest.Edit(stackFile, configtest.Sub(`(`+project+`:crons:\n\s+)\S+:`, `${1}no-such-worker:`)),
			File: stackFile, Key: ns + "crons.no-such-worker", Want: []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{Name: "unknown key", Change: configtest.Edit(stackFile, configtest.AddKey(ns+"routes: [api.clustera.test/*]")),
			File: stackFile, Key: ns + "routes", Want: []string{"is not a key of this project", "fix: remove it, or use one of"}},
	})
}
