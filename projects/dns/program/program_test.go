package program_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/projects/dns/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	project    = contracts.DNSProject
	recordType = "cloudflare:index/dnsRecord:DnsRecord"
	localZone  = "10ca1000000000000000000000000002"
	// account is the Cloudflare account of the shared environments, and
	// ioZone the ID the tests' Cloudflare gives clustera.io in it.
	account = "2d45fcd3b3e68735a6ab3542fb494c19"
	ioZone  = "0123456789abcdef0123456789abcdef"
)

// cloudflare answers the zone data source like the API: the zones it holds
// by account and name, and "no zone" for any other. It records the calls.
type cloudflare struct {
	zones map[string]string // "<account>/<name>" → zone ID
	err   error             // when set, every lookup fails with it

	mu    sync.Mutex
	calls []pulumi.MockCallArgs
}

func newCloudflare() *cloudflare {
	return &cloudflare{zones: map[string]string{account + "/clustera.io": ioZone}}
}

func (c *cloudflare) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	c.mu.Lock()
	c.calls = append(c.calls, args)
	c.mu.Unlock()
	if args.Token != program.ZoneLookupToken {
		return nil, fmt.Errorf("unexpected invoke %s", args.Token)
	}
	if c.err != nil {
		return nil, c.err
	}
	f := args.Args["filter"].ObjectValue()
	key := f["account"].ObjectValue()["id"].StringValue() + "/" + f["name"].StringValue()
	id, ok := c.zones[key]
	if !ok || f["match"].StringValue() != "all" {
		return nil, errors.New("failed to find exactly one result: 0 found")
	}
	return resource.PropertyMap{
		"id": resource.NewStringProperty(id), "zoneId": resource.NewStringProperty(id),
		"name": resource.NewStringProperty(f["name"].StringValue()), "status": resource.NewStringProperty("active"),
	}, nil
}

func (c *cloudflare) Calls() []pulumi.MockCallArgs {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]pulumi.MockCallArgs(nil), c.calls...)
}

// opts returns run options whose invokes the Cloudflare cf answers.
func opts(cf *cloudflare, o mocktest.Options) mocktest.Options {
	o.Call = cf.Call
	return o
}

// withEnvironment points INFRA_ROOT at a copy of the repository's
// environments and dns stack files, with edit applied to the environment
// file of env.
func withEnvironment(t *testing.T, env string, edit func(string) string) {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	copyDir := func(dir, pattern string, edit func(name, body string) string) {
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
			if err := os.WriteFile(filepath.Join(dst, dir, filepath.Base(f)), []byte(edit(filepath.Base(f), string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyDir("environments", "*.yaml", func(name, body string) string {
		if name == env+".yaml" {
			return edit(body)
		}
		return body
	})
	copyDir("projects/"+project, "Pulumi.*.yaml", func(_, body string) string { return body })
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
// prod stacks: one per address, TTL 300, not proxied, in the zone (local's
// explicit ID, the looked-up ID of clustera.io elsewhere), tagged.
func TestRecords(t *testing.T) {
	for _, tc := range []struct {
		stack, zone string
		want        map[string]string // FQDN/IP
		node        map[string]string // resource name → node
	}{
		{"local", localZone,
			map[string]string{"local-1.clustera.test-192.0.2.1": "local-1.clustera.test/192.0.2.1", "local-2.clustera.test-192.0.2.2": "local-2.clustera.test/192.0.2.2", "local-2.clustera.test-192.0.2.3": "local-2.clustera.test/192.0.2.3"},
			map[string]string{"local-1.clustera.test-192.0.2.1": "local-1", "local-2.clustera.test-192.0.2.2": "local-2", "local-2.clustera.test-192.0.2.3": "local-2"}},
		{"staging", ioZone,
			map[string]string{"staging-1.clustera.io-192.0.2.10": "staging-1.clustera.io/192.0.2.10", "staging-1.clustera.io-192.0.2.11": "staging-1.clustera.io/192.0.2.11"},
			map[string]string{"staging-1.clustera.io-192.0.2.10": "staging-1", "staging-1.clustera.io-192.0.2.11": "staging-1"}},
		{"prod", ioZone,
			map[string]string{"1.clustera.io-203.0.113.1": "1.clustera.io/203.0.113.1", "2.clustera.io-203.0.113.2": "2.clustera.io/203.0.113.2", "2.clustera.io-203.0.113.3": "2.clustera.io/203.0.113.3"},
			map[string]string{"1.clustera.io-203.0.113.1": "1", "2.clustera.io-203.0.113.2": "2", "2.clustera.io-203.0.113.3": "2"}},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			res, err := mocktest.Run(project, tc.stack, program.Program, opts(newCloudflare(), mocktest.Options{}))
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
	nodes := `[{"name":"1","ips":["203.0.113.9"],"domain":"1.clustera.io"}]`
	if _, err := mocktest.Run(project, "prod", program.Program, opts(newCloudflare(), mocktest.Options{Config: map[string]string{"dns:nodes": nodes}})); err != nil {
		t.Fatalf("prod: %v", err)
	}
	_, err := mocktest.Run(project, "staging", program.Program, opts(newCloudflare(), mocktest.Options{Config: map[string]string{"dns:nodes": nodes}}))
	if err == nil || !strings.Contains(err.Error(), `projects/dns/Pulumi.staging.yaml: dns:nodes[0].domain: node "1": 1.clustera.io does not carry the environment "staging"`) {
		t.Fatalf("staging: err = %v", err)
	}
}

// TestZoneIsLookedUpByName checks that every committed environment without
// a zone ID (all but local) resolves it with one lookup of the zone data
// source, by the zone's name in the environment's account, in a preview as
// in an update, and that local, whose environment file sets the ID, makes
// no lookup.
func TestZoneIsLookedUpByName(t *testing.T) {
	for _, stack := range []string{"dev", "testing", "staging", "prod", "steve1"} {
		for _, preview := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/preview=%v", stack, preview), func(t *testing.T) {
				cf := newCloudflare()
				res, err := mocktest.Run(project, stack, program.Program, opts(cf, mocktest.Options{DryRun: preview}))
				if err != nil {
					t.Fatal(err)
				}
				calls := cf.Calls()
				if len(calls) != 1 || calls[0].Token != "cloudflare:index/getZone:getZone" {
					t.Fatalf("invokes %+v, want one getZone", calls)
				}
				f := calls[0].Args["filter"].ObjectValue()
				if f["name"].StringValue() != "clustera.io" || f["match"].StringValue() != "all" || f["account"].ObjectValue()["id"].StringValue() != account {
					t.Errorf("filter %v, want the zone clustera.io in account %s", f, account)
				}
				if _, ok := calls[0].Args["zoneId"]; ok {
					t.Errorf("the lookup passes zoneId as well as filter: %v", calls[0].Args)
				}
				recs := res.OfType(recordType)
				if len(recs) == 0 {
					t.Fatal("no record")
				}
				for _, r := range recs {
					if r.String("zoneId") != ioZone {
						t.Errorf("%s: zone %q, want the looked-up %s", r.Name, r.String("zoneId"), ioZone)
					}
				}
			})
		}
	}
	cf := newCloudflare()
	if _, err := mocktest.Run(project, "local", program.Program, opts(cf, mocktest.Options{})); err != nil {
		t.Fatal(err)
	}
	if calls := cf.Calls(); len(calls) != 0 {
		t.Errorf("local looked the zone up although environments/local.yaml sets its ID: %+v", calls)
	}
}

// TestExplicitZoneIDWins checks that cloudflare.zoneId in the environment
// file is used as it is, with no lookup.
func TestExplicitZoneIDWins(t *testing.T) {
	const explicit = "fedcba9876543210fedcba9876543210"
	withEnvironment(t, "staging", func(s string) string {
		return strings.Replace(s, "\ncloudflare:\n", "\ncloudflare:\n  zoneId: "+explicit+"\n", 1)
	})
	cf := newCloudflare()
	res, err := mocktest.Run(project, "staging", program.Program, opts(cf, mocktest.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if calls := cf.Calls(); len(calls) != 0 {
		t.Errorf("invokes %+v, want none", calls)
	}
	for _, r := range res.OfType(recordType) {
		if r.String("zoneId") != explicit {
			t.Errorf("%s: zone %q, want %s", r.Name, r.String("zoneId"), explicit)
		}
	}
}

// TestUnknownZoneFails checks that a zone the account does not have fails
// the stack before any record is registered, naming the environment file,
// the key and the fix, and that a failing lookup (the API) does too.
func TestUnknownZoneFails(t *testing.T) {
	withEnvironment(t, "staging", func(s string) string {
		return strings.Replace(s, "zoneName: clustera.io", "zoneName: clustera.dev", 1)
	})
	nodes := `[{"name":"staging-1","ips":["192.0.2.10"],"domain":"staging-1.clustera.dev"}]`
	cfg := mocktest.Options{Config: map[string]string{"dns:nodes": nodes}}
	for _, preview := range []bool{false, true} {
		cfg.DryRun = preview
		res, err := mocktest.Run(project, "staging", program.Program, opts(newCloudflare(), cfg))
		for _, w := range []string{
			"environments/staging.yaml: cloudflare.zoneName: no Cloudflare zone clustera.dev found in account " + account,
			"failed to find exactly one result: 0 found",
			"; fix: add the zone clustera.dev to account " + account + " in Cloudflare (or give the API token Zone Read on it), correct cloudflare.zoneName, or set cloudflare.zoneId",
		} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("preview=%v: err = %v\nwant %q", preview, err, w)
			}
		}
		if len(res.Resources) != 0 {
			t.Errorf("preview=%v: %d resources registered", preview, len(res.Resources))
		}
	}
	cf := newCloudflare()
	cf.err = errors.New("failed to make http request: 403 Forbidden: Authentication error")
	_, err := mocktest.Run(project, "prod", program.Program, opts(cf, mocktest.Options{}))
	if err == nil || !strings.Contains(err.Error(), "environments/prod.yaml: cloudflare.zoneName: no Cloudflare zone clustera.io found in account "+account+": ") ||
		!strings.Contains(err.Error(), "403 Forbidden") || !strings.Contains(err.Error(), "Zone Read") {
		t.Errorf("err = %v", err)
	}
}

// TestBadZoneIDFromTheLookup checks that a malformed ID from the data
// source is refused rather than sent to the API.
func TestBadZoneIDFromTheLookup(t *testing.T) {
	cf := newCloudflare()
	cf.zones[account+"/clustera.io"] = "not-an-id"
	_, err := mocktest.Run(project, "staging", program.Program, opts(cf, mocktest.Options{}))
	if err == nil || !strings.Contains(err.Error(), `environments/staging.yaml: cloudflare.zoneName: the lookup of zone clustera.io in account `+account+` returned the zone ID "not-an-id"`) {
		t.Errorf("err = %v", err)
	}
}
