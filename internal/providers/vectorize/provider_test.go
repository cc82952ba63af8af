package vectorize

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	account = "10ca1000000000000000000000000001"
	token   = "test-token-0123456789"
	urn     = "urn:pulumi:dev::cloudflare-storage::vectorize:index:Index::notes"
	typ     = "vectorize:index:Index"
)

// fakeAPI is a scripted Vectorize API: it records requests and answers
// from handler.
type fakeAPI struct {
	mu       sync.Mutex
	requests []string
	handler  func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+token {
		reply(w, 401, nil, 10000, "Authentication error")
		return
	}
	f.handler(w, r)
}

func reply(w http.ResponseWriter, status int, result any, code ...any) {
	env := map[string]any{"success": status < 300 && len(code) == 0, "errors": []any{}, "messages": []any{}, "result": result}
	if len(code) == 2 {
		env["errors"] = []any{map[string]any{"code": code[0], "message": code[1]}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}

func indexJSON(dims int, metric, desc string) map[string]any {
	return map[string]any{"name": "dev-notes", "description": desc, "config": map[string]any{"dimensions": dims, "metric": metric}, "created_on": "2025-01-01T00:00:00Z"}
}

func newTest(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) (*fakeAPI, pulumirpc.ResourceProviderServer) {
	t.Helper()
	api := &fakeAPI{handler: handler}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, NewProvider(Options{BaseURL: srv.URL + "/client/v4", Token: token, Client: srv.Client()})
}

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := providerserver.Marshal(resource.NewPropertyMapFromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func indexInputs(dims int, metric, desc string) map[string]any {
	m := map[string]any{"accountId": account, "name": "dev-notes", "dimensions": dims, "metric": metric}
	if desc != "" {
		m["description"] = desc
	}
	return m
}

func create(t *testing.T, p pulumirpc.ResourceProviderServer, in map[string]any) (*pulumirpc.CreateResponse, error) {
	t.Helper()
	return p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Type: typ, Properties: props(t, in)})
}

func TestCreateSuccess(t *testing.T) {
	var body map[string]any
	api, p := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&body)
		reply(w, 200, indexJSON(768, "cosine", "notes"))
	})
	resp, err := create(t, p, indexInputs(768, "cosine", "notes"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetId() != account+"/dev-notes" {
		t.Errorf("id = %q", resp.GetId())
	}
	out, _ := providerserver.Unmarshal(resp.GetProperties())
	if out["createdOn"].StringValue() != "2025-01-01T00:00:00Z" || out["dimensions"].NumberValue() != 768 {
		t.Errorf("outputs = %v", out)
	}
	if api.requests[0] != "POST /client/v4/accounts/"+account+"/vectorize/v2/indexes" {
		t.Errorf("requests = %v", api.requests)
	}
	cfg, _ := body["config"].(map[string]any)
	if body["name"] != "dev-notes" || cfg["dimensions"] != 768.0 || cfg["metric"] != "cosine" || body["description"] != "notes" {
		t.Errorf("request body = %v", body)
	}
}

func TestCreateUnauthorized(t *testing.T) {
	api := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) { t.Error("authorized with a wrong token") }}
	srv := httptest.NewServer(api)
	defer srv.Close()
	p := NewProvider(Options{BaseURL: srv.URL, Token: "wrong-token"})
	_, err := create(t, p, indexInputs(768, "cosine", ""))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Authentication error") {
		t.Fatalf("error = %v, want the 401", err)
	}
	if strings.Contains(err.Error(), "wrong-token") {
		t.Fatal("the error shows the token")
	}
	if len(api.requests) != 1 {
		t.Errorf("requests after a 401 = %v, want no retry", api.requests)
	}
}

func TestCreateConflict(t *testing.T) {
	existing := indexJSON(768, "cosine", "notes")
	api, p := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			reply(w, 409, nil, 3002, "vectorize.index.duplicate_name")
		case http.MethodGet:
			reply(w, 200, existing)
		}
	})
	// Identical configuration: adopted.
	resp, err := create(t, p, indexInputs(768, "cosine", "notes"))
	if err != nil {
		t.Fatalf("identical existing index not adopted: %v", err)
	}
	if resp.GetId() != account+"/dev-notes" {
		t.Errorf("id = %q", resp.GetId())
	}
	if got := strings.Join(api.requests, ","); !strings.Contains(got, "GET /client/v4/accounts/"+account+"/vectorize/v2/indexes/dev-notes") {
		t.Errorf("requests = %v", api.requests)
	}
	// Different configuration: a clear error.
	_, err = create(t, p, indexInputs(1536, "cosine", "notes"))
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "dimensions 768") || !strings.Contains(err.Error(), "import it with ID "+account+"/dev-notes") {
		t.Fatalf("error = %v", err)
	}
}

func TestCreateEnvelopeError(t *testing.T) {
	_, p := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			reply(w, 404, nil, 3000, "vectorize.index.not_found")
			return
		}
		// HTTP 200 but success=false: the envelope decides.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":false,"errors":[{"code":40002,"message":"vectorize.invalid_index"}],"messages":[],"result":null}`))
	})
	_, err := create(t, p, indexInputs(768, "cosine", ""))
	if err == nil || !strings.Contains(err.Error(), "[40002] vectorize.invalid_index") {
		t.Fatalf("error = %v, want the envelope error", err)
	}
}

func TestReadAndImport(t *testing.T) {
	found := true
	_, p := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if !found {
			reply(w, 404, nil, 3000, "vectorize.index.not_found")
			return
		}
		reply(w, 200, indexJSON(384, "euclidean", ""))
	})
	resp, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Type: typ, Id: account + "/dev-notes"})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := providerserver.Unmarshal(resp.GetInputs())
	if resp.GetId() != account+"/dev-notes" || in["dimensions"].NumberValue() != 384 || in["metric"].StringValue() != "euclidean" || in["accountId"].StringValue() != account {
		t.Errorf("read: id %q inputs %v", resp.GetId(), in)
	}
	if _, ok := in["createdOn"]; ok {
		t.Error("createdOn is an output, not an input")
	}
	found = false
	resp, err = p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Type: typ, Id: account + "/dev-notes"})
	if err != nil || resp.GetId() != "" {
		t.Fatalf("read of a missing index: %v id %q, want no ID", err, resp.GetId())
	}
	if _, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Type: typ, Id: "dev-notes"}); err == nil {
		t.Error("an import ID without the account was accepted")
	}
}

func TestDeleteTolerates404(t *testing.T) {
	status := 404
	api, p := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if status == 404 {
			reply(w, 404, nil, 3000, "vectorize.index.not_found")
			return
		}
		reply(w, status, nil, 10001, "internal")
	})
	if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: urn, Type: typ, Id: account + "/dev-notes"}); err != nil {
		t.Fatalf("delete of a missing index: %v", err)
	}
	if api.requests[0] != "DELETE /client/v4/accounts/"+account+"/vectorize/v2/indexes/dev-notes" {
		t.Errorf("requests = %v", api.requests)
	}
	status = 500
	if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: urn, Type: typ, Id: account + "/dev-notes"}); err == nil {
		t.Fatal("a 500 on delete was ignored")
	}
}

func TestCheck(t *testing.T) {
	_, p := newTest(t, nil)
	cases := []struct {
		in   map[string]any
		prop string
	}{
		{indexInputs(768, "cosine", "x"), ""},
		{indexInputs(0, "cosine", ""), "dimensions"},
		{indexInputs(1537, "cosine", ""), "dimensions"},
		{indexInputs(768, "manhattan", ""), "metric"},
		{map[string]any{"accountId": account, "name": "Dev_Notes", "dimensions": 3, "metric": "cosine"}, "name"},
		{map[string]any{"accountId": account, "name": "1notes", "dimensions": 3, "metric": "cosine"}, "name"},
		{map[string]any{"accountId": account, "name": strings.Repeat("a", 33), "dimensions": 3, "metric": "cosine"}, "name"},
		{map[string]any{"accountId": "acc", "name": "n", "dimensions": 3, "metric": "cosine"}, "accountId"},
		{map[string]any{"accountId": account, "name": "n", "metric": "cosine"}, "dimensions"},
		{map[string]any{"accountId": account, "name": "n", "dimensions": 3, "metric": "cosine", "dims": 3}, "dims"},
	}
	for _, c := range cases {
		resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn, Type: typ, News: props(t, c.in)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range resp.GetFailures() {
			got = append(got, f.GetProperty())
		}
		if c.prop == "" && len(got) > 0 || c.prop != "" && (len(got) == 0 || got[0] != c.prop) {
			t.Errorf("check %v: failures on %v, want %q", c.in, got, c.prop)
		}
	}
}

func TestDiffReplacesEverything(t *testing.T) {
	_, p := newTest(t, nil)
	old := indexInputs(768, "cosine", "notes")
	old["createdOn"] = "2025-01-01T00:00:00Z"
	cases := []struct {
		news      map[string]any
		replaces  []string
		deleteFst bool
	}{
		{indexInputs(768, "cosine", "notes"), nil, false},
		{indexInputs(1024, "cosine", "notes"), []string{"dimensions"}, true},
		{indexInputs(768, "dot-product", "notes"), []string{"metric"}, true},
		{indexInputs(768, "cosine", "notes v2"), []string{"description"}, true},
		{indexInputs(768, "cosine", ""), []string{"description"}, true},
		{map[string]any{"accountId": account, "name": "dev-notes2", "dimensions": 768, "metric": "cosine", "description": "notes"}, []string{"name"}, false},
	}
	for _, c := range cases {
		resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn, Type: typ, Id: account + "/dev-notes", Olds: props(t, old), News: props(t, c.news)})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(resp.GetReplaces(), ",") != strings.Join(c.replaces, ",") || resp.GetDeleteBeforeReplace() != c.deleteFst {
			t.Errorf("diff to %v: replaces %v deleteBeforeReplace %v, want %v %v", c.news, resp.GetReplaces(), resp.GetDeleteBeforeReplace(), c.replaces, c.deleteFst)
		}
	}
}

func TestTokenFromConfig(t *testing.T) {
	api := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) { reply(w, 200, indexJSON(768, "cosine", "")) }}
	srv := httptest.NewServer(api)
	defer srv.Close()
	t.Setenv("CLOUDFLARE_API_TOKEN", "")
	p := NewProvider(Options{BaseURL: srv.URL})
	if _, err := create(t, p, indexInputs(768, "cosine", "")); err == nil || !strings.Contains(err.Error(), "no Cloudflare API token") {
		t.Fatalf("create without a token: %v", err)
	}
	// The token arrives as a secret in Configure's args.
	args, err := providerserver.Marshal(resource.PropertyMap{"apiToken": resource.MakeSecret(resource.NewStringProperty(token))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: args}); err != nil {
		t.Fatal(err)
	}
	if _, err := create(t, p, indexInputs(768, "cosine", "")); err != nil {
		t.Fatalf("create with the configured token: %v", err)
	}
	// CLOUDFLARE_API_TOKEN is the fallback.
	t.Setenv("CLOUDFLARE_API_TOKEN", token)
	if _, err := create(t, NewProvider(Options{BaseURL: srv.URL}), indexInputs(768, "cosine", "")); err != nil {
		t.Fatalf("create with CLOUDFLARE_API_TOKEN: %v", err)
	}
}
