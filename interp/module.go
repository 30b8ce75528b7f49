package interp

import (
	"context"
	"errors"

	"go.starlark.net/starlark"
)

// Module is a scenario whose module code has run once and whose cases can
// then run many times, each with its own per-case state: what `chaosrun
// explore` does under many seeds. A Module is used by one goroutine.
type Module struct {
	r     *Run
	file  string
	prog  *starlark.Program
	tests []*starlark.Function
	// Load is the result of running the module code.
	Load CaseResult
}

// LoadModule compiles path and runs its module code. When the file has no
// test_* function its single case is the module code itself: nothing runs
// now, and RunCase runs the whole compiled file.
func LoadModule(ctx context.Context, path string, opts Options) (*Module, error) {
	r, prog, tests, err := prepare(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	m := &Module{r: r, file: path, prog: prog, Load: CaseResult{Name: LoadCase, Transcript: NewTranscript(nil)}}
	if !tests {
		return m, nil
	}
	setup, err := r.startCase(LoadCase, path)
	if err != nil {
		return nil, err
	}
	r.setup = setup
	var globals starlark.StringDict
	m.Load = r.runCase(setup, func(t *starlark.Thread) error {
		var err error
		globals, err = prog.Init(t, r.predeclared())
		globals.Freeze()
		return err
	}, false)
	m.tests = testFunctions(globals)
	if m.Load.Err != nil {
		m.Load.Err = errors.Join(m.Load.Err, setup.runCleanups())
	}
	return m, nil
}

// Cases names the module's cases, in file order.
func (m *Module) Cases() []string {
	if len(m.tests) == 0 {
		return []string{FileCaseName(m.file)}
	}
	names := make([]string, len(m.tests))
	for i, fn := range m.tests {
		names[i] = fn.Name()
	}
	return names
}

// RunCase runs one case with startCase preparing its state.
func (m *Module) RunCase(ctx context.Context, name string, startCase func(*Case) error) CaseResult {
	opts := m.r.opts
	opts.StartCase = startCase
	if len(m.tests) == 0 {
		// What RunFile does, without compiling the file again: a fresh Run,
		// so the file's loads start from an empty cache.
		res := &FileResult{File: m.file}
		newRun(ctx, opts, m.r.root).run(m.prog, res)
		if res.Err != nil {
			return CaseResult{Name: name, Err: res.Err, Transcript: NewTranscript(nil)}
		}
		return res.Cases[0]
	}
	m.r.ctx, m.r.opts.StartCase = ctx, startCase
	for _, fn := range m.tests {
		if fn.Name() != name {
			continue
		}
		c, err := m.r.startCase(name, m.file)
		if err != nil {
			return CaseResult{Name: name, Err: err, Transcript: NewTranscript(nil)}
		}
		return m.r.runCase(c, func(t *starlark.Thread) error {
			_, err := starlark.Call(t, fn, nil, nil)
			return err
		}, true)
	}
	return CaseResult{Name: name, Err: &ScriptError{Msg: m.file + ": no case named " + name}, Transcript: NewTranscript(nil)}
}

// Close runs the cleanups the module code registered.
func (m *Module) Close() error {
	if m.r.setup == nil {
		return nil
	}
	return m.r.setup.runCleanups()
}
