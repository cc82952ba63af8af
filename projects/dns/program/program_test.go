package program_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/dns/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
)

const (
	project    = contracts.DNSProject
	recordType = "cloudflare:index/dnsRecord:DnsRecord"
	localZone  = "10ca1000000000000000000000000002"
	// testZone is the zone ID the tests give the shared environments, which
	// have none committed yet.
	testZone = "0123456789abcdef0123456789abcdef"
)

// withZoneID points INFRA_ROOT at a copy of the repository's environments
// and dns stack files in which every environment has a zone ID.
func withZoneID(t *testing.T) {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	copyDir := func(dir, pattern string, edit func(string) string) {
		files, err := filepath.Glob(filepath.Join(src, dir, pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s/%s: %v", dir, pattern, err)
		}
		if err := os.MkdirAll(filepath.Join(dst, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, dir, filepath.Base(f)), []byte(edit(string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyDir("environments", "*.yaml", func(s string) string {
		if strings.Contains(s, "\n  zoneId:") || !strings.Contains(s, "\ncloudflare:\n") {
			return s
		}
		return strings.Replace(s, "\ncloudflare:\n", "\ncloudflare:\n  zoneId: "+testZone+"\n", 1)
	})
	copyDir("projects/"+project, "Pulumi.*.yaml", func(s string) string { return s })
	t.Setenv(layout.EnvRoot, dst)
}

type record struct {
	name, content, zone, comment string
	ttl                          float64
	proxied                      bool
	tags                         []string
}

func records(t *testing.T, res *mocktest.Result) map[string]record {
	t.Helper()
	out := map[string]record{}
	for _, r := range res.OfType(recordType) {
		if r.String("type") != "A" {
			t.Errorf("%s: type %q, want A", r.Name, r.String("type"))
		}
		rec := record{name: r.String("name"), content: r.String("content"), zone: r.String("zoneId"), comment: r.String("comment"), ttl: r.Number("ttl")}
		v := r.Get("proxied")
		if !v.IsBool() {
			t.Errorf("%s: proxied is not set explicitly", r.Name)
		}
		rec.proxied = r.Bool("proxied")
		if tags := r.Get("tags"); tags.IsArray() {
			for _, x := range tags.ArrayValue() {
				rec.tags = append(rec.tags, x.StringValue())
			}
		}
		out[r.Name] = rec
	}
	return out
}

// TestRecords checks every record of the committed local, staging and
// prod stacks: one per address, TTL 300, not proxied, in the zone, tagged.
func TestRecords(t *testing.T) {
	withZoneID(t)
	for _, tc := range []struct {
		stack, zone string
		want        map[string]string // FQDN/IP
		node        map[string]string // resource name → node
	}{
		{"local", localZone,
			map[string]string{"local-1.clustera.test-192.0.2.1": "local-1.clustera.test/192.0.2.1", "local-2.clustera.test-192.0.2.2": "local-2.clustera.test/192.0.2.2", "local-2.clustera.test-192.0.2.3": "local-2.clustera.test/192.0.2.3"},
			map[string]string{"local-1.clustera.test-192.0.2.1": "local-1", "local-2.clustera.test-192.0.2.2": "local-2", "local-2.clustera.test-192.0.2.3": "local-2"}},
		{"staging", testZone,
			map[string]string{"staging-1.clustera.io-192.0.2.10": "staging-1.clustera.io/192.0.2.10", "staging-1.clustera.io-192.0.2.11": "staging-1.clustera.io/192.0.2.11"},
			map[string]string{"staging-1.clustera.io-192.0.2.10": "staging-1", "staging-1.clustera.io-192.0.2.11": "staging-1"}},
		{"prod", testZone,
			map[string]string{"1.clustera.io-203.0.113.1": "1.clustera.io/203.0.113.1", "2.clustera.io-203.0.113.2": "2.clustera.io/203.0.113.2", "2.clustera.io-203.0.113.3": "2.clustera.io/203.0.113.3"},
			map[string]string{"1.clustera.io-203.0.113.1": "1", "2.clustera.io-203.0.113.2": "2", "2.clustera.io-203.0.113.3": "2"}},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			res, err := mocktest.Run(project, tc.stack, program.Program, mocktest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := records(t, res)
			if len(got) != len(tc.want) {
				t.Fatalf("records = %v, want %v", got, tc.want)
			}
			wantTags := []string{"env:" + tc.stack, "managed-by:pulumi", "project:dns"}
			for name, fqdnIP := range tc.want {
				r, ok := got[name]
				fqdn, ip, _ := strings.Cut(fqdnIP, "/")
				if !ok || r.name != fqdn || r.content != ip {
					t.Errorf("record %s = %+v, want %s → %s", name, r, fqdn, ip)
					continue
				}
				if r.zone != tc.zone || r.ttl != 300 || r.proxied {
					t.Errorf("%s: zone %q ttl %v proxied %v", name, r.zone, r.ttl, r.proxied)
				}
				if !reflect.DeepEqual(r.tags, wantTags) {
					t.Errorf("%s: tags %v, want %v", name, r.tags, wantTags)
				}
				if want := "Cluster node " + tc.node[name] + " (" + tc.stack + "), managed by Pulumi project dns"; r.comment != want {
					t.Errorf("%s: comment %q, want %q", name, r.comment, want)
				}
				rec, _ := res.Find(recordType, name)
				if !strings.Contains(rec.Parent, "::"+program.NodeType+"::"+tc.node[name]) {
					t.Errorf("%s: parent %q, want node %s", name, rec.Parent, tc.node[name])
				}
			}
		})
	}
}

// TestContract checks the exported FQDNs and record IDs.
func TestContract(t *testing.T) {
	res, err := mocktest.RunContract(project, "local", program.Deploy, mocktest.Options{Config: map[string]string{
		"dns:nodes": `[{"name":"b","ips":["198.51.100.7","198.51.100.8"],"domain":"Local-B.clustera.test."},{"name":"a","ips":["192.0.2.9"],"domain":"local-a.clustera.test"}]`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"fqdns": []any{"local-a.clustera.test", "local-b.clustera.test"},
		"records": map[string]any{
			"local-b.clustera.test/198.51.100.7": "local-b.clustera.test-198.51.100.7-id",
			"local-b.clustera.test/198.51.100.8": "local-b.clustera.test-198.51.100.8-id",
			"local-a.clustera.test/192.0.2.9":    "local-a.clustera.test-192.0.2.9-id",
		},
	}
	if !reflect.DeepEqual(res.Exports, want) {
		t.Errorf("exports = %v\nwant %v", res.Exports, want)
	}
}

// TestEmptyNodeList checks that an environment may have no node.
func TestEmptyNodeList(t *testing.T) {
	res, err := mocktest.RunContract(project, "local", program.Deploy, mocktest.Options{Config: map[string]string{"dns:nodes": `[]`}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resources) != 0 || !reflect.DeepEqual(res.Exports, map[string]any{"fqdns": []any{}, "records": map[string]any{}}) {
		t.Errorf("resources %d, exports %v", len(res.Resources), res.Exports)
	}
}

// TestInvalidNodes checks every validation rule: the error names the file,
// the key and the node, and nothing is registered.
func TestInvalidNodes(t *testing.T) {
	const file = "projects/dns/Pulumi.local.yaml: "
	for _, tc := range []struct {
		name, nodes string
		want        []string
	}{
		{"invalid IP", `[{"name":"n1","ips":["192.0.2.300"],"domain":"local-1.clustera.test"}]`,
			[]string{file + `dns:nodes[0].ips[0]: node "n1": "192.0.2.300" is not an IP address`}},
		{"IPv6 address", `[{"name":"n1","ips":["2001:db8::1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips[0]: node "n1": "2001:db8::1" is an IPv6 address; A records hold IPv4 addresses`}},
		{"IPv4-mapped address", `[{"name":"n1","ips":["::ffff:192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips[0]: node "n1": "::ffff:192.0.2.1" is not a plain IPv4 address`}},
		{"loopback address", `[{"name":"n1","ips":["127.0.0.1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips[0]: node "n1": "127.0.0.1" cannot be reached as a node address`}},
		{"unspecified address", `[{"name":"n1","ips":["0.0.0.0"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips[0]: node "n1": "0.0.0.0" cannot be reached`}},
		{"duplicate IP in a node", `[{"name":"n1","ips":["192.0.2.1","192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips[1]: node "n1": local-1.clustera.test → 192.0.2.1 is already declared by node "n1"`}},
		{"duplicate domain and IP across nodes", `[{"name":"n1","ips":["192.0.2.1"],"domain":"local-1.clustera.test"},{"name":"n2","ips":["192.0.2.1"],"domain":"LOCAL-1.clustera.test."}]`,
			[]string{`dns:nodes[1].ips[0]: node "n2": local-1.clustera.test → 192.0.2.1 is already declared by node "n1"`}},
		{"domain outside the zone", `[{"name":"n1","ips":["192.0.2.1"],"domain":"local-1.clustera.io"}]`,
			[]string{`dns:nodes[0].domain: node "n1": local-1.clustera.io is outside the zone clustera.test`, "environments/local.yaml"}},
		{"zone name as a suffix only", `[{"name":"n1","ips":["192.0.2.1"],"domain":"local-1.notclustera.test"}]`,
			[]string{`dns:nodes[0].domain: node "n1": local-1.notclustera.test is outside the zone clustera.test`}},
		{"domain without the environment", `[{"name":"n1","ips":["192.0.2.1"],"domain":"node-1.clustera.test"}]`,
			[]string{`dns:nodes[0].domain: node "n1": node-1.clustera.test does not carry the environment "local"`, "local-1.clustera.test"}},
		{"invalid domain", `[{"name":"n1","ips":["192.0.2.1"],"domain":"local_1.clustera.test"}]`,
			[]string{`dns:nodes[0].domain: node "n1": "local_1.clustera.test" is not a valid domain name`}},
		{"missing domain", `[{"name":"n1","ips":["192.0.2.1"]}]`,
			[]string{`dns:nodes[0].domain: node "n1": the domain is missing`}},
		{"empty ips", `[{"name":"n1","ips":[],"domain":"local-1.clustera.test"}]`,
			[]string{file + `dns:nodes[0].ips: node "n1" has no IP address`}},
		{"missing ips", `[{"name":"n1","domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].ips: node "n1" has no IP address`}},
		{"missing name", `[{"ips":["192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{"dns:nodes[0].name: is missing"}},
		{"invalid name", `[{"name":"Node 1","ips":["192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].name: node "Node 1": the name is not valid`}},
		{"name too long", `[{"name":"` + strings.Repeat("n", 33) + `","ips":["192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{`dns:nodes[0].name: node "` + strings.Repeat("n", 33) + `": the name is not valid`, "at most 32"}},
		{"duplicate name", `[{"name":"n1","ips":["192.0.2.1"],"domain":"local-1.clustera.test"},{"name":"n1","ips":["192.0.2.2"],"domain":"local-2.clustera.test"}]`,
			[]string{`dns:nodes[1].name: node "n1": the name is also used by nodes[0]`}},
		{"unknown field", `[{"name":"n1","ip":["192.0.2.1"],"domain":"local-1.clustera.test"}]`,
			[]string{"dns:nodes: cannot be read", `unknown field "ip"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := mocktest.Run(project, "local", program.Program, mocktest.Options{Config: map[string]string{"dns:nodes": tc.nodes}})
			if err == nil {
				t.Fatal("invalid configuration accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if len(res.Resources) != 0 {
				t.Errorf("%d resources registered", len(res.Resources))
			}
		})
	}
}

// TestMissingNodes checks that the nodes key is required.
func TestMissingNodes(t *testing.T) {
	res, err := mocktest.Run(project, "local", program.Program, mocktest.Options{NoStackFile: true})
	if err == nil || !strings.Contains(err.Error(), "invalid configuration: projects/dns/Pulumi.local.yaml: dns:nodes: is missing") {
		t.Errorf("err = %v", err)
	}
	if len(res.Resources) != 0 {
		t.Errorf("%d resources registered", len(res.Resources))
	}
}

// TestProdNamesNeedNoEnvironment checks that prod names may omit the
// environment while other stacks' names may not.
func TestProdNamesNeedNoEnvironment(t *testing.T) {
	withZoneID(t)
	nodes := `[{"name":"1","ips":["203.0.113.9"],"domain":"1.clustera.io"}]`
	if _, err := mocktest.Run(project, "prod", program.Program, mocktest.Options{Config: map[string]string{"dns:nodes": nodes}}); err != nil {
		t.Fatalf("prod: %v", err)
	}
	_, err := mocktest.Run(project, "staging", program.Program, mocktest.Options{Config: map[string]string{"dns:nodes": nodes}})
	if err == nil || !strings.Contains(err.Error(), `projects/dns/Pulumi.staging.yaml: dns:nodes[0].domain: node "1": 1.clustera.io does not carry the environment "staging"`) {
		t.Fatalf("staging: err = %v", err)
	}
}

// TestCommittedSharedStacksNeedTheZoneID checks the committed environments
// without a zone ID: the stack fails naming the environment file and key.
func TestCommittedSharedStacksNeedTheZoneID(t *testing.T) {
	for _, stack := range []string{"dev", "testing", "staging", "prod", "steve1"} {
		t.Run(stack, func(t *testing.T) {
			res, err := mocktest.Run(project, stack, program.Program, mocktest.Options{})
			file := "environments/" + stack + ".yaml"
			if err == nil || !strings.Contains(err.Error(), file+": cloudflare.zoneId: is missing; fix: set the zone ID of clustera.io") {
				t.Fatalf("err = %v", err)
			}
			if len(res.Resources) != 0 {
				t.Errorf("%d resources registered", len(res.Resources))
			}
		})
	}
}
