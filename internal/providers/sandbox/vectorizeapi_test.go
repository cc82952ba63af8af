package sandbox_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/internal/providers/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// TestVectorizeAgainstFakeAPI runs the real Vectorize provider against the
// sandbox's fake Cloudflare API.
func TestVectorizeAgainstFakeAPI(t *testing.T) {
	dir := t.TempDir()
	sb, err := sandbox.Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if !strings.HasPrefix(sb.CloudflareAPIURL(), "http://127.0.0.1:") || !strings.HasSuffix(sb.CloudflareAPIURL(), "/client/v4") {
		t.Fatalf("CloudflareAPIURL = %q", sb.CloudflareAPIURL())
	}
	if !strings.HasPrefix(sb.DebugProviders(), "cloudflare:") || strings.Count(sb.DebugProviders(), ",") != 2 {
		t.Fatalf("DebugProviders = %q", sb.DebugProviders())
	}
	p := vectorize.NewProvider(vectorize.Options{BaseURL: sb.CloudflareAPIURL(), Token: "sandbox"})
	const account = "10ca1000000000000000000000000001"
	in := func(dims int) *pulumirpc.CreateRequest {
		props, err := providerserver.Marshal(resource.NewPropertyMapFromMap(map[string]any{
			"accountId": account, "name": "local-notes", "dimensions": dims, "metric": "cosine", "description": "notes",
		}))
		if err != nil {
			t.Fatal(err)
		}
		return &pulumirpc.CreateRequest{Urn: "urn:pulumi:local::p::vectorize:index:Index::notes", Type: "vectorize:index:Index", Properties: props}
	}
	resp, err := p.Create(context.Background(), in(768))
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetId()
	if _, ok, _ := sandbox.OpenCloud(dir).Find(sandbox.VectorizeIndexType, id); !ok {
		t.Fatalf("index %s not in the cloud", id)
	}
	if _, err := p.Create(context.Background(), in(768)); err != nil {
		t.Fatalf("identical index not adopted: %v", err)
	}
	if _, err := p.Create(context.Background(), in(1024)); err == nil || !strings.Contains(err.Error(), "different configuration") {
		t.Fatalf("conflicting index: %v", err)
	}
	// A Worker can bind the index.
	_, err = sandbox.OpenCloud(dir).Put(sandbox.WorkersScriptType, map[string]any{
		"accountId": account, "scriptName": "local-constellation", "content": "x",
		"bindings": []any{map[string]any{"type": "vectorize", "name": "VECTORIZE", "indexName": "local-notes"}},
	})
	if err != nil {
		t.Fatalf("binding the index: %v", err)
	}
	for range 2 {
		if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: "urn:pulumi:local::p::vectorize:index:Index::notes", Type: "vectorize:index:Index", Id: id}); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	if r, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: "urn:pulumi:local::p::vectorize:index:Index::notes", Type: "vectorize:index:Index", Id: id}); err != nil || r.GetId() != "" {
		t.Fatalf("read after delete: %v %q", err, r.GetId())
	}
	// The fake API wants a bearer token and validates like the real one.
	req, _ := http.NewRequest(http.MethodGet, sb.CloudflareAPIURL()+"/accounts/"+account+"/vectorize/v2/indexes", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", res.StatusCode)
	}
	if err := sandbox.SetFaults(dir, []sandbox.Fault{{Type: sandbox.VectorizeIndexType, Message: "vectorize outage"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Create(context.Background(), in(768)); err == nil || !strings.Contains(err.Error(), "vectorize outage") {
		t.Fatalf("create with a fault: %v", err)
	}
}
