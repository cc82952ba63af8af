package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/projects/cloudflare-workers/topology"
	"github.com/clustera/infra/shared/stackconfig"
)

// BundleConvention is where CI puts each Worker's bundle, relative to the
// project folder; the folder is git-ignored. See docs/cloudflare.md.
const BundleConvention = "build/<worker>/index.js"

// MaxBundleBytes is the largest script Cloudflare accepts (10 MiB, the
// compressed limit of the paid plan; uncompressed bundles above it are
// certainly too large).
const MaxBundleBytes = 10 << 20

// readBundles reads the bundle of every Worker. Paths are relative to the
// project folder dir and must stay inside it, so a stack never depends on
// files outside the repository checkout. A missing, unreadable or empty
// bundle is a problem naming the Worker and the path.
func readBundles(r *stackconfig.Reader, dir string) map[string]Bundle {
	paths := map[string]string{}
	if !r.Object("bundles", &paths) {
		r.Problem("bundles", "is missing", "map every Worker ("+workerList+") to its bundle, by convention "+BundleConvention)
		return nil
	}
	var unknown []string
	for w := range paths {
		if !knownWorker(w) {
			unknown = append(unknown, w)
		}
	}
	sort.Strings(unknown)
	for _, w := range unknown {
		r.Problemf("bundles."+w, "use one of "+workerList, "%q is not a Worker of this project", w)
	}
	out := map[string]Bundle{}
	for _, w := range topology.Names() {
		key := "bundles." + w
		p, ok := paths[w]
		if !ok || p == "" {
			r.Problem(key, "is missing", fmt.Sprintf("set the path of Worker %s's bundle, by convention %s", w, strings.ReplaceAll(BundleConvention, "<worker>", w)))
			continue
		}
		b, err := readBundle(dir, p)
		if err != nil {
			r.Problemf(key, bundleFix(w), "Worker %s: bundle %s %v", w, p, err)
			continue
		}
		out[w] = b
	}
	return out
}

func bundleFix(worker string) string {
	return fmt.Sprintf("build the application and copy Worker %s's ES-module bundle to projects/cloudflare-workers/%s (CI does this before `pulumi up`), or point the key at an existing file in the project folder",
		worker, strings.ReplaceAll(BundleConvention, "<worker>", worker))
}

// readBundle reads one bundle, path relative to dir.
func readBundle(dir, path string) (Bundle, error) {
	if filepath.IsAbs(path) {
		return Bundle{}, errors.New("is an absolute path; use a path relative to the project folder")
	}
	clean := filepath.Clean(path)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return Bundle{}, errors.New("is outside the project folder")
	}
	full := filepath.Join(dir, clean)
	fi, err := os.Stat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Bundle{}, fmt.Errorf("does not exist (looked for %s)", full)
	case err != nil:
		return Bundle{}, fmt.Errorf("cannot be read: %w", err)
	case fi.IsDir():
		return Bundle{}, fmt.Errorf("is a folder (%s); point at the bundle's main module file", full)
	case fi.Size() == 0:
		return Bundle{}, fmt.Errorf("is empty (%s)", full)
	case fi.Size() > MaxBundleBytes:
		return Bundle{}, fmt.Errorf("is %d bytes, above the %d-byte script limit", fi.Size(), MaxBundleBytes)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return Bundle{}, fmt.Errorf("cannot be read: %w", err)
	}
	return Bundle{Path: path, MainModule: filepath.Base(clean), Content: string(data)}, nil
}
