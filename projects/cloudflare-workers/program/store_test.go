package program_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/layout"
	"github.com/clustera/infra/shared/mocktest"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// bucket is the artifacts.bucket of every committed environment file.
const bucket = "clustera-worker-artifacts"

// committedStacks are the environments with a committed stack file.
var committedStacks = []string{"local", "dev", "testing", "staging", "prod", "steve1"}

// testStore is the artifact store of the tests: a real S3 server
// (gofakes3, in memory) that publishes, like the sandbox's, the placeholder
// bundle of every release a committed stack pins. TestMain announces it to
// the program as the orchestrator announces the sandbox's
// (INFRA_ARTIFACTS_*), with a cache of its own.
var testStore struct {
	url     string
	backend *s3mem.Backend
	base    []byte // the committed placeholder module
}

func TestMain(m *testing.M) {
	os.Exit(func() int {
		root, err := layout.Root()
		if err != nil {
			fmt.Println(err)
			return 1
		}
		base, err := os.ReadFile(filepath.Join(layout.ProjectDir(root, project), placeholder))
		if err != nil {
			fmt.Println(err)
			return 1
		}
		testStore.base, testStore.backend = base, s3mem.New()
		if err := testStore.backend.CreateBucket(bucket); err != nil {
			fmt.Println(err)
			return 1
		}
		for _, stack := range committedStacks {
			rel, err := committedRelease(stack)
			if err != nil {
				fmt.Println(err)
				return 1
			}
			for _, w := range topology.Names() {
				if err := publishTo(w, rel.Version, artifacts.PlaceholderBundle(base, w, rel.Version)); err != nil {
					fmt.Println(err)
					return 1
				}
			}
		}
		srv := httptest.NewServer(gofakes3.New(testStore.backend).Server())
		defer srv.Close()
		testStore.url = srv.URL
		cache, err := os.MkdirTemp("", "workers-cache-")
		if err != nil {
			fmt.Println(err)
			return 1
		}
		defer os.RemoveAll(cache)
		for k, v := range map[string]string{
			artifacts.EnvEndpoint: srv.URL, artifacts.EnvAccessKeyID: "test", artifacts.EnvSecretAccessKey: "test-secret",
			artifacts.EnvCache: cache,
		} {
			if err := os.Setenv(k, v); err != nil {
				fmt.Println(err)
				return 1
			}
		}
		return m.Run()
	}())
}

// committedRelease returns the release a committed stack file pins.
func committedRelease(stack string) (artifacts.Release, error) {
	cfg, err := mocktest.StackConfig(project, stack)
	if err != nil {
		return artifacts.Release{}, err
	}
	var rel artifacts.Release
	if err := json.Unmarshal([]byte(cfg[ns+"release"]), &rel); err != nil {
		return rel, fmt.Errorf("%s: cloudflare-workers:release: %w", stack, err)
	}
	return rel, nil
}

func publishTo(worker, version string, data []byte) error {
	meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat), "Content-Type": "text/javascript"}
	_, err := testStore.backend.PutObject(bucket, artifacts.ObjectKey(worker, version), meta, bytes.NewReader(data), int64(len(data)), nil)
	return err
}

// publish puts a bundle into the test store, as the application pipeline
// would.
func publish(t *testing.T, worker, version string, data []byte) {
	t.Helper()
	if err := publishTo(worker, version, data); err != nil {
		t.Fatal(err)
	}
}

// placeholderBundle is what the store serves for a Worker at a release.
func placeholderBundle(worker, version string) string {
	return string(artifacts.PlaceholderBundle(testStore.base, worker, version))
}

// releaseConfig returns the release key pinning version with the given
// hashes (the placeholder's for Workers not in sums).
func releaseConfig(version string, sums map[string]string) map[string]string {
	rel := artifacts.PlaceholderRelease(testStore.base, version, topology.Names())
	for w, s := range sums {
		if s == "" {
			delete(rel.SHA256, w)
		} else {
			rel.SHA256[w] = s
		}
	}
	return map[string]string{ns + "release": mustJSON(rel)}
}
