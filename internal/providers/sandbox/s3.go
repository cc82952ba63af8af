package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Credentials of the sandbox's artifact store: it accepts any, and the
// orchestrator hands these to the programs (INFRA_ARTIFACTS_ACCESS_KEY_ID,
// INFRA_ARTIFACTS_SECRET_ACCESS_KEY) so their requests are signed as
// against R2.
const (
	ArtifactsAccessKeyID     = "sandbox"
	ArtifactsSecretAccessKey = "sandbox-secret-not-a-secret"
)

// workersProject and releaseKey locate the Worker releases the stacks pin.
const (
	workersProject = "cloudflare-workers"
	releaseKey     = workersProject + ":" + topology.ReleaseKey
	// PlaceholderPath is the committed placeholder module, relative to the
	// repository root: the base of every bundle the store publishes.
	PlaceholderPath = "projects/cloudflare-workers/placeholder/worker.js"
)

// Published is one object of the sandbox's artifact store.
type Published struct {
	Bucket, Key string
	SHA256      string
}

// artifactStore is the sandbox's stand-in for the R2 bucket the
// application pipeline publishes Worker bundles to: a real S3-protocol
// server (gofakes3) on loopback, in memory. At start it publishes, in the
// bucket of every environment file, the placeholder bundle of every
// declared Worker for the release that environment's cloudflare-workers
// stack pins, so every
// committed pin (a placeholder release) is found and verified as against
// R2. A pin of another release, or of another hash, fails as it would
// there.
type artifactStore struct {
	backend *s3mem.Backend
	url     string
	stop    func()

	mu        sync.Mutex
	published []Published
}

// serveArtifacts starts the store seeded from root ("" = empty store).
func serveArtifacts(root string) (*artifactStore, error) {
	st := &artifactStore{backend: s3mem.New()}
	if root != "" {
		if err := st.seed(root); err != nil {
			return nil, err
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: artifact store: listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: gofakes3.New(st.backend).Server(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	st.url = "http://" + lis.Addr().String()
	st.stop = func() { _ = srv.Close() }
	return st, nil
}

// seed publishes, for every release pinned by every environment's
// cloudflare-workers stack file, the placeholder bundle of every declared
// Worker (package topology), in that environment's artifacts.bucket: as
// the application pipeline publishes every Worker of every release.
func (st *artifactStore) seed(root string) error {
	base, err := os.ReadFile(filepath.Join(root, PlaceholderPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil // not this repository's layout: an empty store
	}
	if err != nil {
		return fmt.Errorf("sandbox: artifact store: %w", err)
	}
	for _, r := range PinnedReleases(root) {
		for _, w := range topology.Workers {
			if err := st.Publish(r.Bucket, w.BundleKey(r.Version), artifacts.PlaceholderBundle(base, w.Name, r.Version)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Publish puts an object into the store, creating the bucket if needed, as
// the application pipeline does. Tests use it to publish a corrupt bundle.
func (st *artifactStore) Publish(bucket, key string, data []byte) error {
	if err := st.backend.CreateBucket(bucket); err != nil && !gofakes3.IsAlreadyExists(err) {
		return fmt.Errorf("sandbox: artifact store: bucket %s: %w", bucket, err)
	}
	// The metadata gofakes3's own PUT records, which its GET and HEAD
	// answer with.
	meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat), "Content-Type": "text/javascript"}
	if _, err := st.backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		return fmt.Errorf("sandbox: artifact store: put %s/%s: %w", bucket, key, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, p := range st.published {
		if p.Bucket == bucket && p.Key == key {
			st.published = append(st.published[:i], st.published[i+1:]...)
			break
		}
	}
	st.published = append(st.published, Published{Bucket: bucket, Key: key, SHA256: artifacts.SHA256(data)})
	sort.Slice(st.published, func(i, j int) bool {
		if st.published[i].Bucket != st.published[j].Bucket {
			return st.published[i].Bucket < st.published[j].Bucket
		}
		return st.published[i].Key < st.published[j].Key
	})
	return nil
}

// Unpublish removes an object from the store (a release the pipeline never
// published).
func (st *artifactStore) Unpublish(bucket, key string) error {
	if _, err := st.backend.DeleteObject(bucket, key); err != nil {
		return fmt.Errorf("sandbox: artifact store: delete %s/%s: %w", bucket, key, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, p := range st.published {
		if p.Bucket == bucket && p.Key == key {
			st.published = append(st.published[:i], st.published[i+1:]...)
			break
		}
	}
	return nil
}

// PinnedRelease is the release one environment's cloudflare-workers stack
// pins, with the bucket of its environment file.
type PinnedRelease struct {
	Env, Bucket, Version string
	// Workers are the Workers the pin names, sorted.
	Workers []string
	// SHA256 are the pinned hashes by Worker.
	SHA256 map[string]string
}

// PinnedReleases returns the release pinned by every environment under
// root that has both an environments/<env>.yaml with artifacts.bucket and
// a projects/cloudflare-workers/Pulumi.<env>.yaml with
// cloudflare-workers:release; sorted by environment. Files that do not
// load are skipped: the runs of that environment report them.
func PinnedReleases(root string) []PinnedRelease {
	files, _ := filepath.Glob(filepath.Join(root, "environments", "*.yaml"))
	var out []PinnedRelease
	for _, f := range files {
		env := strings.TrimSuffix(filepath.Base(f), ".yaml")
		s, err := environment.Load(root, env)
		if err != nil || s.Artifacts.Bucket == "" {
			continue
		}
		if _, err := os.Stat(layout.StackConfigFile(root, workersProject, env)); err != nil {
			continue
		}
		values, _, err := stackconfig.ReadFile(root, workersProject, env)
		if err != nil || values[releaseKey] == "" {
			continue
		}
		var r artifacts.Release
		if err := json.Unmarshal([]byte(values[releaseKey]), &r); err != nil || !artifacts.ValidVersion(r.Version) {
			continue
		}
		p := PinnedRelease{Env: env, Bucket: s.Artifacts.Bucket, Version: r.Version, SHA256: r.SHA256}
		for w := range r.SHA256 {
			if validWorkerName(w) {
				p.Workers = append(p.Workers, w)
			}
		}
		sort.Strings(p.Workers)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Env < out[j].Env })
	return out
}

// validWorkerName keeps object keys to one path element per Worker.
func validWorkerName(w string) bool {
	return w != "" && !strings.ContainsAny(w, "/\\") && w != "." && w != ".."
}

// ArtifactsURL returns the endpoint of the sandbox's artifact store
// ("http://127.0.0.1:P"), for INFRA_ARTIFACTS_ENDPOINT. It accepts any
// credentials.
func (s *Sandbox) ArtifactsURL() string { return s.artifacts.url }

// Published lists the objects of the artifact store.
func (s *Sandbox) Published() []Published {
	s.artifacts.mu.Lock()
	defer s.artifacts.mu.Unlock()
	return append([]Published(nil), s.artifacts.published...)
}

// PublishArtifact puts an object into the artifact store (tests: a corrupt
// or extra bundle).
func (s *Sandbox) PublishArtifact(bucket, key string, data []byte) error {
	return s.artifacts.Publish(bucket, key, data)
}

// UnpublishArtifact removes an object from the artifact store (tests: a
// pinned release that was never published).
func (s *Sandbox) UnpublishArtifact(bucket, key string) error {
	return s.artifacts.Unpublish(bucket, key)
}
