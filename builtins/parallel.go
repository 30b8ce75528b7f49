package builtins

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "parallel", Args: "fn1, fn2, ...", Fn: parallel,
			Summary: "Runs functions as concurrent threads, each named in the transcript, and returns their results in argument order.",
			Detail: `Each function is called with no arguments (use lambda to pass some) on its own
thread, named after the function (name#2, ... when names repeat). Values handed to
branches are frozen. On the simulator the interleaving is deterministic for a
seed. When a branch fails, parallel waits for the others, then fails with that
branch's error and its own backtrace. Ctrl-C and --timeout reach every branch.`,
			Example: `def stamp():
    return chaos_version(repo)
first, second = parallel(stamp, stamp)  # threads stamp and stamp#2
assert.eq(first, second)`},
		Builtin{Name: "lock", Args: "name, fn, *args, **kwargs", Fn: lockFn,
			Summary: "Calls fn while holding the named lock, like the app-domain lock the cc-ci harness takes; returns fn's result.",
			Detail: `Threads that ask for a held lock wait, in order, on the engine's clock. The
transcript shows when each thread acquired and released it. Locks live for one
case.`,
			Example: `lock(app.domain, checkout, repo, "0.7.0+3.3.1")`},
	)
}

// branchError is a failed parallel branch; it keeps the branch's own backtrace.
type branchError struct {
	name string
	err  error
}

func (e *branchError) Error() string {
	return fmt.Sprintf("parallel: branch %s failed: %s", e.name, interp.Describe(e.err))
}
func (e *branchError) Unwrap() error { return e.err }

func parallel(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("%s: unexpected keyword argument %s", fn.Name(), kwargs[0][0])
	}
	fns := make([]starlark.Callable, len(args))
	for i, a := range args {
		f, ok := a.(starlark.Callable)
		if !ok {
			return nil, fmt.Errorf("%s: argument %d: got %s, want callable", fn.Name(), i+1, a.Type())
		}
		a.Freeze()
		fns[i] = f
	}
	c := interp.CaseOf(thread)
	results := make([]starlark.Value, len(fns))
	errs := make([]error, len(fns))
	var mu sync.Mutex
	left := len(fns)
	done := c.Clock.NewSignal()
	names := branchNames(fns)
	for i, name := range names {
		t := c.NewThread(name)
		c.Clock.Go(func() {
			res, err := starlark.Call(t, fns[i], nil, nil)
			mu.Lock()
			results[i], errs[i] = res, err
			left--
			mu.Unlock()
			done.Notify()
		})
	}
	// Join with a context of its own: branches end on their own (they watch
	// the case's context), and must have ended before parallel returns.
	for {
		mu.Lock()
		n := left
		mu.Unlock()
		if n == 0 {
			break
		}
		if err := done.Wait(context.Background(), time.Time{}); err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	for i, err := range errs {
		if err != nil {
			return nil, &branchError{name: names[i], err: err}
		}
	}
	return starlark.NewList(results), nil
}

// branchNames names branches after their functions, numbering repeats.
func branchNames(fns []starlark.Callable) []string {
	seen := map[string]int{}
	names := make([]string, len(fns))
	for i, f := range fns {
		name := f.Name()
		seen[name]++
		if seen[name] > 1 {
			name = fmt.Sprintf("%s#%d", name, seen[name])
		}
		names[i] = name
	}
	return names
}

const locksKey = "builtins.locks"

type lockTable struct {
	mu    sync.Mutex
	locks map[string]*namedLock
}

type namedLock struct {
	holder string
	freed  clock.Signal
}

func locksOf(c *interp.Case) *lockTable {
	c.SetValueOnce(locksKey, func() any { return &lockTable{locks: map[string]*namedLock{}} })
	return c.Value(locksKey).(*lockTable)
}

func lockFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("%s: want name and fn, got %d arguments", fn.Name(), len(args))
	}
	name, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("%s: for parameter name: got %s, want string", fn.Name(), args[0].Type())
	}
	f, err := callableArg(fn, "fn", args[1])
	if err != nil {
		return nil, err
	}
	c := interp.CaseOf(thread)
	release, err := acquire(thread, c, name)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", fn.Name(), name, err)
	}
	defer release()
	return starlark.Call(thread, f, args[2:], kwargs)
}

// acquire takes the named lock for thread, waiting on the case's clock.
func acquire(thread *starlark.Thread, c *interp.Case, name string) (func(), error) {
	table := locksOf(c)
	start := c.Clock.Now()
	for {
		table.mu.Lock()
		l := table.locks[name]
		if l == nil {
			l = &namedLock{freed: c.Clock.NewSignal()}
			table.locks[name] = l
		}
		if l.holder == "" {
			l.holder = thread.Name
			table.mu.Unlock()
			break
		}
		holder := l.holder
		table.mu.Unlock()
		c.Record(thread, "lock", fmt.Sprintf("%s waits (held by %s)", name, holder), nil)
		if err := l.freed.Wait(interp.Context(thread), time.Time{}); err != nil {
			return nil, err
		}
	}
	c.Record(thread, "lock", fmt.Sprintf("%s acquired after %s", name, interp.FormatOffset(c.Clock.Now().Sub(start))), nil)
	return func() {
		table.mu.Lock()
		l := table.locks[name]
		l.holder = ""
		table.mu.Unlock()
		c.Record(thread, "lock", name+" released", nil)
		l.freed.Notify()
	}, nil
}
