package sandbox

import (
	"context"
	"fmt"
	"os"

	"github.com/clustera/infra/internal/providers/providerserver"
)

// Sandbox is a running sandbox: the fake providers of cloudflare, aiven and
// gcp, and the fake Cloudflare REST API, all backed by <dir>/cloud.json.
// It serves many engine runs, concurrently, until Close.
type Sandbox struct {
	cloud     *Cloud
	ports     map[string]int
	apiURL    string
	stops     []func()
	zones     []Zone         // zones.go
	artifacts *artifactStore // s3.go
}

// Start starts a sandbox whose cloud lives in dir (created if needed). The
// servers listen on loopback only. The DNS zones and the artifact store's
// releases come from the repository (WithRoot).
func Start(_ context.Context, dir string, opts ...Option) (*Sandbox, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: create %s: %w", dir, err)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	root := o.rootDir()
	s := &Sandbox{cloud: OpenCloud(dir), ports: map[string]int{}}
	if root != "" {
		s.zones = EnvironmentZones(root)
	}
	for _, p := range []struct{ pkg, version string }{
		{"cloudflare", CloudflareVersion}, {"aiven", AivenVersion}, {"gcp", GCPVersion},
	} {
		prov := newProvider(p.pkg, p.version, s.cloud)
		if p.pkg == "cloudflare" {
			prov.Functions = map[string]providerserver.Function{GetZoneToken: ZoneFunction(s.zones)}
		}
		port, stop, err := providerserver.Serve(prov)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("sandbox: serve %s: %w", p.pkg, err)
		}
		s.ports[p.pkg] = port
		s.stops = append(s.stops, stop)
	}
	url, stop, err := serveVectorizeAPI(s.cloud)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	s.apiURL = url
	s.stops = append(s.stops, stop)
	if s.artifacts, err = serveArtifacts(root); err != nil {
		_ = s.Close()
		return nil, err
	}
	s.stops = append(s.stops, s.artifacts.stop)
	return s, nil
}

// Zones returns the DNS zones the sandbox's getZone data source knows.
func (s *Sandbox) Zones() []Zone { return append([]Zone(nil), s.zones...) }

// DebugProviders returns the PULUMI_DEBUG_PROVIDERS value that attaches
// the engine to the fake providers: "cloudflare:P,aiven:P,gcp:P". Append
// ",vectorize:P" for the Vectorize provider (served by the caller, with
// vectorize.Options{BaseURL: s.CloudflareAPIURL()}).
func (s *Sandbox) DebugProviders() string {
	return fmt.Sprintf("cloudflare:%d,aiven:%d,gcp:%d", s.ports["cloudflare"], s.ports["aiven"], s.ports["gcp"])
}

// CloudflareAPIURL returns the base URL of the fake Cloudflare REST API
// ("http://127.0.0.1:P/client/v4"), in the form of the real
// https://api.cloudflare.com/client/v4. It accepts any non-empty bearer
// token.
func (s *Sandbox) CloudflareAPIURL() string { return s.apiURL }

// Cloud returns the sandbox's cloud.
func (s *Sandbox) Cloud() *Cloud { return s.cloud }

// Close stops the servers. The cloud stays on disk.
func (s *Sandbox) Close() error {
	for _, stop := range s.stops {
		stop()
	}
	s.stops = nil
	return nil
}
