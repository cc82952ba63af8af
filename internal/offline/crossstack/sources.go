package crossstack

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clustera/infra/shared/layout"
)

// pulumiPkg is the import path of the Pulumi Go SDK's core package.
const pulumiPkg = "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// stackReferenceToken is the type token of a StackReference, which a
// program could register by hand with ctx.RegisterResource or ReadResource.
const stackReferenceToken = "pulumi:pulumi:StackReference"

// readMethods are the methods of pulumi.StackReference that read outputs.
var readMethods = map[string]bool{
	"GetOutput": true, "GetStringOutput": true, "GetIntOutput": true, "GetFloat64Output": true,
	"GetBoolOutput": true, "GetStringArrayOutput": true, "GetStringMapOutput": true,
	"GetIDOutput": true, "GetOutputDetails": true,
}

// ScanSources scans the Go sources of the Pulumi programs (projects/) and
// of the shared module they build on (shared/), except tests,
// shared/contracts (the one reader) and shared/mocktest (the test double
// that answers StackReferences under mocks), for
// direct use of StackReferences: the pulumi package's StackReference API
// (NewStackReference, StackReference, StackReferenceArgs, ...), calls of
// its read methods (GetOutput, GetStringOutput, ...) and the raw type
// token. Every use is a finding: reads go through contracts.Read, which
// checks the upstream is declared and reads only keys of its contract.
func ScanSources(root string) ([]Finding, error) {
	var out []Finding
	skip := map[string]bool{
		filepath.Join(root, "shared", "contracts"): true,
		filepath.Join(root, "shared", "mocktest"):  true,
	}
	for _, top := range []string{"projects", "shared"} {
		dir := filepath.Join(root, top)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if skip[path] || (path != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			found, err := ScanFile(path, layout.Rel(root, path))
			if err != nil {
				return err
			}
			out = append(out, found...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scanning %s for StackReferences: %w", top, err)
		}
	}
	return out, nil
}

// ScanFile scans one Go source file; display is its path in findings
// (relative to the repository root, e.g. projects/dns/program/program.go).
func ScanFile(path, display string) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", display, err)
	}
	return scanAST(fset, f, display), nil
}

// ScanSource scans Go source text; tests use it.
func ScanSource(display, src string) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, display, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", display, err)
	}
	return scanAST(fset, f, display), nil
}

func scanAST(fset *token.FileSet, f *ast.File, display string) []Finding {
	// The names the file imports the pulumi package under.
	names := map[string]bool{}
	dot := false
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil || p != pulumiPkg {
			continue
		}
		switch {
		case imp.Name == nil:
			names["pulumi"] = true
		case imp.Name.Name == ".":
			dot = true
		case imp.Name.Name != "_":
			names[imp.Name.Name] = true
		}
	}
	project := projectOf(display)
	var fs []Finding
	add := func(pos token.Pos, what string) {
		p := fset.Position(pos)
		fs = append(fs, Finding{Check: DirectStackReference, Project: project,
			Subject: fmt.Sprintf("%s:%d:%d", display, p.Line, p.Column),
			Problem: what + ": programs must not use StackReferences directly",
			Fix:     "read upstream outputs with contracts.Read[contracts.<Upstream>](ctx, org), which checks the upstream is declared and reads only keys of its contract"})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && names[id.Name] && strings.Contains(x.Sel.Name, "StackReference") {
				add(x.Pos(), fmt.Sprintf("it uses %s.%s", id.Name, x.Sel.Name))
			}
		case *ast.Ident:
			if dot && strings.Contains(x.Name, "StackReference") {
				add(x.Pos(), fmt.Sprintf("it uses %s (dot-imported from the pulumi package)", x.Name))
			}
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && readMethods[sel.Sel.Name] {
				if id, ok := sel.X.(*ast.Ident); !ok || !names[id.Name] {
					add(sel.Sel.Pos(), fmt.Sprintf("it calls %s, a StackReference read", sel.Sel.Name))
				}
			}
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				if s, err := strconv.Unquote(x.Value); err == nil && s == stackReferenceToken {
					add(x.Pos(), "it names the StackReference type token")
				}
			}
		}
		return true
	})
	return fs
}

// projectOf returns the project of a path projects/<p>/..., or the module
// ("shared") of other paths.
func projectOf(display string) string {
	parts := strings.Split(filepath.ToSlash(display), "/")
	if len(parts) > 2 && parts[0] == "projects" {
		return parts[1]
	}
	return parts[0]
}
