package interp

import (
	"context"
	"fmt"
	"path/filepath"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// SessionFile is the file name a session's case and positions carry.
const SessionFile = "<stdin>"

// Session is one standalone case whose statements run one chunk at a time,
// for an interactive prompt (`chaosrun repl`). Its globals persist between
// chunks and are not frozen.
//
// A session is used by one goroutine: the one that called NewSession, which
// on a virtual clock is the clock's first thread, so every Exec must run on
// it too.
type Session struct {
	// Case is the session's case: its clock, engine and transcript.
	Case *Case
	// Thread is the main thread chunks run on.
	Thread *starlark.Thread
	// Globals are the predeclared names, vars and what chunks defined.
	Globals starlark.StringDict

	r *Run
}

// NewSession makes a session whose case is prepared by opts.StartCase and
// reports its events to opts.Sink. load() resolves relative to the working
// directory and may not leave opts.Root (default: the working directory).
// Ending ctx ends the session's case; Close runs its cleanups.
func NewSession(ctx context.Context, opts Options) (*Session, error) {
	root := opts.Root
	if root == "" {
		root = "."
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, &ScriptError{Msg: err.Error()}
	}
	r := newRun(ctx, opts, root)
	c, err := r.startCase("repl", SessionFile)
	if err != nil {
		return nil, err
	}
	r.setup = c
	return &Session{Case: c, Thread: c.NewThread("main"), Globals: r.predeclared(), r: r}, nil
}

// replOptions are the scenario dialect, with load() binding globally as
// Python's prompt does.
func replOptions() *syntax.FileOptions {
	opts := fileOptions()
	opts.LoadBindsGlobally = true
	return opts
}

// Parse reads one chunk (a statement, or an indented block ended by a blank
// line) through readline, which returns lines with their newline, or io.EOF.
// It returns io.EOF once the input has ended, and any other error of
// readline (an interrupt, say) as it is.
func (s *Session) Parse(readline func() ([]byte, error)) (*syntax.File, error) {
	var readErr error
	f, err := replOptions().ParseCompoundStmt(SessionFile, func() ([]byte, error) {
		line, err := readline()
		if err != nil && readErr == nil {
			readErr = err
		}
		return line, err
	})
	if err != nil && readErr != nil {
		return nil, readErr
	}
	return f, err
}

// Exec runs one parsed chunk on the session's main thread, with the
// builtins it calls watching ctx: ending ctx (Ctrl-C) cancels this chunk
// only. A chunk that is a single expression returns its value, else None.
func (s *Session) Exec(ctx context.Context, f *syntax.File) (starlark.Value, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	cancelled := make(chan struct{})
	unwatch := context.AfterFunc(ctx, func() {
		defer close(cancelled)
		s.Case.cancelThreads(interruptReason(ctx))
	})
	s.Case.setContext(ctx)
	s.Thread.SetLocal(ctxKey, ctx)
	v, err := s.exec(f)
	if !unwatch() {
		<-cancelled // the chunk was cancelled: let the cancelling finish first
	}
	s.Case.setContext(s.r.ctx)
	s.Case.uncancel()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%s: %w", interruptReason(ctx), err)
	}
	return v, err
}

// exec evaluates a sole expression, or runs the chunk's statements.
func (s *Session) exec(f *syntax.File) (starlark.Value, error) {
	if len(f.Stmts) == 1 {
		if e, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			v, err := starlark.EvalExprOptions(f.Options, s.Thread, e.X, s.Globals)
			if err == nil {
				s.Globals["_"] = v
			}
			return v, err
		}
	}
	return starlark.None, starlark.ExecREPLChunk(f, s.Thread, s.Globals)
}

// Close runs the cleanups the session registered (defer, and what its
// engine created) and returns the first error.
func (s *Session) Close() error {
	return s.Case.runCleanups()
}

// setContext makes ctx the context the case's new threads watch.
func (c *Case) setContext(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ctx = ctx
}

// uncancel clears a cancellation so the case's threads run again.
func (c *Case) uncancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel = ""
	for t := range c.threads {
		t.Uncancel()
	}
}
