package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/clustera/infra/internal/providers/sandbox"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/artifacts/fetch"
)

// TestArtifactStoreServesEveryCommittedPin starts the sandbox on the
// repository and fetches, through the S3 client of the deploys, every
// bundle that every committed cloudflare-workers stack pins: each is
// published and verifies against its pin (the committed pins are
// placeholder releases, which the store publishes by construction).
func TestArtifactStoreServesEveryCommittedPin(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(context.Background(), t.TempDir(), sandbox.WithRoot(root))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if !strings.HasPrefix(sb.ArtifactsURL(), "http://127.0.0.1:") {
		t.Fatalf("ArtifactsURL = %q", sb.ArtifactsURL())
	}
	releases := sandbox.PinnedReleases(root)
	envs := map[string]bool{}
	for _, r := range releases {
		envs[r.Env] = true
	}
	for _, env := range []string{"local", "dev", "testing", "staging", "prod", "steve1"} {
		if !envs[env] {
			t.Errorf("no release pinned by %s: %v", env, releases)
		}
	}
	published := map[string]string{}
	for _, p := range sb.Published() {
		published[p.Bucket+"/"+p.Key] = p.SHA256
	}
	for _, r := range releases {
		if want := sortedNames(); !reflect.DeepEqual(r.Workers, want) {
			t.Errorf("%s pins %v, want every declared Worker %v", r.Env, r.Workers, want)
		}
		f := &fetch.Fetcher{Store: artifacts.Store{Endpoint: sb.ArtifactsURL(), Bucket: r.Bucket,
			AccessKeyID: sandbox.ArtifactsAccessKeyID, SecretAccessKey: sandbox.ArtifactsSecretAccessKey}, PinFile: r.Env, MaxRetries: 1}
		for _, w := range r.Workers {
			p := artifacts.Pin{Worker: w, Version: r.Version, SHA256: r.SHA256[w]}
			if published[r.Bucket+"/"+p.Key()] == "" {
				t.Errorf("%s: %s/%s is not published", r.Env, r.Bucket, p.Key())
			}
			if _, err := f.Fetch(context.Background(), p); err != nil {
				t.Errorf("%s: %v", r.Env, err)
			}
		}
	}
}

// TestArtifactStoreFailsLikeR2 checks the store's failures as the deploy
// sees them: an unpublished release, a corrupt object.
func TestArtifactStoreFailsLikeR2(t *testing.T) {
	root := zoneRoot(t, map[string]string{
		"local": "cloudflare:\n  accountId: " + localAccount + "\nartifacts:\n  bucket: clustera-worker-artifacts\n",
	})
	dir := filepath.Join(root, "projects", "cloudflare-workers", "placeholder")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := []byte("export default {};\n")
	if err := os.WriteFile(filepath.Join(dir, "worker.js"), base, 0o644); err != nil {
		t.Fatal(err)
	}
	rel := artifacts.PlaceholderRelease(base, "2026.09.01-1", []string{"silo"})
	stack := "config:\n  cloudflare-workers:release:\n    version: \"2026.09.01-1\"\n    sha256:\n      silo: " + rel.SHA256["silo"] + "\n"
	if err := os.WriteFile(filepath.Join(root, "projects", "cloudflare-workers", "Pulumi.local.yaml"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(context.Background(), t.TempDir(), sandbox.WithRoot(root))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	// The store publishes every declared Worker of the pinned release, as
	// the pipeline does, whatever the pin names.
	if got := publishedSHA256(sb); len(got) != len(topology.Workers) || got["workers/silo/2026.09.01-1/index.js"] != rel.SHA256["silo"] {
		t.Fatalf("published %+v", sb.Published())
	}
	f := &fetch.Fetcher{Store: artifacts.Store{Endpoint: sb.ArtifactsURL(), Bucket: "clustera-worker-artifacts", AccessKeyID: "any", SecretAccessKey: "any"}, MaxRetries: 1}
	pin := artifacts.Pin{Worker: "silo", Version: "2026.09.01-1", SHA256: rel.SHA256["silo"]}
	if data, err := f.Fetch(context.Background(), pin); err != nil || string(data) != string(artifacts.PlaceholderBundle(base, "silo", "2026.09.01-1")) {
		t.Fatalf("Fetch = %q, %v", data, err)
	}
	kind := func(err error) artifacts.Kind {
		var e *artifacts.Error
		if errors.As(err, &e) {
			return e.Kind
		}
		return ""
	}
	if err := sb.PublishArtifact("clustera-worker-artifacts", pin.Key(), []byte("tampered")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Fetch(context.Background(), pin); kind(err) != artifacts.Mismatch {
		t.Errorf("corrupt object: %v", err)
	}
	if err := sb.UnpublishArtifact("clustera-worker-artifacts", pin.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Fetch(context.Background(), pin); kind(err) != artifacts.NotFound {
		t.Errorf("unpublished object: %v", err)
	}
	if _, ok := publishedSHA256(sb)[pin.Key()]; ok {
		t.Errorf("%s still published: %v", pin.Key(), sb.Published())
	}
}

// sortedNames returns the declared Workers, sorted as PinnedRelease.Workers.
func sortedNames() []string {
	names := topology.Names()
	sort.Strings(names)
	return names
}

// publishedSHA256 returns the store's objects: key → SHA-256.
func publishedSHA256(sb *sandbox.Sandbox) map[string]string {
	out := map[string]string{}
	for _, p := range sb.Published() {
		out[p.Key] = p.SHA256
	}
	return out
}

// TestStorePublishesEveryDeclaredWorker follows docs/runbooks/add-worker.md
// in the sandbox: a Worker added to the declaration has its placeholder
// bundle published for every committed release, before any stack pins it.
func TestStorePublishesEveryDeclaredWorker(t *testing.T) {
	saved := topology.Workers
	t.Cleanup(func() { topology.Workers = saved })
	topology.Workers = append(append([]topology.Worker(nil), saved...), topology.Worker{Name: "example-digest"})
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(root, sandbox.PlaceholderPath))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(context.Background(), t.TempDir(), sandbox.WithRoot(root))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	published := map[string]string{}
	for _, p := range sb.Published() {
		published[p.Bucket+"/"+p.Key] = p.SHA256
	}
	releases := sandbox.PinnedReleases(root)
	if len(releases) == 0 {
		t.Fatal("no committed release")
	}
	for _, r := range releases {
		w := topology.Worker{Name: "example-digest"}
		want := artifacts.PlaceholderRelease(base, r.Version, []string{w.Name}).SHA256[w.Name]
		if got := published[r.Bucket+"/"+w.BundleKey(r.Version)]; got != want {
			t.Errorf("%s: %s/%s has SHA-256 %q, want the placeholder's %s", r.Env, r.Bucket, w.BundleKey(r.Version), got, want)
		}
	}
}
