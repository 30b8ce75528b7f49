package interp

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/internal/confine"
)

// load implements Starlark's load(): relative to the loading file, cached
// per run, confined to the run's root folder.
func (r *Run) load(thread *starlark.Thread, name string) (starlark.StringDict, error) {
	from := thread.CallFrame(0).Pos.Filename()
	display := filepath.Join(filepath.Dir(from), name)
	real, err := confined(r.root, name, display)
	if err != nil {
		return nil, fmt.Errorf("load %q: %v", name, err)
	}
	if m, ok := r.modules[real]; ok {
		if m.loading {
			return nil, fmt.Errorf("load %q: import cycle", name)
		}
		return m.globals, m.err
	}
	m := &module{loading: true}
	r.modules[real] = m
	_, prog, err := compile(display, real, r.opts.Predeclared)
	if err == nil {
		m.globals, err = prog.Init(thread, r.predeclared())
		m.globals.Freeze()
	}
	m.loading, m.err = false, err
	return m.globals, err
}

// confined returns the real path of the module that load(name) names,
// display (name joined to the loading file's folder), or why it is
// refused: name is absolute, or display leaves the absolute folder root,
// by its path or through a symlink (README, Limits). It is the
// confinement of load() and of Check.
func confined(root, name, display string) (string, error) {
	if filepath.IsAbs(name) {
		return "", fmt.Errorf("absolute path %s refused: load paths are relative to the loading file, inside the scenario root %s", name, rootDisplay(root))
	}
	abs, err := filepath.Abs(display)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", err
	}
	real, err := confine.Within(root, rel, "")
	if e := (*confine.Error)(nil); errors.As(err, &e) {
		e.Folder = "the scenario root " + rootDisplay(root)
		if e.Kind == confine.Leaves {
			return "", fmt.Errorf("outside %s", e.Folder)
		}
		return "", errors.New(e.Reason())
	}
	return real, err
}

// rootDisplay names the root folder relative to the working directory when
// possible, so messages carry no absolute temp paths.
func rootDisplay(root string) string {
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, root); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return root
}
