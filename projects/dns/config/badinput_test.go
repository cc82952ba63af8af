package config_test

import (
	"testing"

	"github.com/clustera/infra/shared/configtest"

	"github.com/clustera/infra/projects/dns/config"
	"github.com/clustera/infra/shared/contracts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const project = contracts.DNSProject

// The corpus of bad inputs of the dns project: each case mutates the
// committed projects/dns/Pulumi.local.yaml or environments/local.yaml and
// config.Load must fail with one problem naming the file, the key and the
// fix. Values are found in the committed files by key, not copied here.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	runBadInputs(t, "local", []badInput{
		{"IP address out of range", edit(stackFile, sub(`(ips: \[")[^"]+`, `${1}192.0.2.300`)),
			stackFile, "dns:nodes[0].ips[0]", []string{`"192.0.2.300" is not an IP address`, "fix: use an IPv4 address"}},
		{"IPv6 address in an A record", edit(stackFile, sub(`(ips: \[")[^"]+`, `${1}2001:db8::1`)),
			stackFile, "dns:nodes[0].ips[0]", []string{"is an IPv6 address", "fix: use an IPv4 address"}},
		{"domain outside the zone", edit(stackFile, sub(`(?m)^(\s+domain: )\S+`, `${1}node.example.com`)),
			stackFile, "dns:nodes[0].domain", []string{"is outside the zone", "fix: use a name in the zone of environments/local.yaml"}},
		{"domain without the environment", edit(stackFile, sub(`(?m)^(\s+domain: )[^.\s]+`, `${1}node`)),
			stackFile, "dns:nodes[0].domain", []string{`does not carry the environment "local"`, "fix: put the environment in the name"}},
		{"invalid node name", edit(stackFile, sub(`(?m)^(\s+- name: )\S+`, `${1}Node_1`)),
			stackFile, "dns:nodes[0].name", []string{"the name is not valid", "fix: use at most"}},
		{"node with no address", edit(stackFile, sub(`ips: \[[^\]]*\]`, `ips: []`)),
			stackFile, "dns:nodes[0].ips", []string{"has no IP address", "fix: list at least one IPv4 address"}},
		{"misspelt node field", edit(stackFile, sub(`(?m)^(\s+)domain:`, `${1}domian:`)),
			stackFile, "dns:nodes", []string{`cannot be read: unknown field "domian"`, "fix: did you mean domain?"}},
		{"misspelt nodes key", edit(stackFile, sub(`dns:nodes:`, `dns:node:`)),
			stackFile, "dns:node", []string{"is not a key of this project", "fix: did you mean dns:nodes?"}},
		{"unknown key", edit(stackFile, addKey("dns:ttl: 60")),
			stackFile, "dns:ttl", []string{"is not a key of this project", "fix: remove it, or use one of dns:nodes"}},
		{"environment without a zone name", edit("environments/local.yaml", sub(`(?m)^\s+zoneName: .*\n`, ``)),
			"environments/local.yaml", "cloudflare.zoneName", []string{"is missing", "fix: set the DNS zone"}},
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
