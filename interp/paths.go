package interp

import (
	"fmt"
	"path/filepath"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/cut"
)

// Path resolves a path a script names (a recipe folder, a fixture, an env
// file): relative to the folder of the scenario being run, whichever of
// its loaded modules names it, so a scenario runs the same from any
// working directory and a path can be passed from file to file. An
// absolute path stays as it is; in the REPL a relative path is relative to
// the working directory. The result is relative to the working directory
// when the scenario's path was.
func Path(thread *starlark.Thread, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(scenarioDir(thread), p)
}

// PathHint says where a relative path a script named was looked for, for
// an error about it: "" for an absolute one.
func PathHint(thread *starlark.Thread, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return ""
	}
	if file := CaseOf(thread).File; file != SessionFile {
		return fmt.Sprintf(" (looked for %s, relative to the folder of %s)", cut.Raw(Path(thread, p)), file)
	}
	return fmt.Sprintf(" (looked for %s, relative to the working directory)", cut.Raw(Path(thread, p)))
}

// scenarioDir is the folder relative paths of the running scenario start
// from.
func scenarioDir(thread *starlark.Thread) string {
	if file := CaseOf(thread).File; file != SessionFile && file != "" {
		return filepath.Dir(file)
	}
	return "."
}
