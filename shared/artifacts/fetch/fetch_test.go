package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/artifacts/fetch"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	bucket  = "clustera-worker-artifacts"
	version = "2026.12.01-3"
	pinFile = "projects/cloudflare-workers/Pulumi.staging.yaml"
)

// store serves an S3 API (gofakes3, in memory) with one bucket holding
// objects, and returns its URL and backend.
func store(t *testing.T, objects map[string][]byte) (*httptest.Server, *s3mem.Backend) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	for key, data := range objects {
		put(t, be, key, data)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	return srv, be
}

func put(t *testing.T, be *s3mem.Backend, key string, data []byte) {
	t.Helper()
	// The metadata gofakes3's PUT handler records, which its GET and HEAD
	// answer with.
	meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat), "Content-Type": "text/javascript"}
	if _, err := be.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
}

func fetcher(url, cache string) *fetch.Fetcher {
	return &fetch.Fetcher{
		Store:    artifacts.Store{Endpoint: url, Bucket: bucket, AccessKeyID: "test-key", SecretAccessKey: "test-secret"},
		CacheDir: cache, PinFile: pinFile, MaxRetries: 1,
	}
}

var bundle = []byte("export default { async fetch() { return new Response('ok') } }\n")

func pin(data []byte) artifacts.Pin {
	return artifacts.Pin{Worker: "dome-api", Version: version, SHA256: artifacts.SHA256(data)}
}

func fetchErr(t *testing.T, f *fetch.Fetcher, p artifacts.Pin, kind artifacts.Kind, want ...string) {
	t.Helper()
	_, err := f.Fetch(context.Background(), p)
	var e *artifacts.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("err = %v, want kind %s", err, kind)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}

func TestFetchVerifiesAndCaches(t *testing.T) {
	key := artifacts.ObjectKey("dome-api", version)
	if key != "workers/dome-api/2026.12.01-3/index.js" {
		t.Fatalf("key %s", key)
	}
	srv, _ := store(t, map[string][]byte{key: bundle})
	cache := t.TempDir()
	got, err := fetcher(srv.URL, cache).Fetch(context.Background(), pin(bundle))
	if err != nil || !bytes.Equal(got, bundle) {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	cached, err := os.ReadFile(filepath.Join(cache, artifacts.SHA256(bundle)))
	if err != nil || !bytes.Equal(cached, bundle) {
		t.Fatalf("cache holds %q, %v", cached, err)
	}
	// A verified cached copy is used without the store (nor credentials).
	srv.Close()
	f := fetcher(srv.URL, cache)
	f.Store.AccessKeyID, f.Store.SecretAccessKey = "", ""
	if got, err := f.Fetch(context.Background(), pin(bundle)); err != nil || !bytes.Equal(got, bundle) {
		t.Fatalf("cached Fetch = %q, %v", got, err)
	}
}

// TestCorruptCacheIsVerifiedAgain checks that a cached file is verified
// before use: one that no longer hashes to its name is dropped and the
// bundle is fetched again.
func TestCorruptCacheIsVerifiedAgain(t *testing.T) {
	key := artifacts.ObjectKey("dome-api", version)
	srv, _ := store(t, map[string][]byte{key: bundle})
	cache := t.TempDir()
	path := filepath.Join(cache, artifacts.SHA256(bundle))
	if err := os.WriteFile(path, []byte("export default {} // tampered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := fetcher(srv.URL, cache).Fetch(context.Background(), pin(bundle))
	if err != nil || !bytes.Equal(got, bundle) {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, bundle) {
		t.Fatalf("the cache was not repaired: %q", b)
	}
	// Without the store, a corrupt cache is never used.
	if err := os.WriteFile(path, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	fetchErr(t, fetcher(srv.URL, cache), pin(bundle), artifacts.Unreachable, "cannot fetch workers/dome-api/2026.12.01-3/index.js from "+srv.URL)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the corrupt cached file is still there: %v", err)
	}
}

func TestMissingObject(t *testing.T) {
	srv, _ := store(t, nil)
	fetchErr(t, fetcher(srv.URL, t.TempDir()), pin(bundle), artifacts.NotFound,
		"workers/dome-api/2026.12.01-3/index.js is not in bucket clustera-worker-artifacts",
		"fix: publish release 2026.12.01-3 of Worker dome-api from the application pipeline, or pin a version that exists ("+pinFile+")")
}

// TestCorruptObject checks that an object whose hash is not the pin's is
// refused and never cached.
func TestCorruptObject(t *testing.T) {
	key := artifacts.ObjectKey("dome-api", version)
	corrupt := []byte("export default {} // not what the pipeline built\n")
	srv, _ := store(t, map[string][]byte{key: corrupt})
	cache := t.TempDir()
	p := pin(bundle)
	fetchErr(t, fetcher(srv.URL, cache), p, artifacts.Mismatch,
		"sha256 mismatch for workers/dome-api/2026.12.01-3/index.js in bucket clustera-worker-artifacts: the pin in "+pinFile+" says "+p.SHA256+", the object is "+artifacts.SHA256(corrupt),
		"fix: if the application pipeline republished release 2026.12.01-3")
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the cache holds %v after a mismatch", entries)
	}
}

func TestEmptyObject(t *testing.T) {
	key := artifacts.ObjectKey("dome-api", version)
	srv, _ := store(t, map[string][]byte{key: {}})
	fetchErr(t, fetcher(srv.URL, ""), pin(bundle), artifacts.Invalid, key+" in bucket clustera-worker-artifacts is empty")
}

func TestNoCredentials(t *testing.T) {
	srv, _ := store(t, nil)
	f := fetcher(srv.URL, t.TempDir())
	f.Store.AccessKeyID, f.Store.SecretAccessKey = "", ""
	fetchErr(t, f, pin(bundle), artifacts.NoCredentials, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set", "Object Read on bucket clustera-worker-artifacts")
}

func TestBadEndpoint(t *testing.T) {
	fetchErr(t, fetcher("ftp://example.com", ""), pin(bundle), artifacts.Unreachable, `endpoint "ftp://example.com" is not an http(s) URL`)
}
