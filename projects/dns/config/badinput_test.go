package config_test

import (
	"testing"

	"github.com/clustera/infra/projects/dns/config"
	"github.com/clustera/infra/shared/configtest"
	"github.com/clustera/infra/shared/contracts"
)

const project = contracts.DNSProject

// The corpus of bad inputs of the dns project: each case mutates the
// committed projects/dns/Pulumi.local.yaml or environments/local.yaml and
// config.Load must fail with one problem naming the file, the key and the
// fix. Values are found in the committed files by key, not copied here.
func TestBadInput(t *testing.T) {
	const stackFile = "projects/" + project + "/Pulumi.local.yaml"
	configtest.Run(t, project, "local", config.Load, []configtest.Case{
		{Name: "IP address out of range", Change: configtest.Edit(stackFile, configtest.Sub(`(ips: \[")[^"]+`, `${1}192.0.2.300`)),
			File: stackFile, Key: "dns:nodes[0].ips[0]", Want: []string{`"192.0.2.300" is not an IP address`, "fix: use an IPv4 address"}},
		{Name: "IPv6 address in an A record", Change: configtest.Edit(stackFile, configtest.Sub(`(ips: \[")[^"]+`, `${1}2001:db8::1`)),
			File: stackFile, Key: "dns:nodes[0].ips[0]", Want: []string{"is an IPv6 address", "fix: use an IPv4 address"}},
		{Name: "domain outside the zone", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+domain: )\S+`, `${1}node.example.com`)),
			File: stackFile, Key: "dns:nodes[0].domain", Want: []string{"is outside the zone", "fix: use a name in the zone of environments/local.yaml"}},
		{Name: "domain without the environment", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+domain: )[^.\s]+`, `${1}node`)),
			File: stackFile, Key: "dns:nodes[0].domain", Want: []string{`does not carry the environment "local"`, "fix: put the environment in the name"}},
		{Name: "invalid node name", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+- name: )\S+`, `${1}Node_1`)),
			File: stackFile, Key: "dns:nodes[0].name", Want: []string{"the name is not valid", "fix: use at most"}},
		{Name: "node with no address", Change: configtest.Edit(stackFile, configtest.Sub(`ips: \[[^\]]*\]`, `ips: []`)),
			File: stackFile, Key: "dns:nodes[0].ips", Want: []string{"has no IP address", "fix: list at least one IPv4 address"}},
		{Name: "misspelt node field", Change: configtest.Edit(stackFile, configtest.Sub(`(?m)^(\s+)domain:`, `${1}domian:`)),
			File: stackFile, Key: "dns:nodes", Want: []string{`cannot be read: unknown field "domian"`, "fix: did you mean domain?"}},
		{Name: "misspelt nodes key", Change: configtest.Edit(stackFile, configtest.Sub(`dns:nodes:`, `dns:node:`)),
			File: stackFile, Key: "dns:node", Want: []string{"is not a key of this project", "fix: did you mean dns:nodes?"}},
		{Name: "unknown key", Change: configtest.Edit(stackFile, configtest.AddKey("dns:ttl: 60")),
			File: stackFile, Key: "dns:ttl", Want: []string{"is not a key of this project", "fix: remove it, or use one of dns:nodes"}},
		{Name: "environment without a zone name", Change: configtest.Edit("environments/local.yaml", configtest.Sub(`(?m)^\s+zoneName: .*\n`, ``)),
			File: "environments/local.yaml", Key: "cloudflare.zoneName", Want: []string{"is missing", "fix: set the DNS zone"}},
	})
}
