package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/clustera/infra/internal/engine/stamp"
	"github.com/clustera/infra/internal/gobuild"
	"github.com/clustera/infra/shared/layout"
)

// BinDir returns the folder of the projects' binaries under root.
func BinDir(root string) string { return filepath.Join(root, "bin", "projects") }

// BuildError is a project that does not compile.
type BuildError struct {
	Project string
	// First is the first compiler message, file:line:col: message.
	First  string
	Output string
}

func (e *BuildError) Error() string {
	if e.First != "" {
		return "does not compile: " + e.First
	}
	return "does not compile: " + lastLine(e.Output)
}

var compilerMessage = regexp.MustCompile(`(?m)^(\S+\.go:\d+(?::\d+)?: .+)$`)

// Build compiles the named projects, each from its own main.go, into
// BinDir(root)/<name>. The Cloudflare SDK compiles first, alone and with
// low-memory settings (internal/gobuild). Then one `go build` builds them
// all, so shared packages compile once and never twice at the same time; when it
// fails, each project is built alone to find which ones do not compile.
// The result maps each project to its binary, or to a *BuildError whose
// compiler output is also written to logOf(project). Progress notices go
// to w.
func Build(ctx context.Context, root string, names []string, logOf func(string) string, w io.Writer) (map[string]string, map[string]error) {
	bins, errs := map[string]string{}, map[string]error{}
	if len(names) == 0 {
		return bins, errs
	}
	dir := BinDir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		for _, n := range names {
			errs[n] = err
		}
		return bins, errs
	}
	// Skip the go command when no input changed since the last build.
	st, stErr := stamp.Of(root, stamp.SourceDirs, stamp.RootFiles, "ldflags="+ldflags)
	var stale []string
	for _, n := range names {
		if stErr != nil || !stamp.Fresh(filepath.Join(dir, n), st) {
			stale = append(stale, n)
		} else {
			bins[n] = filepath.Join(dir, n)
		}
	}
	if len(stale) == 0 {
		return bins, errs
	}
	names = stale
	saved := func(n string) {
		if stErr == nil {
			_ = stamp.Save(filepath.Join(dir, n), st)
		}
	}
	fresh := false
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			fresh = true
		}
	}
	if fresh {
		fmt.Fprintf(w, "build: compiling %s into %s (a first build compiles the cloud SDKs: minutes)\n",
			strings.Join(names, ", "), layout.Rel(root, dir))
	}
	start := time.Now()
	names = compileSDKFirst(ctx, root, names, errs, w)
	if len(names) == 0 {
		return bins, errs
	}
	if out, err := goBuild(ctx, root, dir+string(os.PathSeparator), names...); err == nil {
		for _, n := range names {
			bins[n] = filepath.Join(dir, n)
			saved(n)
		}
		if fresh {
			fmt.Fprintf(w, "build: done in %s\n", time.Since(start).Round(100*time.Millisecond))
		}
		return bins, errs
	} else if ctx.Err() != nil {
		for _, n := range names {
			errs[n] = fmt.Errorf("build interrupted: %w", ctx.Err())
		}
		return bins, errs
	} else if len(names) == 1 {
		errs[names[0]] = buildError(root, names[0], out, logOf)
		_ = os.Remove(filepath.Join(dir, names[0]))
		stamp.Clear(filepath.Join(dir, names[0]))
		return bins, errs
	}
	for _, n := range names {
		bin := filepath.Join(dir, n)
		out, err := goBuild(ctx, root, bin, n)
		if err != nil {
			errs[n] = buildError(root, n, out, logOf)
			// Never run a binary left over from an older, compiling state.
			_ = os.Remove(bin)
			stamp.Clear(bin)
			continue
		}
		bins[n] = bin
		saved(n)
	}
	return bins, errs
}

// compileSDKFirst compiles the Cloudflare SDK alone, with the low-memory
// settings of internal/gobuild, when one of the projects links it; the
// build that follows then finds it in the cache. A build cache emptied by
// hand (go clean -cache) since the last compile goes unnoticed: the next
// build then compiles the SDK with Go's defaults. Should that compile fail,
// the projects that link the SDK fail with its error and the others build.
func compileSDKFirst(ctx context.Context, root string, names []string, errs map[string]error, w io.Writer) []string {
	var linking, rest []string
	for _, n := range names {
		if sdk, err := gobuild.LinksSDK(layout.ProjectDir(root, n)); err == nil && sdk {
			linking = append(linking, n)
		} else {
			rest = append(rest, n)
		}
	}
	if len(linking) == 0 {
		return names
	}
	// Skip even the cache-hit `go build` (half a second on every edit
	// loop) while the modules that pin the SDK are those it last compiled
	// for, into this build cache.
	var mods []string
	for _, n := range linking {
		dir := layout.Rel(root, layout.ProjectDir(root, n))
		mods = append(mods, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.sum"))
	}
	marker := filepath.Join(BinDir(root), ".cloudflare-sdk")
	st, stErr := stamp.Of(root, nil, append(mods, stamp.RootFiles...), "GOCACHE="+os.Getenv("GOCACHE"), gobuild.Package)
	if stErr == nil && stamp.Fresh(marker, st) {
		return names
	}
	if err := gobuild.CompileSDK(ctx, root, w); err != nil {
		for _, n := range linking {
			errs[n] = err
		}
		return rest
	}
	if stErr == nil && os.WriteFile(marker, nil, 0o644) == nil {
		_ = stamp.Save(marker, st)
	}
	return names
}

func buildError(root, project string, out []byte, logOf func(string) string) error {
	e := &BuildError{Project: project, Output: string(out)}
	if m := compilerMessage.FindSubmatch(out); m != nil {
		e.First = string(m[1])
	}
	if logOf != nil {
		_ = os.WriteFile(logOf(project), append([]byte("go build ./"+layout.Rel(root, layout.ProjectDir(root, project))+"\n"), out...), 0o644)
	}
	return e
}

// ldflags strip the symbol table and DWARF.
const ldflags = "-s -w"

// goBuild runs go build -o out for the projects' main packages. Stripping
// the symbol table and DWARF halves the link time of the Cloudflare
// projects; panics still name functions, files and lines.
func goBuild(ctx context.Context, root, out string, names ...string) ([]byte, error) {
	args := []string{"build", "-ldflags=" + ldflags, "-o", out}
	for _, n := range names {
		args = append(args, "./"+layout.Rel(root, layout.ProjectDir(root, n)))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.Bytes(), err
}
