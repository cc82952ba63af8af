package cliargs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
)

// FromMagefile reads the targets of the magefile at path the way mage finds
// them: exported functions, and exported methods of mg.Namespace types
// (named namespace:method), all lower case. Plain string parameters are
// required arguments, in order; pointer parameters (*string, *int, *bool)
// are options. A context.Context parameter is mage's, not an argument.
func FromMagefile(path string) ([]Target, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return FromSource(path, src)
}

// FromSource is FromMagefile on the file's content.
func FromSource(name string, src []byte) ([]Target, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		return nil, err
	}
	namespaces := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			if sel, ok := ts.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Namespace" {
				namespaces[ts.Name.Name] = true
			}
		}
	}
	var out []Target
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() {
			continue
		}
		t := Target{Name: strings.ToLower(fn.Name.Name), Kinds: map[string]Kind{}}
		if fn.Recv != nil {
			id, ok := fn.Recv.List[0].Type.(*ast.Ident)
			if !ok || !namespaces[id.Name] {
				continue
			}
			t.Name = strings.ToLower(id.Name) + ":" + t.Name
		}
		for _, p := range fn.Type.Params.List {
			if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Context" {
				continue
			}
			kind, optional, err := paramKind(p.Type)
			if err != nil {
				return nil, fmt.Errorf("%s: target %s: %w", name, t.Name, err)
			}
			for _, n := range p.Names {
				if optional {
					t.Options = append(t.Options, n.Name)
					t.Kinds[n.Name] = kind
				} else {
					t.Required = append(t.Required, n.Name)
				}
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// paramKind returns the kind of a parameter type and whether it is an
// option (a pointer).
func paramKind(e ast.Expr) (Kind, bool, error) {
	optional := false
	if star, ok := e.(*ast.StarExpr); ok {
		optional, e = true, star.X
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return 0, false, fmt.Errorf("unsupported parameter type %T", e)
	}
	switch id.Name {
	case "string":
		return String, optional, nil
	case "int":
		return Int, optional, nil
	case "bool":
		return Bool, optional, nil
	}
	if optional {
		return String, true, nil // mage's other option types: passed on unchecked
	}
	return String, false, nil
}
