package interp

import (
	"slices"
	"strings"

	"go.starlark.net/syntax"
)

// CaseNames names a scenario's cases as its source declares them, without
// running anything: the test_* functions it defines at top level, in file
// order, or the file's own name (FileCaseName) for a file with none.
func CaseNames(path string) ([]string, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, &ScriptError{Msg: readError(path, err)}
	}
	f, err := fileOptions().Parse(path, src, 0)
	if err != nil {
		return nil, &ScriptError{Msg: err.Error()}
	}
	if names := testDefs(f); len(names) > 0 {
		return names, nil
	}
	return []string{FileCaseName(path)}, nil
}

// testDefs names the test_* functions a file defines at top level, the
// only way a case function comes to be (see testFunctions).
func testDefs(f *syntax.File) []string {
	var names []string
	for _, stmt := range f.Stmts {
		if def, ok := stmt.(*syntax.DefStmt); ok && strings.HasPrefix(def.Name.Name, "test_") && !slices.Contains(names, def.Name.Name) {
			names = append(names, def.Name.Name)
		}
	}
	return names
}
