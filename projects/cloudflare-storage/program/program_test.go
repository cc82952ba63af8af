package program_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-storage/program"
	"github.com/clustera/infra/shared/contracts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/clustera/infra/shared/vectorize"
)

const (
	project = contracts.CloudflareStorageProject

	d1Type     = "cloudflare:index/d1Database:D1Database"
	r2Type     = "cloudflare:index/r2Bucket:R2Bucket"
	queueType  = "cloudflare:index/queue:Queue"
	notifyType = "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification"

	localAccount = "10ca1000000000000000000000000001"
	prodAccount  = "2d45fcd3b3e68735a6ab3542fb494c19"
)

var queues = []string{"content-events", "dome-events", "embed-dead-letter", "enriched-content", "new-content-ai", "new-content-constellation"}

func run(t *testing.T, stack string, cfg map[string]string) *mocktest.Result {
	t.Helper()
	res, err := mocktest.Run(project, stack, program.Program, mocktest.Options{Config: cfg})
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return res
}

func find(t *testing.T, res *mocktest.Result, typ, name string) mocktest.Resource {
	t.Helper()
	r, ok := res.Find(typ, name)
	if !ok {
		t.Fatalf("%s %q not registered", typ, name)
	}
	return r
}

func names(rs []mocktest.Resource, prop string) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.Name] = r.String(prop)
	}
	return out
}

// TestNamesCarryTheEnvironment checks every physical name, the account and
// the absence of protection and imports in two non-production stacks.
func TestNamesCarryTheEnvironment(t *testing.T) {
	for _, tc := range []struct{ stack, account string }{
		{"local", localAccount},
		{"staging", prodAccount},
		{"steve1", prodAccount},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			res := run(t, tc.stack, nil)
			p := tc.stack + "-"
			if got, want := names(res.OfType(d1Type), "name"), map[string]string{"dome-meta": p + "dome-meta", "silo": p + "silo"}; !reflect.DeepEqual(got, want) {
				t.Errorf("D1 names = %v, want %v", got, want)
			}
			if got, want := names(res.OfType(r2Type), "name"), map[string]string{"dome-raw": p + "dome-raw", "silo-content": p + "silo-content"}; !reflect.DeepEqual(got, want) {
				t.Errorf("bucket names = %v, want %v", got, want)
			}
			wantQ := map[string]string{}
			for _, q := range queues {
				wantQ[q] = p + q
			}
			if got := names(res.OfType(queueType), "queueName"); !reflect.DeepEqual(got, wantQ) {
				t.Errorf("queue names = %v, want %v", got, wantQ)
			}
			idx := find(t, res, vectorize.IndexType, "dome-notes")
			if idx.String("name") != p+"dome-notes" {
				t.Errorf("index name = %q", idx.String("name"))
			}
			for _, r := range res.Resources {
				if !r.Custom {
					continue
				}
				if r.String("accountId") != tc.account {
					t.Errorf("%s %s: accountId = %q, want %q", r.Type, r.Name, r.String("accountId"), tc.account)
				}
				if r.Protect || r.Retain || r.ImportID != "" {
					t.Errorf("%s %s: protect=%v retain=%v import=%q outside prod", r.Type, r.Name, r.Protect, r.Retain, r.ImportID)
				}
			}
			if got := res.Count(); got[d1Type] != 2 || got[r2Type] != 2 || got[queueType] != 6 || got[vectorize.IndexType] != 1 || got[notifyType] != 1 || len(got) != 5 {
				t.Errorf("resource counts = %v", got)
			}
		})
	}
}

// TestProdKeepsNamesProtectsAndImports checks the production stack: the
// existing names, protection and retention of every data-bearing object,
// and the import of the two existing D1 databases.
func TestProdKeepsNamesProtectsAndImports(t *testing.T) {
	res := run(t, "prod", nil)
	for _, typ := range []string{d1Type, r2Type, queueType, vectorize.IndexType} {
		for _, r := range res.OfType(typ) {
			prop := "name"
			if typ == queueType {
				prop = "queueName"
			}
			if r.String(prop) != r.Name {
				t.Errorf("%s %s: prod name = %q, want the existing name %q", typ, r.Name, r.String(prop), r.Name)
			}
			if !r.Protect || !r.Retain {
				t.Errorf("%s %s: protect=%v retain=%v, want both in prod", typ, r.Name, r.Protect, r.Retain)
			}
		}
	}
	imports := map[string]string{}
	for _, r := range res.Resources {
		if r.ImportID != "" {
			imports[r.Type+" "+r.Name] = r.ImportID
		}
	}
	want := map[string]string{
		d1Type + " dome-meta": prodAccount + "/ac198406-1036-495e-b0f1-b61f7c9ecbdf",
		d1Type + " silo":      prodAccount + "/baf652ea-e575-4019-b95c-c9d44d02c1aa",
	}
	if !reflect.DeepEqual(imports, want) {
		t.Errorf("imports = %v, want %v", imports, want)
	}
	n := find(t, res, notifyType, "silo-content-to-content-events")
	if n.Protect {
		t.Error("the event notification holds no data and must not be protected")
	}
}

// TestEventNotification checks the default notification (silo-content to
// content-events on every object creation) and a configured one.
func TestEventNotification(t *testing.T) {
	res := run(t, "local", nil)
	n := find(t, res, notifyType, "silo-content-to-content-events")
	if n.String("bucketName") != "local-silo-content" {
		t.Errorf("bucketName = %q", n.String("bucketName"))
	}
	if n.String("queueId") != "content-events-id" {
		t.Errorf("queueId = %q, want the ID of the content-events queue", n.String("queueId"))
	}
	var actions []string
	for _, a := range n.Get("rules[0].actions").ArrayValue() {
		actions = append(actions, a.StringValue())
	}
	if !reflect.DeepEqual(actions, []string{"PutObject", "CopyObject", "CompleteMultipartUpload"}) {
		t.Errorf("actions = %v", actions)
	}
	if len(n.Get("rules").ArrayValue()) != 1 || n.String("rules[0].prefix") != "" {
		t.Errorf("rules = %v", n.Get("rules"))
	}

	res = run(t, "staging", map[string]string{
		"cloudflare-storage:eventNotification": `{"bucket":"dome-raw","prefix":"uploads/","suffix":".json"}`,
	})
	n = find(t, res, notifyType, "dome-raw-to-content-events")
	if n.String("bucketName") != "staging-dome-raw" || n.String("rules[0].prefix") != "uploads/" || n.String("rules[0].suffix") != ".json" {
		t.Errorf("notification = %v", n.Inputs)
	}
	if len(res.OfType(notifyType)) != 1 {
		t.Errorf("want exactly one notification, got %d", len(res.OfType(notifyType)))
	}
}

// TestVectorizeSettings checks the defaults and configured values of the
// index.
func TestVectorizeSettings(t *testing.T) {
	res := run(t, "local", map[string]string{"cloudflare-storage:vectorize": `{}`})
	idx := find(t, res, vectorize.IndexType, "dome-notes")
	if idx.Number("dimensions") != 768 || idx.String("metric") != "cosine" {
		t.Errorf("defaults: dimensions=%v metric=%q", idx.Number("dimensions"), idx.String("metric"))
	}
	for _, tc := range []struct {
		cfg    string
		dims   float64
		metric string
	}{
		{`{"dimensions":1536,"metric":"euclidean"}`, 1536, "euclidean"},
		{`{"dimensions":1,"metric":"dot-product"}`, 1, "dot-product"},
	} {
		res := run(t, "dev", map[string]string{"cloudflare-storage:vectorize": tc.cfg})
		idx := find(t, res, vectorize.IndexType, "dome-notes")
		if idx.Number("dimensions") != tc.dims || idx.String("metric") != tc.metric {
			t.Errorf("%s: dimensions=%v metric=%q", tc.cfg, idx.Number("dimensions"), idx.String("metric"))
		}
	}
}

// TestDefaultsWithoutStackKeys checks that a stack file without keys gets
// the design's defaults: a 768-dimension cosine index and notifications of
// silo-content.
func TestDefaultsWithoutStackKeys(t *testing.T) {
	res, err := mocktest.Run(project, "dev", program.Program, mocktest.Options{NoStackFile: true})
	if err != nil {
		t.Fatal(err)
	}
	idx := find(t, res, vectorize.IndexType, "dome-notes")
	if idx.Number("dimensions") != 768 || idx.String("metric") != "cosine" || idx.String("description") != program.IndexDescription {
		t.Errorf("index = %v", idx.Inputs)
	}
	n := find(t, res, notifyType, "silo-content-to-content-events")
	if n.String("bucketName") != "dev-silo-content" || n.String("queueId") != "content-events-id" {
		t.Errorf("notification = %v", n.Inputs)
	}
}

// TestComponents checks that every resource sits under the component of
// its kind.
func TestComponents(t *testing.T) {
	res := run(t, "local", nil)
	parents := map[string]string{
		d1Type: program.DatabasesType, r2Type: program.BucketsType, notifyType: program.BucketsType,
		queueType: program.QueuesType, vectorize.IndexType: program.VectorizeType,
	}
	for _, r := range res.Resources {
		if !r.Custom {
			continue
		}
		if want := parents[r.Type]; !strings.Contains(r.Parent, "::"+want+"::") {
			t.Errorf("%s %s: parent %q, want a %s", r.Type, r.Name, r.Parent, want)
		}
	}
}

// TestContract checks every key of the exported contract.
func TestContract(t *testing.T) {
	res, err := mocktest.RunContract(project, "staging", program.Deploy, mocktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	qIDs, qNames := map[string]any{}, map[string]any{}
	for _, q := range queues {
		qIDs[q], qNames[q] = q+"-id", "staging-"+q
	}
	want := map[string]any{
		"accountId":          prodAccount,
		"d1DatabaseIds":      map[string]any{"dome-meta": "dome-meta-id", "silo": "silo-id"},
		"d1DatabaseNames":    map[string]any{"dome-meta": "staging-dome-meta", "silo": "staging-silo"},
		"bucketNames":        map[string]any{"dome-raw": "staging-dome-raw", "silo-content": "staging-silo-content"},
		"queueIds":           qIDs,
		"queueNames":         qNames,
		"vectorizeIndexName": "staging-dome-notes",
	}
	if !reflect.DeepEqual(res.Exports, want) {
		t.Errorf("exports = %v\nwant %v", res.Exports, want)
	}
	if got, want := len(res.Exports), len(contracts.Keys(contracts.CloudflareStorage{})); got != want {
		t.Errorf("%d exports, contract has %d keys", got, want)
	}
}

// TestInvalidConfiguration checks every validation rule of the stack
// configuration: the error names the file and key, and nothing is
// registered.
func TestInvalidConfiguration(t *testing.T) {
	const ns = "cloudflare-storage:"
	for _, tc := range []struct {
		name, stack string
		cfg         map[string]string
		want        []string
	}{
		{"dimensions too small", "local", map[string]string{ns + "vectorize": `{"dimensions":0}`},
			[]string{"projects/cloudflare-storage/Pulumi.local.yaml: cloudflare-storage:vectorize.dimensions: 0 is out of range", "use 1 to 1536"}},
		{"dimensions too large", "staging", map[string]string{ns + "vectorize": `{"dimensions":1537}`},
			[]string{"Pulumi.staging.yaml: cloudflare-storage:vectorize.dimensions: 1537 is out of range"}},
		{"unknown metric", "local", map[string]string{ns + "vectorize": `{"metric":"manhattan"}`},
			[]string{`cloudflare-storage:vectorize.metric: "manhattan" is not a Vectorize metric`, "cosine, euclidean, dot-product"}},
		{"unknown vectorize field", "local", map[string]string{ns + "vectorize": `{"dimension":768}`},
			[]string{"cloudflare-storage:vectorize: cannot be read", `unknown field "dimension"`}},
		{"unknown bucket", "local", map[string]string{ns + "eventNotification": `{"bucket":"silo"}`},
			[]string{`cloudflare-storage:eventNotification.bucket: "silo" is not a bucket of this project`, "dome-raw, silo-content"}},
		{"bad prefix", "local", map[string]string{ns + "eventNotification": `{"prefix":"a b"}`},
			[]string{`cloudflare-storage:eventNotification.prefix: "a b" is not a valid object key filter`}},
		{"override without env outside prod", "staging", map[string]string{ns + "names": `{"dome-meta":"dome-meta"}`},
			[]string{"Pulumi.staging.yaml: cloudflare-storage:names: name override dome-meta=\"dome-meta\" does not contain the environment \"staging\""}},
		{"override of unknown object", "prod", map[string]string{ns + "names": `{"dome-metta":"dome-meta"}`},
			[]string{`Pulumi.prod.yaml: cloudflare-storage:names.dome-metta: "dome-metta" is not an object of this project`}},
		{"invalid override", "prod", map[string]string{ns + "names": `{"dome-raw":"Dome_Raw"}`},
			[]string{`cloudflare-storage:names.dome-raw: R2 bucket name "Dome_Raw" is invalid`}},
		{"imports outside prod", "staging", map[string]string{ns + "imports": `{"dome-meta":"ac198406-1036-495e-b0f1-b61f7c9ecbdf"}`},
			[]string{"Pulumi.staging.yaml: cloudflare-storage:imports: is only allowed in prod"}},
		{"import ID not a UUID", "prod", map[string]string{ns + "imports": `{"silo":"baf652ea"}`},
			[]string{`Pulumi.prod.yaml: cloudflare-storage:imports.silo: "baf652ea" is not a D1 database UUID`}},
		{"import ID with account", "prod", map[string]string{ns + "imports": `{"silo":"` + prodAccount + `/baf652ea-e575-4019-b95c-c9d44d02c1aa"}`},
			[]string{"cloudflare-storage:imports.silo: starts with the account ID", "environments/prod.yaml"}},
		{"bad queue ID", "prod", map[string]string{ns + "imports": `{"dome-events":"q-1"}`},
			[]string{`cloudflare-storage:imports.dome-events: "q-1" is not a queue ID`}},
		{"bad bucket import", "prod", map[string]string{ns + "imports": `{"dome-raw":"other/default"}`},
			[]string{`cloudflare-storage:imports.dome-raw: "other/default" is not <bucket_name>/<jurisdiction> of bucket "dome-raw"`}},
		{"bad index import", "prod", map[string]string{ns + "imports": `{"dome-notes":"notes"}`},
			[]string{`cloudflare-storage:imports.dome-notes: "notes" is not the name of the index`}},
		{"import of unknown object", "prod", map[string]string{ns + "imports": `{"dome-metta":"ac198406-1036-495e-b0f1-b61f7c9ecbdf"}`},
			[]string{`cloudflare-storage:imports.dome-metta: "dome-metta" is not an object of this project`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := mocktest.Run(project, tc.stack, program.Program, mocktest.Options{Config: tc.cfg})
			if err == nil {
				t.Fatal("invalid configuration accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if len(res.Resources) != 0 {
				t.Errorf("%d resources registered before validation failed", len(res.Resources))
			}
		})
	}
}

// TestValidImportsOfEveryKind checks the import IDs built for buckets,
// queues and the index.
func TestValidImportsOfEveryKind(t *testing.T) {
	res := run(t, "prod", map[string]string{"cloudflare-storage:imports": `{"dome-raw":"dome-raw/default","dome-events":"0123456789abcdef0123456789abcdef","dome-notes":"dome-notes"}`})
	for typ, want := range map[string]map[string]string{
		r2Type:              {"dome-raw": prodAccount + "/dome-raw/default"},
		queueType:           {"dome-events": prodAccount + "/0123456789abcdef0123456789abcdef"},
		vectorize.IndexType: {"dome-notes": prodAccount + "/dome-notes"},
		d1Type:              {},
	} {
		got := map[string]string{}
		for _, r := range res.OfType(typ) {
			if r.ImportID != "" {
				got[r.Name] = r.ImportID
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s imports = %v, want %v", typ, got, want)
		}
	}
}

// TestAllProblemsAtOnce checks that one error lists every problem.
func TestAllProblemsAtOnce(t *testing.T) {
	_, err := mocktest.Run(project, "local", program.Program, mocktest.Options{Config: map[string]string{
		"cloudflare-storage:vectorize":         `{"dimensions":4096,"metric":"l2"}`,
		"cloudflare-storage:eventNotification": `{"bucket":"nope"}`,
	}})
	if err == nil || !strings.Contains(err.Error(), "invalid configuration (3 problems)") {
		t.Fatalf("err = %v", err)
	}
}

// TestMissingAccount checks that an environment without a Cloudflare
// account fails with the environment file and key.
func TestMissingAccount(t *testing.T) {
	root := sandboxRoot(t, "staging", func(env string) string {
		return strings.Replace(env, "accountId: 2d45fcd3b3e68735a6ab3542fb494c19", "", 1)
	})
	t.Setenv(layout.EnvRoot, root)
	res, err := mocktest.Run(project, "staging", program.Program, mocktest.Options{})
	if err == nil || !strings.Contains(err.Error(), "environments/staging.yaml: cloudflare.accountId: is missing") {
		t.Fatalf("err = %v", err)
	}
	if len(res.Resources) != 0 {
		t.Errorf("%d resources registered", len(res.Resources))
	}
}

// sandboxRoot copies the environments and this project's stack files into
// a temporary repository root, editing the environment file of stack.
func sandboxRoot(t *testing.T, stack string, edit func(string) string) string {
	t.Helper()
	src, err := layout.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	copyGlob := func(pattern, dir string, edit func(string, string) string) {
		files, err := filepath.Glob(filepath.Join(src, pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("glob %s: %v", pattern, err)
		}
		if err := os.MkdirAll(filepath.Join(dst, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out := edit(filepath.Base(f), string(data))
			if err := os.WriteFile(filepath.Join(dst, dir, filepath.Base(f)), []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyGlob("environments/*.yaml", "environments", func(name, s string) string {
		if name == stack+".yaml" {
			return edit(s)
		}
		return s
	})
	copyGlob("projects/"+project+"/Pulumi.*.yaml", "projects/"+project, func(_, s string) string { return s })
	return dst
}
