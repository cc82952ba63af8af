package providerserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Base implements the provider-level calls of a resource provider. Embed it
// (by pointer) in a provider and set Package and Version; the embedding type
// implements Check, Diff, Create, Read, Update and Delete.
type Base struct {
	pulumirpc.UnimplementedResourceProviderServer

	// Package is the Pulumi package name ("cloudflare").
	Package string
	// Version is reported by GetPluginInfo. Report the version the SDK pins
	// so the engine prints no version mismatch warning.
	Version string
	// ValidateConfig, if set, checks the provider configuration in
	// CheckConfig; it returns failures keyed by config key.
	ValidateConfig func(cfg Config) []*pulumirpc.CheckFailure
	// Functions are the provider functions (data sources) Invoke serves, by
	// token ("cloudflare:index/getZone:getZone"); any other token fails.
	Functions map[string]Function

	mu      sync.Mutex
	configs map[string]Config // by connection (peer address)
	last    Config
}

// Function is a provider function: it gets the invoke's arguments (secrets
// as resource.Secret values) and returns its result, or an error the
// program sees as the invoke's failure. Invokes also run during previews.
type Function func(ctx context.Context, args resource.PropertyMap) (resource.PropertyMap, error)

// Config is a provider configuration, as given to Configure. Values may be
// secrets; the accessors unwrap them.
type Config struct {
	props resource.PropertyMap
}

// NewConfig wraps a property map as a Config (for tests and direct use).
func NewConfig(props resource.PropertyMap) Config { return Config{props: props} }

// String returns the string value of key ("apiToken"), unwrapping secrets;
// "" if unset or not a string.
func (c Config) String(key string) string {
	v, ok := c.props[resource.PropertyKey(key)]
	if !ok {
		return ""
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// IsSecret reports whether key was passed as a secret.
func (c Config) IsSecret(key string) bool {
	v, ok := c.props[resource.PropertyKey(key)]
	return ok && v.IsSecret()
}

// Keys returns the configured keys.
func (c Config) Keys() []string {
	var out []string
	for k := range c.props {
		out = append(out, string(k))
	}
	return out
}

// Config returns the configuration of the provider instance that made the
// call in ctx (each engine run configures its own instance on its own
// connection). Outside a gRPC call it returns the latest configuration.
func (b *Base) Config(ctx context.Context) Config {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		if c, ok := b.configs[p.Addr.String()]; ok {
			return c
		}
	}
	return b.last
}

// ConnClosed forgets the configuration of a closed connection.
func (b *Base) ConnClosed(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.configs, addr)
}

// Handshake accepts secrets. Resource references are not accepted, so the
// engine sends the referenced IDs.
func (b *Base) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true}, nil
}

// Attach is called by the engine when it attaches to a running provider
// (PULUMI_DEBUG_PROVIDERS). Nothing to do: the provider needs no callbacks.
func (b *Base) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// GetPluginInfo reports Version.
func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: b.Version}, nil
}

// Cancel ends an engine run. The server stays up for the next run.
func (b *Base) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// CheckConfig accepts the provider inputs, after ValidateConfig.
func (b *Base) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := Unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("%s: CheckConfig: %w", b.Package, err)
	}
	var failures []*pulumirpc.CheckFailure
	if b.ValidateConfig != nil {
		failures = b.ValidateConfig(Config{props: news})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// DiffConfig reports a change (never a replacement) when the provider
// inputs change.
func (b *Base) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := Unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, fmt.Errorf("%s: DiffConfig: %w", b.Package, err)
	}
	news, err := Unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("%s: DiffConfig: %w", b.Package, err)
	}
	var diffs []string
	for k, n := range news {
		if k == "version" {
			continue
		}
		if o, ok := olds[k]; !ok || !Equal(o, n) {
			diffs = append(diffs, string(k))
		}
	}
	for k := range olds {
		if _, ok := news[k]; !ok && k != "version" {
			diffs = append(diffs, string(k))
		}
	}
	if len(diffs) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: diffs}, nil
}

// Configure records the configuration of the calling connection. It reads
// the args (where secrets arrive wrapped with the secret signature and are
// kept as secrets) and falls back to the deprecated variables map, keyed
// "<pkg>:config:<key>".
func (b *Base) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	props := resource.PropertyMap{}
	if req.GetArgs() != nil {
		args, err := Unmarshal(req.GetArgs())
		if err != nil {
			return nil, fmt.Errorf("%s: Configure: %w", b.Package, err)
		}
		props = args
	} else {
		prefix := b.Package + ":config:"
		//lint:ignore SA1019 engines that send no args still send the variables
		for k, v := range req.GetVariables() {
			key := strings.TrimPrefix(k, prefix)
			var value any
			if err := json.Unmarshal([]byte(v), &value); err != nil {
				value = v
			}
			props[resource.PropertyKey(key)] = resource.NewPropertyValue(value)
		}
	}
	delete(props, "version")
	cfg := Config{props: props}
	b.mu.Lock()
	if b.configs == nil {
		b.configs = map[string]Config{}
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		b.configs[p.Addr.String()] = cfg
	}
	b.last = cfg
	b.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

// Invoke runs the provider function of the token (Functions).
func (b *Base) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	fn, ok := b.Functions[req.GetTok()]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "%s: function %s is not implemented", b.Package, req.GetTok())
	}
	args, err := Unmarshal(req.GetArgs())
	if err != nil {
		return nil, fmt.Errorf("%s: Invoke %s: %w", b.Package, req.GetTok(), err)
	}
	out, err := fn(ctx, args)
	if err != nil {
		return nil, err
	}
	ret, err := Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("%s: Invoke %s: %w", b.Package, req.GetTok(), err)
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
