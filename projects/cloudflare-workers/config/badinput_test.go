package config_test

import (
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/cloudflare-workers/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	cronKey := ns + "crons." + firstMatch(t, stackFile, project+`:crons:\n\s+(\S+):`) + "[0]"
	runBadInputs(t, "local", []badInput{
		{"compatibility date that does not exist", edit(stackFile, sub(`(compatibilityDate: )"[^"]*"`, `${1}"2026-13-01"`)),
			stackFile, ns + "compatibilityDate", []string{`"2026-13-01" is not a date in the form YYYY-MM-DD`, "fix: set the Workers runtime compatibility date"}},
		{"compatibility date in the future", edit(stackFile, sub(`(compatibilityDate: )"[^"]*"`, `${1}"2999-01-01"`)),
			stackFile, ns + "compatibilityDate", []string{"is in the future", "fix: use today's date or an earlier one"}},
		{"misspelt required key", edit(stackFile, sub(`compatibilityDate:`, `compatibiltyDate:`)),
			stackFile, ns + "compatibiltyDate", []string{"is not a key of this project", "fix: did you mean " + ns + "compatibilityDate?"}},
		{"bad compatibility flag", edit(stackFile, sub(`(compatibilityFlags:\n\s+- )\S+`, `${1}"Node Compat"`)),
			stackFile, ns + "compatibilityFlags[0]", []string{`"Node Compat" is not a compatibility flag`, "fix: use a flag name such as nodejs_compat"}},
		{"sampling rate above 1", edit(stackFile, sub(`(?m)^(\s+headSamplingRate: )\S+`, `${1}2`)),
			stackFile, ns + "observability.headSamplingRate", []string{"2 is out of range", "fix: use a fraction from 0 to 1"}},
		{"batch size above the limit", edit(stackFile, sub(`(?m)^(\s+batchSize: )\d+`, `${1}1000`)),
			stackFile, ns + "consumers[0].batchSize", []string{"1000 is out of range", "fix: use 1 to 100 messages"}},
		{"negative retries", edit(stackFile, sub(`(?m)^(\s+maxRetries: )\d+`, `${1}-1`)),
			stackFile, ns + "consumers[0].maxRetries", []string{"-1 is out of range", "fix: use 0 to 100 retries"}},
		{"consumer Worker that does not exist", edit(stackFile, sub(`(?m)^(\s+worker: )\S+`, `${1}no-such-worker`)),
			stackFile, ns + "consumers[0].worker", []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{"misspelt consumer field", edit(stackFile, sub(`(?m)^(\s+)batchSize:`, `${1}batch_size:`)),
			stackFile, ns + "consumers", []string{`cannot be read: unknown field "batch_size"`, "fix: did you mean batchSize?"}},
		{"cron with a time zone", edit(stackFile, sub(firstCron, `${1}"TZ=Europe/Paris 0 * * * *"`)),
			stackFile, cronKey, []string{"sets a time zone", "fix: remove the time zone: Cloudflare runs cron triggers in UTC"}},
		{"cron that does not parse", edit(stackFile, sub(firstCron, `${1}"every 5 minutes"`)),
			stackFile, cronKey, []string{"is not a valid cron expression", "fix: use five fields"}},
		{"cron of an unknown Worker", edit(stackFile, sub(`(`+project+`:crons:\n\s+)\S+:`, `${1}no-such-worker:`)),
			stackFile, ns + "crons.no-such-worker", []string{`"no-such-worker" is not a Worker of this project`, "fix: use one of"}},
		{"unknown key", edit(stackFile, addKey(ns+"routes: [api.clustera.test/*]")),
			stackFile, ns + "routes", []string{"is not a key of this project", "fix: remove it, or use one of"}},
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
