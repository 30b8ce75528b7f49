package interp

import (
	"fmt"
	"path/filepath"

	"go.starlark.net/starlark"
)

// Path resolves a path a script names (a recipe folder, a fixture, an env
// file) as load() resolves a module: relative to the folder of the file
// whose code makes the call, so a scenario runs the same from any working
// directory. An absolute path stays as it is; in the REPL a relative path
// is relative to the working directory. The result is relative to the
// working directory when the scenario's path was.
func Path(thread *starlark.Thread, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(callerDir(thread), p)
}

// PathHint says where a relative path a script named was looked for, for
// an error about it: "" for an absolute one.
func PathHint(thread *starlark.Thread, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return ""
	}
	from := callerFile(thread)
	if from == SessionFile || from == "" {
		return fmt.Sprintf(" (looked for %s, relative to the working directory)", Path(thread, p))
	}
	return fmt.Sprintf(" (looked for %s, relative to %s)", Path(thread, p), from)
}

// callerFile is the file of the innermost Starlark frame of thread.
func callerFile(thread *starlark.Thread) string {
	for i := 0; i < thread.CallStackDepth(); i++ {
		if name := thread.CallFrame(i).Pos.Filename(); name != "<builtin>" && name != "" {
			return name
		}
	}
	return ""
}

// callerDir is the folder relative paths of the running code start from.
func callerDir(thread *starlark.Thread) string {
	from := callerFile(thread)
	if from == SessionFile || from == "" {
		return "."
	}
	return filepath.Dir(from)
}
