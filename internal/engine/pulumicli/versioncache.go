package pulumicli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"

	"github.com/clustera/infra/shared/atomicfile"
)

// versionCacheFile under the repository root remembers the version of each
// CLI binary Find has asked, so a run does not start a CLI only to ask its
// version: that cost about 0.3 CPU-s and up to 0.6 s before the first
// project could start (issue #15). bin/ is git-ignored.
const versionCacheFile = "bin/.pulumi-versions"

// maxCachedVersions bounds the file: one line per CLI binary seen.
const maxCachedVersions = 16

// cachedVersion returns Version(path), from the cache under root when the
// binary's path, size and modification time are those it was asked at.
// A cache it cannot read or write only costs the CLI start.
func cachedVersion(root, path string) (semver.Version, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Version(path)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Version(path) // reports the missing or unreadable binary
	}
	key := fmt.Sprintf("%s\t%d\t%d\t", abs, fi.Size(), fi.ModTime().UnixNano())
	file := filepath.Join(root, versionCacheFile)
	var keep []string
	if data, err := os.ReadFile(file); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, key); ok {
				if sv, err := semver.Parse(v); err == nil {
					return sv, nil
				}
			}
			if line != "" && !strings.HasPrefix(line, abs+"\t") {
				keep = append(keep, line)
			}
		}
	}
	v, err := Version(path)
	if err != nil {
		return v, err
	}
	if len(keep) >= maxCachedVersions {
		keep = keep[len(keep)-maxCachedVersions+1:]
	}
	keep = append(keep, key+v.String())
	// Runs at the same time read either version whole. An error is ignored
	// (no bin/ yet, say): the cache is an optimisation.
	_ = atomicfile.Write(file, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
	return v, nil
}
