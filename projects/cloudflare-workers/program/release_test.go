package program_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/clustera/infra/projects/cloudflare-workers/program"
	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/mocktest"
)

// TestCommittedPinsArePublishedPlaceholders checks the agreement between
// the committed pins and the sandbox's artifact store by construction:
// every committed stack pins a placeholder release, whose bundles the
// sandbox (and the test store) publish as artifacts.PlaceholderBundle of
// the committed placeholder module. A pin of a real release the pipeline
// published cannot pass this test: the sandbox cannot reproduce its bytes
// (docs/decisions/0025-worker-code-pinned-and-fetched.md).
func TestCommittedPinsArePublishedPlaceholders(t *testing.T) {
	for _, stack := range committedStacks {
		rel, err := committedRelease(stack)
		if err != nil {
			t.Fatal(err)
		}
		want := artifacts.PlaceholderRelease(testStore.base, rel.Version, topology.Names())
		for _, w := range topology.Names() {
			if rel.SHA256[w] != want.SHA256[w] {
				var b strings.Builder
				for _, w := range topology.Names() {
					fmt.Fprintf(&b, "      %s: %s\n", w, want.SHA256[w])
				}
				t.Errorf("projects/cloudflare-workers/Pulumi.%s.yaml pins %s %s for Worker %s; the placeholder release %s is:\n    sha256:\n%s",
					stack, rel.Version, rel.SHA256[w], w, rel.Version, b.String())
				break
			}
		}
	}
}

// TestMissingBundleFails checks a pinned release that was never
// published: the stack fails before registering anything, naming the key
// of the pin, the object key, the bucket and the fix, for every Worker.
func TestMissingBundleFails(t *testing.T) {
	const file = "projects/cloudflare-workers/Pulumi.staging.yaml: "
	var want []string
	for _, w := range workers {
		want = append(want, file+"cloudflare-workers:release.version: workers/"+w+"/2027.01.01-1/index.js is not in bucket clustera-worker-artifacts; fix: publish release 2027.01.01-1 of Worker "+w+" from the application pipeline, or pin a version that exists (projects/cloudflare-workers/Pulumi.staging.yaml)")
	}
	expectInvalid(t, "staging", options("staging", releaseConfig("2027.01.01-1", nil)), append(want, fmt.Sprintf("invalid configuration (%d problems)", len(workers)))...)
}

// TestCorruptBundleFails checks a published object whose hash is not the
// pinned one: only that Worker's pin is named, with both hashes.
func TestCorruptBundleFails(t *testing.T) {
	const version = "2027.01.02-1"
	for _, w := range workers {
		publish(t, w, version, []byte(placeholderBundle(w, version)))
	}
	corrupt := []byte(placeholderBundle("silo", version) + "// changed after it was published\n")
	publish(t, "silo", version, corrupt)
	pin := artifacts.SHA256([]byte(placeholderBundle("silo", version)))
	expectInvalid(t, "prod", options("prod", releaseConfig(version, nil)),
		"invalid configuration: projects/cloudflare-workers/Pulumi.prod.yaml: cloudflare-workers:release.sha256.silo: sha256 mismatch for workers/silo/"+version+"/index.js in bucket clustera-worker-artifacts: the pin in projects/cloudflare-workers/Pulumi.prod.yaml says "+pin+", the object is "+artifacts.SHA256(corrupt),
		"fix: if the application pipeline republished release "+version)
}

// TestUnreachableStoreFails checks a store that does not answer: one
// problem of the environment's artifact store, naming the endpoint and
// every Worker, before anything is registered.
func TestUnreachableStoreFails(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + lis.Addr().String()
	lis.Close()
	t.Setenv(artifacts.EnvEndpoint, dead)
	expectInvalid(t, "testing", options("testing", releaseConfig("2027.01.03-1", nil)),
		"invalid configuration: environments/testing.yaml: artifacts: cannot fetch workers/",
		"from "+dead, "(the same for Workers "+strings.Join(topology.Names(), ", ")+")",
		"fix: check the network and the store's endpoint")
}

// TestReleaseBumpChangesOnlyChangedWorkers checks what a version bump
// changes: a release whose bundles are byte-identical for five Workers
// and new for one leaves those five scripts' content as it was.
func TestReleaseBumpChangesOnlyChangedWorkers(t *testing.T) {
	before := run(t, "staging", nil)
	rel, err := committedRelease("staging")
	if err != nil {
		t.Fatal(err)
	}
	const next = "2027.02.01-1"
	sums := map[string]string{}
	for _, w := range workers {
		code := placeholderBundle(w, rel.Version)
		if w == "dome-api" {
			code += "// the fix of release " + next + "\n"
		}
		publish(t, w, next, []byte(code))
		sums[w] = artifacts.SHA256([]byte(code))
	}
	after := run(t, "staging", releaseConfig(next, sums))
	for _, w := range workers {
		b, a := find(t, before, scriptType, w).String("content"), find(t, after, scriptType, w).String("content")
		if changed := a != b; changed != (w == "dome-api") {
			t.Errorf("%s: content changed %v with the bump", w, changed)
		}
	}
}

// TestOfflineChecksFetchNothing checks the programs under mocks without an
// artifact store (the offline checks: go run mage.go policy): nothing is
// fetched, each script's content is unknown (which the mocks drop), as a
// value only the deploy computes, and the pins are still validated.
func TestOfflineChecksFetchNothing(t *testing.T) {
	t.Setenv(artifacts.EnvEndpoint, "")
	for _, preview := range []bool{true, false} {
		opts := options("prod", releaseConfig("2099.01.01-1", nil))
		opts.DryRun = preview
		res, err := mocktest.Run(project, "prod", program.Program, opts)
		if err != nil {
			t.Fatalf("preview=%v: a release the store does not have was fetched: %v", preview, err)
		}
		for _, s := range res.OfType(scriptType) {
			// The SDK's mocks drop unknown inputs: the content is absent,
			// and no code was made up.
			if v := s.Get("content"); !v.IsNull() {
				t.Errorf("preview=%v: %s: content %v, want unknown", preview, s.Name, v)
			}
			if s.String("mainModule") != "index.js" {
				t.Errorf("%s: mainModule %q", s.Name, s.String("mainModule"))
			}
		}
	}
	expectInvalid(t, "prod", options("prod", releaseConfig("2099.01.01-1", map[string]string{"silo": "0"})),
		`cloudflare-workers:release.sha256.silo: Worker silo: "0" is not a SHA-256`)
}
