package builtins

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/cut"
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
case. A lock is not re-entrant: a thread asking for a lock it holds fails at
once, and so does a wait that would deadlock (threads waiting in a cycle for
each other's locks or parallel branches), naming where each lock was acquired.`,
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
		return nil, fmt.Errorf("%s: unexpected keyword argument %s", fn.Name(), cut.Raw(kwargs[0][0].String()))
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
	threads := make([]*starlark.Thread, len(names))
	for i, name := range names {
		threads[i] = c.NewThread(name)
	}
	defer locksOf(c).join(thread, threads)()
	for i, t := range threads {
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

// lockTable holds a case's named locks and what each thread waits for: the
// lock it asks for, or the parallel branches it joins. A thread about to
// wait checks that the wait closes no cycle (a deadlock, which would hang
// forever on the wall clock), and asking again for a lock it holds is
// refused: locks are not re-entrant.
type lockTable struct {
	mu      sync.Mutex
	locks   map[string]*namedLock
	waiting map[*starlark.Thread]string             // the lock a thread waits for
	joining map[*starlark.Thread][]*starlark.Thread // the branches a thread joins
}

type namedLock struct {
	holder *starlark.Thread
	at     string // where the holder acquired it
	freed  clock.Signal
}

func locksOf(c *interp.Case) *lockTable {
	c.SetValueOnce(locksKey, func() any {
		return &lockTable{locks: map[string]*namedLock{}, waiting: map[*starlark.Thread]string{},
			joining: map[*starlark.Thread][]*starlark.Thread{}}
	})
	return c.Value(locksKey).(*lockTable)
}

// join records that thread waits for branches until the returned func is called.
func (tb *lockTable) join(thread *starlark.Thread, branches []*starlark.Thread) func() {
	tb.mu.Lock()
	tb.joining[thread] = branches
	tb.mu.Unlock()
	return func() {
		tb.mu.Lock()
		delete(tb.joining, thread)
		tb.mu.Unlock()
	}
}

// waitChain describes how t's waits lead back to thread ("" and true when
// t is thread), or returns false when they do not; tb.mu is held.
func (tb *lockTable) waitChain(t, thread *starlark.Thread, seen map[*starlark.Thread]bool) (string, bool) {
	if t == thread {
		return "", true
	}
	if seen[t] {
		return "", false
	}
	seen[t] = true
	if name, ok := tb.waiting[t]; ok {
		if l := tb.locks[name]; l.holder != nil {
			if rest, ok := tb.waitChain(l.holder, thread, seen); ok {
				return fmt.Sprintf(", which waits for lock %s, held by %s (acquired at %s)%s", name, who(l.holder, thread), l.at, rest), true
			}
		}
	}
	for _, b := range tb.joining[t] {
		if rest, ok := tb.waitChain(b, thread, seen); ok {
			return fmt.Sprintf(", which waits for %s (one of its parallel branches) to end%s", who(b, thread), rest), true
		}
	}
	return "", false
}

// who names t for a message to thread.
func who(t, thread *starlark.Thread) string {
	if t == thread {
		return "this thread"
	}
	return "thread " + t.Name
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

// acquire takes the named lock for thread, waiting on the case's clock. It
// refuses re-entry and a wait that would deadlock, naming where the locks
// involved were acquired.
func acquire(thread *starlark.Thread, c *interp.Case, name string) (func(), error) {
	table := locksOf(c)
	start := c.Clock.Now()
	at := callerPos(thread)
	for {
		table.mu.Lock()
		l := table.locks[name]
		if l == nil {
			l = &namedLock{freed: c.Clock.NewSignal()}
			table.locks[name] = l
		}
		if l.holder == nil {
			l.holder, l.at = thread, at
			delete(table.waiting, thread)
			table.mu.Unlock()
			break
		}
		holder := l.holder
		if holder == thread {
			table.mu.Unlock()
			return nil, fmt.Errorf("already held by this thread (acquired at %s, asked again at %s); locks are not re-entrant", l.at, at)
		}
		if chain, ok := table.waitChain(holder, thread, map[*starlark.Thread]bool{}); ok {
			delete(table.waiting, thread)
			table.mu.Unlock()
			return nil, fmt.Errorf("deadlock: asked for at %s while held by %s (acquired at %s)%s", at, who(holder, thread), l.at, chain)
		}
		table.waiting[thread] = name
		table.mu.Unlock()
		c.Record(thread, "lock", fmt.Sprintf("%s waits (held by %s)", name, holder.Name), nil)
		if err := l.freed.Wait(interp.Context(thread), time.Time{}); err != nil {
			table.mu.Lock()
			delete(table.waiting, thread)
			table.mu.Unlock()
			return nil, err
		}
	}
	c.Record(thread, "lock", fmt.Sprintf("%s acquired after %s", name, interp.FormatOffset(c.Clock.Now().Sub(start))), nil)
	return func() {
		table.mu.Lock()
		l := table.locks[name]
		l.holder, l.at = nil, ""
		table.mu.Unlock()
		c.Record(thread, "lock", name+" released", nil)
		l.freed.Notify()
	}, nil
}

// callerPos is the scenario position of the call to the builtin running on
// thread, or "?" when there is none.
func callerPos(thread *starlark.Thread) string {
	if thread.CallStackDepth() < 2 {
		return "?"
	}
	return thread.CallFrame(1).Pos.String()
}
