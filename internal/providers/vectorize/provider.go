package vectorize

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/clustera/infra/internal/providers/providerserver"
	"github.com/clustera/infra/shared/naming"
	shared "github.com/clustera/infra/shared/vectorize"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Options configure the provider.
type Options struct {
	// BaseURL of the Cloudflare API; DefaultBaseURL when empty.
	BaseURL string
	// Token is the API token used when the provider configuration has no
	// vectorize:apiToken. CLOUDFLARE_API_TOKEN is the last resort.
	Token string
	// Client is the HTTP client; a client with a 60 s timeout when nil.
	Client *http.Client
}

type provider struct {
	*providerserver.Base
	opts Options
}

// NewProvider returns the Vectorize resource provider.
func NewProvider(opts Options) pulumirpc.ResourceProviderServer {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 60 * time.Second}
	}
	return &provider{
		Base: &providerserver.Base{Package: "vectorize", Version: shared.Version, ValidateConfig: validateConfig},
		opts: opts,
	}
}

func validateConfig(cfg providerserver.Config) []*pulumirpc.CheckFailure {
	var out []*pulumirpc.CheckFailure
	for _, k := range cfg.Keys() {
		if k != "apiToken" && k != "version" && k != "pluginDownloadURL" {
			out = append(out, &pulumirpc.CheckFailure{Property: k, Reason: fmt.Sprintf("unknown vectorize provider setting %q: the only setting is apiToken", k)})
		}
	}
	return out
}

// client returns an API client for the calling provider instance.
func (p *provider) client(ctx context.Context) (*client, error) {
	token := p.Config(ctx).String("apiToken")
	if token == "" {
		token = p.opts.Token
	}
	if token == "" {
		token = os.Getenv("CLOUDFLARE_API_TOKEN")
	}
	if token == "" {
		return nil, fmt.Errorf("vectorize: no Cloudflare API token: set the secret provider config vectorize:apiToken or CLOUDFLARE_API_TOKEN")
	}
	return &client{base: p.opts.BaseURL, token: token, http: p.opts.Client}, nil
}

var accountIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// inputs are the properties of an index.
var inputs = []string{"accountId", "name", "dimensions", "metric", "description"}

func checkType(typ, urn string) error {
	if typ == "" {
		typ = string(resource.URN(urn).Type())
	}
	if typ != shared.IndexType {
		return fmt.Errorf("vectorize: unknown resource type %s (the provider has %s)", typ, shared.IndexType)
	}
	return nil
}

func plain(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return v, false
	}
	return providerserver.Plain(v), true
}

// Check validates an index's inputs as the API does.
func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := providerserver.Unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, format string, args ...any) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{}
	for _, k := range inputs {
		known[k] = true
	}
	var keys []string
	for k := range news {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			fail(k, "unknown property %q: an index has %s", k, strings.Join(inputs, ", "))
		}
	}
	for _, k := range inputs[:4] {
		if _, ok := news[resource.PropertyKey(k)]; !ok {
			fail(k, "missing required property %q", k)
		}
	}
	str := func(key string) (string, bool) {
		v, ok := plain(news, key)
		if !ok || v.IsComputed() {
			return "", false
		}
		if !v.IsString() {
			fail(key, "%s must be a string", key)
			return "", false
		}
		return v.StringValue(), true
	}
	if s, ok := str("accountId"); ok && !accountIDPattern.MatchString(s) {
		fail("accountId", "accountId %q is not a Cloudflare account ID (32 lowercase hex characters)", s)
	}
	if s, ok := str("name"); ok {
		if err := naming.Validate(naming.VectorizeIndex, s); err != nil {
			fail("name", "%v", err)
		}
	}
	if s, ok := str("metric"); ok {
		valid := false
		for _, m := range shared.Metrics {
			valid = valid || s == m
		}
		if !valid {
			fail("metric", "metric %q is invalid: use one of %s", s, strings.Join(shared.Metrics, ", "))
		}
	}
	if d, ok := str("description"); ok && len(d) > 1024 {
		fail("description", "description is %d characters; at most 1024", len(d))
	}
	if v, ok := plain(news, "dimensions"); ok && !v.IsComputed() {
		if !v.IsNumber() || v.NumberValue() != float64(int(v.NumberValue())) || v.NumberValue() < 1 || v.NumberValue() > shared.MaxDimensions {
			fail("dimensions", "dimensions must be an integer from 1 to %d, got %v", shared.MaxDimensions, v.V)
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// Diff replaces the index on any change: indexes cannot be updated. When
// the account and name stay, the old index is deleted first, since the new
// one takes its name.
func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	olds, news, err := providerserver.UnmarshalPair(req.GetOlds(), req.GetNews())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	for _, k := range inputs {
		o, oOK := plain(olds, k)
		n, nOK := plain(news, k)
		if k == "description" {
			// The API reports "" for no description.
			if !oOK || (o.IsString() && o.StringValue() == "") {
				oOK = false
			}
			if !nOK || (n.IsString() && n.StringValue() == "") {
				nOK = false
			}
		}
		kind := pulumirpc.PropertyDiff_UPDATE_REPLACE
		switch {
		case !oOK && !nOK:
			continue
		case !oOK:
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case !nOK:
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		case n.ContainsUnknowns() || !providerserver.Equal(o, n):
		default:
			continue
		}
		resp.Replaces = append(resp.Replaces, k)
		resp.Diffs = append(resp.Diffs, k)
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		sameName := true
		for _, k := range []string{"accountId", "name"} {
			o, _ := plain(olds, k)
			n, _ := plain(news, k)
			sameName = sameName && !n.ContainsUnknowns() && providerserver.Equal(o, n)
		}
		resp.DeleteBeforeReplace = sameName
	}
	return resp, nil
}

// spec reads an index's inputs.
func spec(props resource.PropertyMap) (accountID string, idx index) {
	s := func(k string) string {
		v, ok := plain(props, k)
		if ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	d, _ := plain(props, "dimensions")
	dims := 0
	if d.IsNumber() {
		dims = int(d.NumberValue())
	}
	return s("accountId"), index{Name: s("name"), Description: s("description"), Config: indexConfig{Dimensions: dims, Metric: s("metric")}}
}

// outputs returns the properties of an index as the API reports it.
func outputs(accountID string, idx index) resource.PropertyMap {
	out := resource.PropertyMap{
		"accountId":  resource.NewStringProperty(accountID),
		"name":       resource.NewStringProperty(idx.Name),
		"dimensions": resource.NewNumberProperty(float64(idx.Config.Dimensions)),
		"metric":     resource.NewStringProperty(idx.Config.Metric),
		"createdOn":  resource.NewStringProperty(idx.CreatedOn),
	}
	if idx.Description != "" {
		out["description"] = resource.NewStringProperty(idx.Description)
	}
	return out
}

// Create creates the index, or adopts an identical existing one.
func (p *provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := providerserver.Unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		out := news.Copy()
		out["createdOn"] = resource.MakeComputed(resource.NewStringProperty(""))
		props, err := providerserver.Marshal(out)
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	acc, want := spec(news)
	got, err := c.create(ctx, acc, want)
	if err != nil {
		if isStatus(err, http.StatusUnauthorized) || isStatus(err, http.StatusForbidden) {
			return nil, err
		}
		existing, getErr := c.get(ctx, acc, want.Name)
		if getErr != nil {
			return nil, err // no such index: the create failed for another reason
		}
		if existing.Config != want.Config || existing.Description != want.Description {
			return nil, fmt.Errorf("vectorize: an index named %q already exists in account %s with a different configuration (dimensions %d, metric %s, description %q; wanted dimensions %d, metric %s, description %q): import it with ID %s/%s, or choose another name",
				want.Name, acc, existing.Config.Dimensions, existing.Config.Metric, existing.Description,
				want.Config.Dimensions, want.Config.Metric, want.Description, acc, want.Name)
		}
		got = existing // identical: adopt it
	}
	props, err := providerserver.Marshal(outputs(acc, got))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: acc + "/" + got.Name, Properties: props}, nil
}

// Read reads the index for refresh and import; a missing index returns no
// ID, which removes it from the state.
func (p *provider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	acc, name, ok := strings.Cut(req.GetId(), "/")
	if !ok || acc == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("vectorize: invalid index ID %q: expected <accountId>/<name>", req.GetId())
	}
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	idx, err := c.get(ctx, acc, name)
	if isStatus(err, http.StatusNotFound) {
		return &pulumirpc.ReadResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := outputs(acc, idx)
	in := out.Copy()
	delete(in, "createdOn")
	po, err := providerserver.Marshal(out)
	if err != nil {
		return nil, err
	}
	pi, err := providerserver.Marshal(in)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: acc + "/" + idx.Name, Properties: po, Inputs: pi}, nil
}

// Update is never planned: every change replaces the index.
func (p *provider) Update(context.Context, *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, fmt.Errorf("vectorize: indexes cannot be updated in place; every change replaces the index")
}

// Delete deletes the index; an index already gone is not an error.
func (p *provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	acc, name, ok := strings.Cut(req.GetId(), "/")
	if !ok {
		return nil, fmt.Errorf("vectorize: invalid index ID %q: expected <accountId>/<name>", req.GetId())
	}
	c, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.delete(ctx, acc, name); err != nil && !isStatus(err, http.StatusNotFound) {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
