package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/artifacts"
	"github.com/clustera/infra/shared/artifacts/fetch"
	"github.com/clustera/infra/shared/environment"
	"github.com/clustera/infra/shared/problems"
	"github.com/clustera/infra/shared/stackconfig"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReleaseKey is the key that pins the Worker code. See docs/cloudflare.md,
// "Worker code", and docs/decisions/0025-worker-code-pinned-and-fetched.md.
const ReleaseKey = topology.ReleaseKey

const releaseFix = "pin the release of the Worker code the application pipeline published: " +
	`release: {version: "<release>", sha256: {<worker>: <sha256 of workers/<worker>/<release>/index.js>, ...}} for every Worker`

// readRelease reads and checks the pinned release: a valid version and the
// SHA-256 of every Worker's bundle, no other Worker.
func readRelease(r *stackconfig.Reader) artifacts.Release {
	var old map[string]any
	if r.Object("bundles", &old) {
		r.Problem("bundles", "is no longer read: the Worker code is a pinned release fetched from the artifact store",
			"remove the key and pin the release in "+r.Key(ReleaseKey)+" (docs/cloudflare.md, \"Worker code\")")
	}
	var rel artifacts.Release
	if !r.Object(ReleaseKey, &rel) {
		r.Problem(ReleaseKey, "is missing", releaseFix)
		return rel
	}
	switch {
	case rel.Version == "":
		r.Problem(ReleaseKey+".version", "is missing", "set the release the application pipeline published, e.g. \"2026.12.01-3\"")
	case !artifacts.ValidVersion(rel.Version):
		r.Problemf(ReleaseKey+".version", "use 1-64 letters, digits, '.', '_' and '-', as the pipeline names its releases",
			"%q cannot name a release (it is a path element of the object key)", rel.Version)
	}
	var unknown []string
	for w := range rel.SHA256 {
		if !knownWorker(w) {
			unknown = append(unknown, w)
		}
	}
	sort.Strings(unknown)
	for _, w := range unknown {
		r.Problemf(ReleaseKey+".sha256."+w, "use one of "+workerList(), "%q is not a Worker of this project", w)
	}
	for _, w := range topology.Workers {
		switch sum, ok := rel.SHA256[w.Name]; {
		case !ok || sum == "":
			r.Problem(w.PinKey(), "is missing", fmt.Sprintf("pin the SHA-256 the application pipeline reported for %s (a new Worker: docs/runbooks/add-worker.md)", w.BundleKey(orRelease(rel.Version))))
		case !artifacts.ValidSHA256(sum):
			r.Problemf(w.PinKey(), "use the 64 lowercase hex characters of the bundle's SHA-256", "Worker %s: %q is not a SHA-256", w.Name, sum)
		}
	}
	return rel
}

func orRelease(v string) string {
	if v == "" {
		return "<release>"
	}
	return v
}

// FetchBundles fetches the pinned bundle of every Worker from the artifact
// store, verifies each against its pin and fills c.Bundles; every problem
// comes in one error naming the stack or environment file, the key and the
// fix, before any resource is registered. Bundles are cached by hash (see
// package artifacts/fetch), in previews as in updates, on a laptop as in
// CI.
//
// Under the SDK's mocks nothing is fetched unless a test provides a store
// ($INFRA_ARTIFACTS_ENDPOINT): the offline checks (go run mage.go policy)
// then see each bundle's content as unknown, as a value only the deploy
// computes, while the pins were still validated by Load.
func (c *Config) FetchBundles(ctx *pulumi.Context) error {
	workers := topology.Names()
	c.Bundles = map[string]Bundle{}
	if ctx.RunningWithMocks() && os.Getenv(artifacts.EnvEndpoint) == "" {
		for _, p := range c.Release.Pins(workers) {
			c.Bundles[p.Worker] = Bundle{Key: p.Key(), SHA256: p.SHA256, MainModule: artifacts.MainModule}
		}
		return nil
	}
	var list problems.List
	if c.Env.Kind == environment.Local && os.Getenv(artifacts.EnvEndpoint) == "" {
		list.Add(c.Env.File, "artifacts", "the local environment's Worker bundles come from the sandbox's artifact store, and none is announced ($"+artifacts.EnvEndpoint+" is not set)",
			"run through the orchestrator (go run mage.go deploy:all env=local), or export the variables `go run mage.go sandbox` prints")
		return list.Err()
	}
	f := &fetch.Fetcher{Store: c.Store, CacheDir: cacheDir(c.Root), PinFile: c.PinFile}
	pins := c.Release.Pins(workers)
	results := make([]fetched, len(pins))
	var wg sync.WaitGroup
	for i, p := range pins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].data, results[i].err = f.Fetch(context.WithoutCancel(ctx.Context()), p)
		}()
	}
	wg.Wait()
	store := map[artifacts.Kind]int{} // store-wide failures, reported once
	for i, p := range pins {
		data, err := results[i].data, results[i].err
		if err == nil {
			c.Bundles[p.Worker] = Bundle{Key: p.Key(), SHA256: p.SHA256, MainModule: artifacts.MainModule, Content: string(data), Known: true}
			continue
		}
		var e *artifacts.Error
		if !errors.As(err, &e) {
			list.Addf(c.PinFile, "cloudflare-workers:"+ReleaseKey, "run again", "Worker %s: %v", p.Worker, err)
			continue
		}
		switch e.Kind {
		case artifacts.Mismatch:
			list.Add(c.PinFile, "cloudflare-workers:"+ReleaseKey+".sha256."+p.Worker, e.Msg, e.Fix)
		case artifacts.NotFound, artifacts.Invalid:
			list.Add(c.PinFile, "cloudflare-workers:"+ReleaseKey+".version", e.Msg, e.Fix)
		default:
			if store[e.Kind]++; store[e.Kind] == 1 {
				list.Add(c.Env.File, "artifacts", e.Msg+others(pins, results, e.Kind), e.Fix)
			}
		}
	}
	return list.Err()
}

// fetched is the outcome of one bundle's fetch.
type fetched struct {
	data []byte
	err  error
}

// others names the Workers whose fetch failed the same store-wide way,
// when there are several.
func others(pins []artifacts.Pin, results []fetched, kind artifacts.Kind) string {
	var ws []string
	for i, r := range results {
		var e *artifacts.Error
		if errors.As(r.err, &e) && e.Kind == kind {
			ws = append(ws, pins[i].Worker)
		}
	}
	if len(ws) < 2 {
		return ""
	}
	return fmt.Sprintf(" (the same for Workers %s)", strings.Join(ws, ", "))
}

// cacheDir is where verified bundles are cached: the user cache folder,
// else <root>/.state/cache/workers.
func cacheDir(root string) string {
	if d := artifacts.DefaultCacheDir(); d != "" {
		return d
	}
	return filepath.Join(root, ".state", "cache", "workers")
}
