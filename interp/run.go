package interp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/coop-cloud/chaosrun/clock"
)

// Options configure a run of one scenario file.
type Options struct {
	// Predeclared are the builtins every module sees (besides vars).
	Predeclared starlark.StringDict
	// Vars are the --var key=value pairs, predeclared as the frozen dict vars.
	Vars map[string]string
	// Root is the folder loads cannot leave; default the scenario's folder.
	Root string
	// StartCase prepares per-case state (clock, engine) before a case runs.
	// It may be nil: the case then runs on the real clock.
	StartCase func(c *Case) error
	// Sink, when set, receives every event as it is recorded.
	Sink func(c *Case, e Event)
	// Only, when set, runs only the test_* cases with this name.
	Only string
	// CaseStart, when set, is called as each case starts (not the (load)
	// pseudo-case), before its body runs, so a case that hangs is seen.
	CaseStart func(c *Case)
	// CaseTimeout bounds each case on the wall clock, cleanups apart
	// (0: none); a case may set its own bound (Case.SetTimeout).
	CaseTimeout time.Duration
	// MemoryBudget, when not 0, stops the running cases (the (load)
	// pseudo-case too) when the process's heap grows past it.
	MemoryBudget uint64
	// CaseDone, when set, is called as soon as each case has finished.
	CaseDone func(file string, r CaseResult)
	// CaseFailed, when set, is called when a case's body fails, before its
	// cleanups run (so its engine still holds what it deployed) and unless
	// the run was interrupted; the text it returns is CaseResult.Detail.
	CaseFailed func(c *Case, err error) string
}

// fileOptions returns the Starlark dialect of scenarios, a fresh value a
// caller may change (see replOptions): sets, while loops, if/for/while at
// top level and reassignment of top-level names, so that a script read top
// to bottom runs as the REPL would run it line by line (docs/scripts.md).
func fileOptions() *syntax.FileOptions {
	return &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true}
}

// LoadCase names the pseudo-case that holds what a file with test_*
// functions did while its module loaded.
const LoadCase = "(load)"

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name       string
	Err        error
	Transcript *Transcript
	// Elapsed is the case's duration on its own clock.
	Elapsed time.Duration
	// Interrupted is set when the run's context ended during the case.
	Interrupted bool
	// Detail is what Options.CaseFailed said about a failure: the state
	// of what the case touched, for people.
	Detail string
}

// Passed reports whether the case passed.
func (r CaseResult) Passed() bool { return r.Err == nil }

// FileResult is the outcome of one scenario file.
type FileResult struct {
	File string
	// Err is set when the file could not run at all (missing, syntax
	// error, unknown name); it is a *ScriptError or wraps one.
	Err   error
	Cases []CaseResult
	// Interrupted is set when the run's context ended before all cases ran.
	Interrupted bool
	// NotRun names the cases the end of the run's context kept from
	// starting, in file order.
	NotRun []string
}

// Run is the state shared by the cases of one file: the module cache and
// the load-time case, whose cleanups run when the file is done.
type Run struct {
	opts     Options
	declared []string // the test_* functions the file defines (testDefs)
	root     string
	modules  map[string]*module
	setup    *Case
	ctx      context.Context
}

type module struct {
	globals starlark.StringDict
	err     error
	loading bool
}

// Defer registers a cleanup that runs when the whole file is done.
func (r *Run) Defer(name string, fn func(ctx context.Context) error) { r.setup.Defer(name, fn) }

// FileCaseName is the name of the single case of a file with no test_*
// function: its base name without extension.
func FileCaseName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// RunFile loads path and runs its cases.
func RunFile(ctx context.Context, path string, opts Options) *FileResult {
	res := &FileResult{File: path}
	m, err := LoadModule(ctx, path, opts)
	if err != nil {
		res.Err = err
		return res
	}
	m.runAll(ctx, res)
	return res
}

// selected are the names among names that opts.Only selects.
func (r *Run) selected(names []string) []string {
	if r.opts.Only == "" {
		return names
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n != r.opts.Only })
}

// done records a finished case and reports it to the caller.
func (r *Run) done(res *FileResult, cr CaseResult) {
	res.Cases = append(res.Cases, cr)
	if r.opts.CaseDone != nil {
		r.opts.CaseDone(res.File, cr)
	}
}

// startCase makes a case and lets the host attach its clock and engine.
func (r *Run) startCase(name, file string) (*Case, error) {
	c := &Case{Name: name, File: file, Run: r, Clock: clock.Real{}, ctx: r.ctx}
	sink := r.opts.Sink
	c.Transcript = NewTranscript(func(e Event) {
		if sink != nil {
			sink(c, e)
		}
	})
	if r.opts.StartCase != nil {
		if err := r.opts.StartCase(c); err != nil {
			return nil, err
		}
	}
	c.start, c.wallStart = c.Clock.Now(), time.Now()
	return c, nil
}

// runCase runs body on a new main thread of c, cancelling it when the run's
// context ends or the case's time is up; when cleanup is set the case's
// cleanups run afterwards.
func (r *Run) runCase(c *Case, body func(*starlark.Thread) error, cleanup bool) CaseResult {
	parent := r.ctx // Module.RunCase sets r.ctx for the next case
	caseCtx, stop := context.WithCancelCause(parent)
	c.ctx, c.stop = caseCtx, stop
	go func() {
		<-caseCtx.Done()
		if parent.Err() != nil {
			c.cancelThreads(interruptReason(parent))
		} else if cause, ok := context.Cause(caseCtx).(stopCause); ok {
			c.cancelThreads(cause.Error())
		}
	}()
	if r.opts.MemoryBudget > 0 {
		memory.add(c, r.opts.MemoryBudget)
	}
	if !c.load {
		if r.opts.CaseTimeout > 0 {
			_ = c.SetTimeout(r.opts.CaseTimeout, "--case-timeout") // c.stop is set
		}
		if r.opts.CaseStart != nil {
			r.opts.CaseStart(c)
		}
	}
	err := body(c.NewThread("main"))
	memory.remove(c)
	c.stopTimer()
	stop(nil)
	res := CaseResult{Name: c.Name, Err: err, Transcript: c.Transcript, Interrupted: r.ctx.Err() != nil}
	cause, stopped := context.Cause(caseCtx).(stopCause)
	switch {
	case res.Interrupted && err != nil:
		res.Err = fmt.Errorf("%s: %w", interruptReason(r.ctx), err)
	case err != nil && stopped:
		res.Err = &caseStoppedError{cause: cause, err: err}
	}
	if err != nil && !res.Interrupted && r.opts.CaseFailed != nil {
		res.Detail = r.opts.CaseFailed(c, err)
	}
	if cleanup {
		res.Err = errors.Join(res.Err, c.runCleanups())
	}
	c.Transcript.Flush()
	res.Elapsed = c.Elapsed()
	return res
}

func interruptReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "timed out"
	}
	return "interrupted"
}

func (r *Run) predeclared() starlark.StringDict {
	d := make(starlark.StringDict, len(r.opts.Predeclared)+1)
	for k, v := range r.opts.Predeclared {
		d[k] = v
	}
	d["vars"] = varsDict(r.opts.Vars)
	return d
}

func varsDict(vars map[string]string) *starlark.Dict {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := starlark.NewDict(len(keys))
	for _, k := range keys {
		d.SetKey(starlark.String(k), starlark.String(vars[k]))
	}
	d.Freeze()
	return d
}

// testFunctions returns the module's test_* functions in file order.
func testFunctions(globals starlark.StringDict) []*starlark.Function {
	var fns []*starlark.Function
	for name, v := range globals {
		if fn, ok := v.(*starlark.Function); ok && strings.HasPrefix(name, "test_") && fn.Name() == name {
			fns = append(fns, fn)
		}
	}
	sort.Slice(fns, func(i, j int) bool {
		pi, pj := fns[i].Position(), fns[j].Position()
		if pi.Line != pj.Line {
			return pi.Line < pj.Line
		}
		return pi.Col < pj.Col
	})
	return fns
}

// prepare compiles a scenario and makes the Run that executes it; tests
// reports whether the file defines test_* functions.
func prepare(ctx context.Context, path string, opts Options) (r *Run, prog *starlark.Program, tests bool, err error) {
	f, prog, err := compile(path, path, opts.Predeclared)
	if err != nil {
		return nil, nil, false, err
	}
	root := opts.Root
	if root == "" {
		root = filepath.Dir(path)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, nil, false, &ScriptError{Msg: err.Error()}
	}
	r = newRun(ctx, opts, root)
	r.declared = testDefs(f)
	return r, prog, len(r.declared) > 0, nil
}

// newRun makes the Run of one file, with an empty module cache; root is
// the absolute folder loads cannot leave.
func newRun(ctx context.Context, opts Options, root string) *Run {
	return &Run{opts: opts, root: root, modules: map[string]*module{}, ctx: ctx}
}

// compile parses and resolves a scenario file, named path in positions and
// messages and read from real (a loaded module's real path).
func compile(path, real string, predeclared starlark.StringDict) (*syntax.File, *starlark.Program, error) {
	src, err := readSource(real)
	if err != nil {
		return nil, nil, &ScriptError{Msg: readError(path, err)}
	}
	isPredeclared := func(name string) bool { _, ok := predeclared[name]; return ok || name == "vars" }
	f, prog, err := starlark.SourceProgramOptions(fileOptions(), path, src, isPredeclared)
	if err != nil {
		return nil, nil, staticError(err, predeclared)
	}
	return f, prog, nil
}

func readError(path string, err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("%s: no such scenario file", path)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", path, pe.Err)
	}
	return err.Error()
}
