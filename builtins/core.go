package builtins

import (
	"context"
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "print", Args: "*args, sep=\" \"",
			Summary: "Records a message in the transcript (Starlark's own print).",
			Example: `print("deployed", app.stack)`},
		Builtin{Name: "vars",
			Summary: "A read-only dict of the --var key=value pairs given on the command line.",
			Example: `recipe = vars.get("recipe", "examples/recipes/discourse")`},
		Builtin{Name: "struct", Args: "**fields", Fn: starlarkstruct.Make,
			Summary: "Makes an immutable record with the given fields (starlark-go's struct).",
			Example: `fx = struct(repo = repo, base = base)
assert.eq(fx.base, base)`},
		Builtin{Name: "fail", Args: "msg", Fn: failFn,
			Summary: "Fails the case with msg.",
			Example: `if chaos_version(repo) != base[:8]:
    fail("the checkout is not at the tag")`},
		Builtin{Name: "sleep", Args: "duration", Fn: sleepFn,
			Summary: "Waits for a duration on the engine's clock.",
			Detail: `The duration is a string such as "5s", "20m" or "1h30m", or a number of seconds.
On the simulated swarm time is virtual: sleep("20m") returns at once, with the
simulated swarm 20 minutes further on. On a real swarm it is wall time, and
Ctrl-C or --timeout interrupts it.`,
			Example: `sleep("100ms")`},
		Builtin{Name: "case_timeout", Args: "duration", Fn: caseTimeoutFn,
			Summary: "Bounds the running case to a duration of wall time from its start.",
			Detail: `It replaces --case-timeout (or an earlier case_timeout) for this case only, and a
bound already passed ends the case at once. A case that runs out of time fails with
"case timed out after D (file:line)" and what it was doing; its cleanups then run,
and the next case starts. The bound is on the wall clock on every engine, like
--timeout: on the simulated swarm a case's own time is virtual, and what hangs
there is a loop that never ends.`,
			Example: `case_timeout("10m")`},
		Builtin{Name: "catch", Args: "fn, *args, **kwargs", Fn: catchFn,
			Summary: "Calls fn and returns its error message, or None when it succeeded.",
			Detail: `Starlark has no try/except; catch is how a script looks at an error without
failing the case. Interruption (Ctrl-C, --timeout) is never caught.`,
			Example: `err = catch(checkout, repo, "no-such-tag")
assert.contains(err, "no-such-tag")`},
		Builtin{Name: "defer", Args: "fn, *args, **kwargs", Fn: deferFn,
			Summary: "Registers a cleanup that runs when the case ends, fails or is interrupted.",
			Detail: `Cleanups run in reverse order of registration, each on its own thread and
bounded in time: two minutes each, and the run's --timeout, which bounds
cleanups too (one still running when it passes is cut, and those after it do
not start; the transcript says so). A cleanup that fails fails the case. A
cleanup registered while the module loads runs when the whole file is done.`,
			Example: `defer(print, "the case is over")`},
	)
}

// failFn implements fail(msg).
func failFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "msg", &msg); err != nil {
		return nil, err
	}
	return nil, &interp.Failure{Msg: msg}
}

// sleepFn implements sleep(duration).
func sleepFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var d Duration
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "duration", &d); err != nil {
		return nil, err
	}
	c := interp.CaseOf(thread)
	c.Record(thread, "sleep", time.Duration(d).String(), nil)
	if err := c.Clock.Sleep(interp.Context(thread), time.Duration(d)); err != nil {
		return nil, err
	}
	return starlark.None, nil
}

// caseTimeoutFn implements case_timeout(duration).
func caseTimeoutFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var d Duration
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "duration", &d); err != nil {
		return nil, err
	}
	if err := interp.CaseOf(thread).SetTimeout(time.Duration(d), fmt.Sprintf("case_timeout at %s:%d", thread.CallFrame(1).Pos.Filename(), thread.CallFrame(1).Pos.Line)); err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.None, nil
}

// catchFn implements catch(fn, *args, **kwargs).
func catchFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("%s: missing argument for fn", fn.Name())
	}
	f, err := callableArg(fn, "fn", args[0])
	if err != nil {
		return nil, err
	}
	_, err = starlark.Call(thread, f, args[1:], kwargs)
	if err == nil {
		return starlark.None, nil
	}
	if interp.Context(thread).Err() != nil {
		return nil, err // never swallow an interruption
	}
	return starlark.String(errorMessage(err)), nil
}

// deferFn implements defer(fn, *args, **kwargs).
func deferFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("%s: missing argument for fn", fn.Name())
	}
	f, err := callableArg(fn, "fn", args[0])
	if err != nil {
		return nil, err
	}
	rest, kw := args[1:], kwargs
	c := interp.CaseOf(thread)
	c.Defer(f.Name(), func(ctx context.Context) error {
		ctx, stop := withRunDeadline(ctx, c.Context())
		defer stop()
		if ctx.Err() != nil && runTimedOut(c) {
			return errCleanupNotRun
		}
		t, done := c.CleanupThread("cleanup", ctx)
		defer done()
		c.Record(t, "defer", f.Name(), nil)
		_, err := starlark.Call(t, f, rest, kw)
		if err != nil && runTimedOut(c) {
			return errCleanupCut
		}
		return err
	})
	return starlark.None, nil
}

// withRunDeadline bounds a scenario cleanup's ctx by the run's deadline
// (--timeout), which the case's context caseCtx carries: the timeout bounds
// the whole run, cleanups included. chaosrun's own cleanups (removing what
// a case created on a real swarm, temporary checkouts) are not registered
// through defer and still run after it.
func withRunDeadline(ctx, caseCtx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := caseCtx.Deadline(); ok {
		return context.WithDeadline(ctx, d)
	}
	return ctx, func() {}
}

// runTimedOut reports whether the run's deadline has passed.
func runTimedOut(c *interp.Case) bool {
	d, ok := c.Context().Deadline()
	return ok && !time.Now().Before(d)
}

// timeoutError is a scenario cleanup the run's timeout cut or kept from
// starting; it is a timeout (errors.Is context.DeadlineExceeded), so the
// run exits 1 as for any --timeout.
type timeoutError string

func (e timeoutError) Error() string        { return string(e) }
func (e timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

const (
	errCleanupCut    = timeoutError("cut: the run's timeout passed")
	errCleanupNotRun = timeoutError("not run: the run's timeout had passed")
)
