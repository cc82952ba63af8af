package affected

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
)

// module is one module of the Go workspace.
type module struct {
	Path string // module path
	Dir  string // folder relative to the repository root, slash-separated; "" for the root module
}

// pkg is one non-standard package in a project's import graph.
type pkg struct {
	ImportPath string
	Module     string   // module path; "" when unknown (a package that failed to load)
	Dir        string   // relative to the repository root, slash-separated; "" outside it
	Embeds     []string // embedded files relative to the repository root
}

// goTool runs the go command in the repository's workspace.
type goTool struct {
	root     string // repository root, absolute
	realRoot string // root with symlinks resolved
	env      []string
}

func newGoTool(root string) (*goTool, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	// Pin the workspace of the repository, whatever GOWORK the caller has.
	if work := filepath.Join(abs, "go.work"); fileExists(work) {
		env = append(env, "GOWORK="+work)
	}
	return &goTool{root: abs, realRoot: real, env: env}, nil
}

// run runs `go args...` in dir and returns its standard output.
func (t *goTool) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = t.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s in %s: %w: %s", strings.Join(args, " "), t.rel(dir), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// rel returns path relative to the repository root, slash-separated, or ""
// when it is outside the root.
func (t *goTool) rel(path string) string {
	for _, base := range []string{t.root, t.realRoot} {
		if r, err := filepath.Rel(base, path); err == nil && r != ".." && !strings.HasPrefix(r, "../") && !filepath.IsAbs(r) {
			if r == "." {
				return ""
			}
			return filepath.ToSlash(r)
		}
	}
	return ""
}

// inRoot reports whether path is the root or inside it.
func (t *goTool) inRoot(path string) bool {
	for _, base := range []string{t.root, t.realRoot} {
		if r, err := filepath.Rel(base, path); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
			return true
		}
	}
	return false
}

// modules lists the modules of the workspace.
func (t *goTool) modules(ctx context.Context) ([]module, error) {
	out, err := t.run(ctx, t.root, "list", "-m", "-json")
	if err != nil {
		return nil, fmt.Errorf("workspace modules: %w", err)
	}
	var mods []module
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct{ Path, Dir string }
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("workspace modules: decoding go list output: %w", err)
		}
		if m.Dir != "" && t.inRoot(m.Dir) {
			mods = append(mods, module{Path: m.Path, Dir: t.rel(m.Dir)})
		}
	}
	// Deepest folders first, so the first match is the innermost module.
	sort.Slice(mods, func(i, j int) bool { return len(mods[i].Dir) > len(mods[j].Dir) })
	return mods, nil
}

// deps lists the non-standard packages of the import graph of every package
// in dir's module (`go list -deps ./...`), keyed by import path. Packages
// that fail to load (a deleted package, a syntax error) are still listed
// with their import path.
func (t *goTool) deps(ctx context.Context, dir string) (map[string]pkg, error) {
	out, err := t.run(ctx, dir, "list", "-e", "-deps", "-json=ImportPath,Dir,Module,EmbedFiles,Standard", "./...")
	if err != nil {
		return nil, err
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Dir        string
			Standard   bool
			EmbedFiles []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output in %s: %w", t.rel(dir), err)
		}
		if p.Standard {
			continue
		}
		q := pkg{ImportPath: p.ImportPath}
		if p.Module != nil {
			q.Module = p.Module.Path
		}
		if p.Dir != "" && t.inRoot(p.Dir) {
			q.Dir = t.rel(p.Dir)
			for _, e := range p.EmbedFiles {
				q.Embeds = append(q.Embeds, t.rel(filepath.Join(p.Dir, filepath.FromSlash(e))))
			}
		}
		pkgs[q.ImportPath] = q
	}
	return pkgs, nil
}

// projectDeps runs deps for every project concurrently.
func (t *goTool) projectDeps(ctx context.Context, dirs map[string]string) (map[string]map[string]pkg, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(2, runtime.NumCPU()))
	names := make([]string, 0, len(dirs))
	for name := range dirs {
		names = append(names, name)
	}
	sort.Strings(names)
	results := make([]map[string]pkg, len(names))
	for i, name := range names {
		g.Go(func() error {
			d, err := t.deps(ctx, dirs[name])
			if err != nil {
				return fmt.Errorf("import graph of project %s: %w", name, err)
			}
			results[i] = d
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]pkg, len(names))
	for i, name := range names {
		out[name] = results[i]
	}
	return out, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
