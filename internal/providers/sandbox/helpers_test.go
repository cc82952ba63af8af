package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	acc  = "10ca1000000000000000000000000001"
	zone = "10ca1000000000000000000000000002"
)

// harness drives the fake providers directly, without the engine.
type harness struct {
	t     *testing.T
	dir   string
	cloud *Cloud
	provs map[string]*provider
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	cloud := OpenCloud(dir)
	h := &harness{t: t, dir: dir, cloud: cloud, provs: map[string]*provider{
		"cloudflare": newProvider("cloudflare", CloudflareVersion, cloud),
		"aiven":      newProvider("aiven", AivenVersion, cloud),
		"gcp":        newProvider("gcp", GCPVersion, cloud),
	}}
	// Configure gcp with a default project, as gcp:project does.
	args, err := providerserver.Marshal(resource.PropertyMap{"project": resource.NewStringProperty("proj")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.provs["gcp"].Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: args}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) prov(typ string) *provider {
	p := h.provs[pkgOf(typ)]
	if p == nil {
		h.t.Fatalf("no provider for %s", typ)
	}
	return p
}

func urn(typ, name string) string {
	return "urn:pulumi:test::proj::" + typ + "::" + name
}

func pm(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func marshal(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := providerserver.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := providerserver.Unmarshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// check runs Check and returns the checked inputs and failures.
func (h *harness) check(typ, name string, news resource.PropertyMap) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	h.t.Helper()
	resp, err := h.prov(typ).Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: urn(typ, name), Type: typ, Name: name, News: marshal(h.t, news), RandomSeed: []byte{1, 2, 3, 4, 5},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return unmarshal(h.t, resp.GetInputs()), resp.GetFailures()
}

// create checks and creates a resource; it fails the test on failures.
func (h *harness) create(typ, name string, props map[string]any) (string, resource.PropertyMap) {
	h.t.Helper()
	id, out, err := h.tryCreate(typ, name, props)
	if err != nil {
		h.t.Fatalf("create %s %s: %v", typ, name, err)
	}
	return id, out
}

func (h *harness) tryCreate(typ, name string, props map[string]any) (string, resource.PropertyMap, error) {
	h.t.Helper()
	news, failures := h.check(typ, name, pm(props))
	if len(failures) > 0 {
		h.t.Fatalf("check %s %s: %v", typ, name, failures)
	}
	resp, err := h.prov(typ).Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn(typ, name), Type: typ, Properties: marshal(h.t, news)})
	if err != nil {
		return "", nil, err
	}
	return resp.GetId(), unmarshal(h.t, resp.GetProperties()), nil
}

func (h *harness) diff(typ string, olds, news resource.PropertyMap) (*pulumirpc.DiffResponse, error) {
	h.t.Helper()
	return h.prov(typ).Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn(typ, "x"), Type: typ, Olds: marshal(h.t, olds), News: marshal(h.t, news)})
}

func (h *harness) read(typ, id string, state resource.PropertyMap) *pulumirpc.ReadResponse {
	h.t.Helper()
	resp, err := h.prov(typ).Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn(typ, "x"), Type: typ, Id: id, Properties: marshal(h.t, state)})
	if err != nil {
		h.t.Fatalf("read %s %s: %v", typ, id, err)
	}
	return resp
}

func (h *harness) del(typ, name, id string, state resource.PropertyMap) error {
	h.t.Helper()
	_, err := h.prov(typ).Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: urn(typ, name), Type: typ, Id: id, Properties: marshal(h.t, state)})
	return err
}

func (h *harness) update(typ, name, id string, olds resource.PropertyMap, news map[string]any) (resource.PropertyMap, error) {
	h.t.Helper()
	checked, failures := h.check(typ, name, pm(news))
	if len(failures) > 0 {
		h.t.Fatalf("check: %v", failures)
	}
	resp, err := h.prov(typ).Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: urn(typ, name), Type: typ, Id: id, Olds: marshal(h.t, olds), News: marshal(h.t, checked),
	})
	if err != nil {
		return nil, err
	}
	return unmarshal(h.t, resp.GetProperties()), nil
}

func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), substr) {
		t.Fatalf("error = %v, want one containing %q", err, substr)
	}
}

func checkReq(t *testing.T, typ, name string, news, olds resource.PropertyMap) *pulumirpc.CheckRequest {
	t.Helper()
	if olds == nil {
		olds = resource.PropertyMap{}
	}
	return &pulumirpc.CheckRequest{Urn: urn(typ, name), Type: typ, Name: name, News: marshal(t, news), Olds: marshal(t, olds)}
}

// hasFailure reports whether a failure is on prop and contains text.
func hasFailure(failures []*pulumirpc.CheckFailure, prop, text string) bool {
	for _, f := range failures {
		if f.GetProperty() == prop && strings.Contains(f.GetReason(), text) {
			return true
		}
	}
	return false
}
