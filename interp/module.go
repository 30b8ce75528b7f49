package interp

import (
	"context"
	"errors"
	"fmt"

	"go.starlark.net/starlark"
)

// Module is a compiled scenario whose cases can run many times, each with
// its own per-case state. It is the one path every command takes: RunFile
// runs each selected case once, `chaosrun explore` runs them under many
// seeds. A Module is used by one goroutine.
//
// A file with test_* functions runs its module code once, at LoadModule,
// in the (load) pseudo-case; every case then starts from the state that
// code left (see Shared) and calls its function. A file without is a
// single case that runs the whole file, from scratch each time.
type Module struct {
	r        *Run
	file     string
	prog     *starlark.Program
	globals  starlark.StringDict
	restores []func() error
	// ran is set once a case has run, so the next one restores first.
	ran bool
	// Load is the result of running the module code.
	Load CaseResult
}

// Shared is state a builtin made while module code ran, which every case
// can reach through the module's globals: a git checkout, say. Globals
// themselves are frozen, but such a value changes what it stands for, so
// the module snapshots each one when its code has finished and puts it
// back before every case: a case's outcome does not depend on the cases
// that ran before it (docs/scripts.md).
type Shared interface {
	// Snapshot records the state and returns what puts it back.
	Snapshot() (restore func() error, err error)
}

// Share registers s as shared by the cases, when c is the (load)
// pseudo-case; state made by a case itself ends with it and is ignored.
func (c *Case) Share(s Shared) {
	if !c.load {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shared = append(c.shared, s)
}

// LoadModule compiles path and, when it defines test_* functions, runs its
// module code.
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
	setup.load = true
	r.setup = setup
	m.Load = r.runCase(setup, func(t *starlark.Thread) error {
		var err error
		m.globals, err = prog.Init(t, r.predeclared())
		m.globals.Freeze()
		return err
	}, false)
	if m.Load.Err == nil {
		m.Load.Err = m.snapshot(setup)
	}
	if m.Load.Err != nil {
		m.Load.Err = errors.Join(m.Load.Err, setup.runCleanups())
	}
	return m, nil
}

// snapshot records the state of what the module code shared.
func (m *Module) snapshot(setup *Case) error {
	for _, s := range setup.shared {
		restore, err := s.Snapshot()
		if err != nil {
			return fmt.Errorf("recording the state module code left: %w", err)
		}
		m.restores = append(m.restores, restore)
	}
	return nil
}

// Cases names the module's cases, in file order.
func (m *Module) Cases() []string {
	if len(m.r.declared) == 0 {
		return []string{FileCaseName(m.file)}
	}
	return m.r.declared
}

// RunCase runs one case with startCase preparing its state.
func (m *Module) RunCase(ctx context.Context, name string, startCase func(*Case) error) CaseResult {
	cr, err := m.runCase(ctx, name, startCase)
	if err != nil {
		return CaseResult{Name: name, Err: err, Transcript: NewTranscript(nil)}
	}
	return cr
}

// runCase is RunCase, with a failure to start the case returned apart.
func (m *Module) runCase(ctx context.Context, name string, startCase func(*Case) error) (CaseResult, error) {
	if len(m.r.declared) == 0 {
		// The whole file is the case: a fresh Run, so that its loads
		// start from an empty cache and its cleanups are the case's.
		opts := m.r.opts
		opts.StartCase = startCase
		r := newRun(ctx, opts, m.r.root)
		c, err := r.startCase(name, m.file)
		if err != nil {
			return CaseResult{}, err
		}
		r.setup = c
		return r.runCase(c, func(t *starlark.Thread) error {
			_, err := m.prog.Init(t, r.predeclared())
			return err
		}, true), nil
	}
	m.r.ctx, m.r.opts.StartCase = ctx, startCase
	fn, err := m.caseFunction(name)
	if err != nil {
		return CaseResult{}, err
	}
	if m.ran {
		for _, restore := range m.restores {
			if err := restore(); err != nil {
				return CaseResult{}, fmt.Errorf("%s: restoring the state module code left: %w", name, err)
			}
		}
	}
	m.ran = true
	c, err := m.r.startCase(name, m.file)
	if err != nil {
		return CaseResult{}, err
	}
	return m.r.runCase(c, func(t *starlark.Thread) error {
		_, err := starlark.Call(t, fn, nil, nil)
		return err
	}, true), nil
}

// caseFunction is the test function called name.
func (m *Module) caseFunction(name string) (*starlark.Function, error) {
	v, ok := m.globals[name]
	if !ok {
		return nil, &ScriptError{Msg: m.file + ": no case named " + name}
	}
	fn, ok := v.(*starlark.Function)
	if !ok {
		return nil, &ScriptError{Msg: fmt.Sprintf("%s: case %s is a %s at the end of the module code, not a function", m.file, name, v.Type())}
	}
	return fn, nil
}

// Close runs the cleanups the module code registered.
func (m *Module) Close() error {
	if m.r.setup == nil {
		return nil
	}
	return m.r.setup.runCleanups()
}

// runAll runs the selected cases once, in file order, into res: what
// RunFile does.
func (m *Module) runAll(ctx context.Context, res *FileResult) {
	r := m.r
	if len(r.declared) == 0 {
		cr, err := m.runCase(ctx, FileCaseName(m.file), r.opts.StartCase)
		if err != nil {
			res.Err = err
			return
		}
		r.done(res, cr)
		res.Interrupted = cr.Interrupted
		return
	}
	if m.Load.Err != nil {
		r.done(res, m.Load)
		res.Interrupted = m.Load.Interrupted
		if res.Interrupted {
			res.NotRun = r.selected(r.declared)
		}
		return
	}
	for _, name := range r.selected(r.declared) {
		if ctx.Err() != nil {
			res.Interrupted = true
			res.NotRun = append(res.NotRun, name)
			continue
		}
		cr := m.RunCase(ctx, name, r.opts.StartCase)
		r.done(res, cr)
		res.Interrupted = res.Interrupted || cr.Interrupted
	}
	if err := m.Close(); err != nil || len(m.Load.Transcript.Events()) > 0 {
		load := m.Load
		load.Err = err
		r.done(res, load)
	}
}
