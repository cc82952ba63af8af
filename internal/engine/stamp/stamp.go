// Package stamp skips a `go build` whose inputs did not change since it last
// succeeded. Even a build with nothing to do costs a `go` process that
// checks its toolchain and hashes every source file (1–2 s of CPU here);
// on a no-op run that is most of the orchestrator's own work. A stamp is
// the hash of the path, size and modification time of every file under the
// source folders that a Go build reads, of the Go version and of GOFLAGS,
// stored next to the binary. Anything else changed (a file edited, added or
// removed, a go.mod, a toolchain) and `go build` runs as usual.
package stamp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// skipDirs are never inputs of a build.
var skipDirs = map[string]bool{".git": true, ".state": true, "bin": true, "node_modules": true, "testdata": true}

// SourceDirs and RootFiles are what the builds of this repository read:
// every module's sources under these folders, and the workspace files.
var (
	SourceDirs = []string{"projects", "shared", "policies"}
	RootFiles  = []string{"go.work", "go.work.sum"}
)

// Of returns the stamp of the files under root's dirs (relative folders)
// and the root files named in files, and of env (extra key=value inputs).
func Of(root string, dirs, files []string, env ...string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "go %s %s/%s\nGOFLAGS=%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, os.Getenv("GOFLAGS"))
	for _, e := range env {
		fmt.Fprintln(h, e)
	}
	var lines []string
	add := func(path string, info fs.FileInfo) {
		rel, _ := filepath.Rel(root, path)
		lines = append(lines, fmt.Sprintf("%s %d %d", rel, info.Size(), info.ModTime().UnixNano()))
	}
	for _, f := range files {
		if info, err := os.Stat(filepath.Join(root, f)); err == nil {
			add(filepath.Join(root, f), info)
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(root, d)); os.IsNotExist(err) {
			fmt.Fprintln(h, "absent", d)
			continue
		}
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if skipDirs[e.Name()] {
					return filepath.SkipDir
				}
				return nil
			}
			if !input(e.Name()) {
				return nil
			}
			info, err := e.Info()
			if err != nil {
				return err
			}
			add(path, info)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(h, l)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// input reports whether a file can change a build: Go sources (not
// tests), module files, and embeddable data.
func input(name string) bool {
	switch {
	case strings.HasSuffix(name, "_test.go"):
		return false
	case strings.HasSuffix(name, ".go"), name == "go.mod", name == "go.sum":
		return true
	case strings.HasSuffix(name, ".md"), strings.HasPrefix(name, "Pulumi."):
		return false // never compiled in
	}
	return true // a //go:embed may read any other file
}

// Fresh reports whether bin exists and was built from inputs with stamp s.
func Fresh(bin, s string) bool {
	if _, err := os.Stat(bin); err != nil {
		return false
	}
	got, err := os.ReadFile(bin + ".stamp")
	return err == nil && strings.TrimSpace(string(got)) == s
}

// Save records that bin was built from inputs with stamp s.
func Save(bin, s string) error { return os.WriteFile(bin+".stamp", []byte(s+"\n"), 0o644) }

// Clear forgets bin's stamp (its build failed, or it was removed).
func Clear(bin string) { _ = os.Remove(bin + ".stamp") }
