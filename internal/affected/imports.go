package affected

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clustera/infra/shared/layout"
)

// imports selects the projects whose Go import graph holds a changed file:
// a Go file of one of its packages, a file such a package embeds, or the
// go.mod or go.sum of a module it uses. A project's own files are selected
// by the folder rule already and are not repeated here.
func (s *selector) imports(ctx context.Context, root string, files []string) error {
	if len(files) == 0 {
		return nil
	}
	t, err := newGoTool(root)
	if err != nil {
		return err
	}
	mods, err := t.modules(ctx)
	if err != nil {
		return err
	}
	var candidates []string
	for _, f := range files {
		m, ok := moduleOf(mods, f)
		if !ok || strings.HasSuffix(f, "_test.go") {
			continue
		}
		// Non-Go files of the root module (docs, CI, environments of other
		// stacks) are never embedded by a project: projects do not import
		// the root module.
		if m.Dir == "" && !strings.HasSuffix(f, ".go") && !isModFile(f) {
			continue
		}
		candidates = append(candidates, f)
	}
	if len(candidates) == 0 {
		return nil
	}
	dirs := map[string]string{}
	for _, p := range s.g.Nodes() {
		dir := layout.ProjectDir(root, p)
		if !fileExists(filepath.Join(dir, "go.mod")) {
			return fmt.Errorf("project %s: %s/go.mod does not exist", p, layout.Rel(root, dir))
		}
		dirs[p] = dir
	}
	deps, err := t.projectDeps(ctx, dirs)
	if err != nil {
		return err
	}

	// why[project][import path or module] lists the changed files.
	type key struct{ project, what string }
	why := map[key][]string{}
	for _, f := range candidates {
		m, _ := moduleOf(mods, f)
		for _, p := range s.g.Nodes() {
			if projectOf(f) == p {
				continue // selected by the folder rule
			}
			switch {
			case isModFile(f) && path.Dir(f) == orDot(m.Dir):
				for _, q := range deps[p] {
					if q.Module == m.Path {
						k := key{p, "uses module " + m.Path}
						why[k] = append(why[k], f)
						break
					}
				}
			case strings.HasSuffix(f, ".go"):
				if ip := importPath(m, path.Dir(f)); ip != "" {
					if _, ok := deps[p][ip]; ok {
						k := key{p, "imports " + ip}
						why[k] = append(why[k], f)
					}
				}
			default:
				if q, ok := embeddedBy(deps[p], f, deleted(root, f)); ok {
					k := key{p, "imports " + q}
					why[k] = append(why[k], f)
				}
			}
		}
	}
	keys := make([]key, 0, len(why))
	for k := range why {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].project != keys[j].project {
			return keys[i].project < keys[j].project
		}
		return keys[i].what < keys[j].what
	})
	for _, k := range keys {
		s.add(k.project, fmt.Sprintf("%s (changed %s)", k.what, strings.Join(why[k], ", ")))
	}
	return nil
}

func isModFile(f string) bool {
	b := path.Base(f)
	return b == "go.mod" || b == "go.sum"
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// moduleOf returns the innermost workspace module holding f. mods are
// sorted deepest first.
func moduleOf(mods []module, f string) (module, bool) {
	for _, m := range mods {
		if m.Dir == "" || strings.HasPrefix(f, m.Dir+"/") {
			return m, true
		}
	}
	return module{}, false
}

// importPath returns the import path of the package in dir (relative to
// the repository root) of module m, or "" when the go command ignores the
// folder (testdata, names starting with . or _).
func importPath(m module, dir string) string {
	rel := dir
	if m.Dir != "" {
		if dir == m.Dir {
			rel = "."
		} else {
			rel = strings.TrimPrefix(dir, m.Dir+"/")
		}
	}
	if rel == "." {
		return m.Path
	}
	for _, part := range strings.Split(rel, "/") {
		if part == "testdata" || strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_") {
			return ""
		}
	}
	return m.Path + "/" + rel
}

// embeddedBy returns the import path of a package of deps that embeds f,
// or, for a deleted file (which go list cannot show), of the innermost
// package whose folder holds it: it may have been embedded. Ties go to the
// smallest import path.
func embeddedBy(deps map[string]pkg, f string, deleted bool) (string, bool) {
	embeds, holder, holderDir := "", "", ""
	for ip, q := range deps {
		for _, e := range q.Embeds {
			if e == f && (embeds == "" || ip < embeds) {
				embeds = ip
			}
		}
		if deleted && q.Dir != "" && strings.HasPrefix(f, q.Dir+"/") &&
			(len(q.Dir) > len(holderDir) || len(q.Dir) == len(holderDir) && ip < holder) {
			holder, holderDir = ip, q.Dir
		}
	}
	if embeds != "" {
		return embeds, true
	}
	return holder, holder != ""
}

// deleted reports whether f no longer exists under root.
func deleted(root, f string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f)))
	return errors.Is(err, fs.ErrNotExist)
}
