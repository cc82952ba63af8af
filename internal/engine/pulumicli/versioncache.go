package pulumicli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
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
	writeAtomically(file, []byte(strings.Join(keep, "\n")+"\n"))
	return v, nil
}

// writeAtomically replaces file with data through a temporary file, so
// runs at the same time read either version whole. Errors are ignored: the
// cache is an optimisation.
func writeAtomically(file string, data []byte) {
	if _, err := os.Stat(filepath.Dir(file)); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".pulumi-versions-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		_ = os.Remove(tmp.Name())
	}
}
