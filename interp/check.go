package interp

import (
	"fmt"
	"os"
	"path/filepath"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/coop-cloud/chaosrun/cut"
)

// Check parses and resolves a scenario and every module it loads, without
// running anything: syntax errors, unknown names, loads that leave the root
// or name a missing file or symbol. It returns the problems found, the
// first cut.MaxErrors of them and then one that counts the rest.
func Check(path string, predeclared starlark.StringDict, root string) []error {
	if root == "" {
		root = filepath.Dir(path)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return []error{err}
	}
	ck := &checker{predeclared: predeclared, root: absRoot, seen: map[string]map[string]bool{}}
	ck.file(path, path)
	if more := len(ck.errs) - cut.MaxErrors; more > 0 {
		ck.errs = append(ck.errs[:cut.MaxErrors], &ScriptError{Msg: cut.More(more)})
	}
	return ck.errs
}

type checker struct {
	predeclared starlark.StringDict
	root        string
	seen        map[string]map[string]bool // abs path → its global names
	errs        []error
}

// file checks one file, shown as path and read from real, and returns the
// names it defines at top level.
func (ck *checker) file(path, real string) map[string]bool {
	abs, _ := filepath.Abs(real)
	if names, ok := ck.seen[abs]; ok {
		return names
	}
	ck.seen[abs] = map[string]bool{}
	f, _, err := compile(path, real, ck.predeclared)
	if err != nil {
		ck.errs = append(ck.errs, err)
		return nil
	}
	names := globalNames(f)
	ck.seen[abs] = names
	for _, stmt := range f.Stmts {
		if load, ok := stmt.(*syntax.LoadStmt); ok {
			ck.load(path, load)
		}
	}
	return names
}

// load checks one load statement of the file at from.
func (ck *checker) load(from string, load *syntax.LoadStmt) {
	module := load.ModuleName()
	target := filepath.Join(filepath.Dir(from), module)
	pos := load.Module.TokenPos
	real, err := confined(ck.root, module, target)
	if err != nil {
		ck.errs = append(ck.errs, &ScriptError{Msg: fmt.Sprintf("%s: load %s: %s", pos, cut.Quote(module), cut.Text(err.Error()))})
		return
	}
	if _, err := os.Stat(real); err != nil {
		ck.errs = append(ck.errs, &ScriptError{Msg: fmt.Sprintf("%s: load %s: no such file", pos, cut.Quote(module))})
		return
	}
	names := ck.file(target, real)
	if names == nil {
		return
	}
	for _, from := range load.From {
		if !names[from.Name] {
			ck.errs = append(ck.errs, &ScriptError{Msg: fmt.Sprintf("%s: load %s: module defines no %s", from.NamePos, cut.Quote(module), cut.Raw(from.Name))})
		}
	}
}

// globalNames returns the names a file binds at top level.
func globalNames(f *syntax.File) map[string]bool {
	names := map[string]bool{}
	var bind func(e syntax.Expr)
	bind = func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.Ident:
			names[e.Name] = true
		case *syntax.TupleExpr:
			for _, x := range e.List {
				bind(x)
			}
		case *syntax.ListExpr:
			for _, x := range e.List {
				bind(x)
			}
		case *syntax.ParenExpr:
			bind(e.X)
		}
	}
	for _, stmt := range f.Stmts {
		switch s := stmt.(type) {
		case *syntax.DefStmt:
			names[s.Name.Name] = true
		case *syntax.AssignStmt:
			bind(s.LHS)
		case *syntax.LoadStmt:
			for _, to := range s.To {
				names[to.Name] = true
			}
		}
	}
	return names
}
