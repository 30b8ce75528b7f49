package interp

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
)

// load implements Starlark's load(): relative to the loading file, cached
// per run, confined to the run's root folder.
func (r *Run) load(thread *starlark.Thread, name string) (starlark.StringDict, error) {
	from := thread.CallFrame(0).Pos.Filename()
	display := filepath.Join(filepath.Dir(from), name)
	abs, err := filepath.Abs(display)
	if err != nil {
		return nil, err
	}
	if outside(r.root, abs) {
		return nil, fmt.Errorf("load %q: outside the scenario root %s", name, r.rootDisplay())
	}
	if m, ok := r.modules[abs]; ok {
		if m.loading {
			return nil, fmt.Errorf("load %q: import cycle", name)
		}
		return m.globals, m.err
	}
	m := &module{loading: true}
	r.modules[abs] = m
	_, prog, err := compile(display, r.opts.Predeclared)
	if err == nil {
		m.globals, err = prog.Init(thread, r.predeclared())
		m.globals.Freeze()
	}
	m.loading, m.err = false, err
	return m.globals, err
}

// outside reports whether the absolute path abs lies outside the folder
// root: the confinement of load() and of Check.
func outside(root, abs string) bool {
	rel, err := filepath.Rel(root, abs)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// rootDisplay names the root folder relative to the working directory when
// possible, so messages carry no absolute temp paths.
func (r *Run) rootDisplay() string {
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, r.root); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return r.root
}
