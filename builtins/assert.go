package builtins

import (
	"fmt"
	"regexp"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "assert.eq", Args: "got, want, msg=None", Fn: assertEq,
			Summary: "Fails the case unless got == want.",
			Example: `assert.eq(chaos_version(repo), base[:8])`},
		Builtin{Name: "assert.ne", Args: "got, unwanted, msg=None", Fn: assertNe,
			Summary: "Fails the case if got == unwanted.",
			Example: `assert.ne(chaos_version(repo), "eb96de94+U")`},
		Builtin{Name: "assert.true", Args: "cond, msg=None", Fn: assertTrue,
			Summary: "Fails the case unless cond is truthy.",
			Example: `assert.true(repo.status() == [], "the checkout is dirty")`},
		Builtin{Name: "assert.contains", Args: "container, item, msg=None", Fn: assertContains,
			Summary: "Fails the case unless item in container (a substring, for strings).",
			Example: `assert.contains(repo.read("compose.yml"), "failure_action: rollback")`},
		Builtin{Name: "assert.fails", Args: "fn, pattern", Fn: assertFails,
			Summary: "Calls fn with no arguments; fails the case unless it fails with an error matching the regular expression pattern. Returns the error message.",
			Example: `assert.fails(lambda: checkout(repo, "nope"), "unknown ref")`},
	)
}

// assertEq implements assert.eq(got, want, msg=None).
func assertEq(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return compare(fn, args, kwargs, "want", true)
}

// assertNe implements assert.ne(got, unwanted, msg=None).
func assertNe(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return compare(fn, args, kwargs, "unwanted", false)
}

func compare(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, other string, wantEqual bool) (starlark.Value, error) {
	var got, want starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "got", &got, other, &want, "msg?", &msg); err != nil {
		return nil, err
	}
	eq, err := starlark.Equal(got, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if eq == wantEqual {
		return starlark.None, nil
	}
	if wantEqual {
		return nil, failure(fn, msg, "got %s, want %s", got.String(), want.String())
	}
	return nil, failure(fn, msg, "got %s, want anything else", got.String())
}

func failure(fn *starlark.Builtin, msg, format string, args ...any) error {
	text := fmt.Sprintf(format, args...)
	if msg != "" {
		text = msg + ": " + text
	}
	return interp.Failf("%s: %s", fn.Name(), text)
}

// assertTrue implements assert.true(cond, msg=None).
func assertTrue(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cond starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "cond", &cond, "msg?", &msg); err != nil {
		return nil, err
	}
	if !cond.Truth() {
		return nil, failure(fn, msg, "got %s, want a true value", cond.String())
	}
	return starlark.None, nil
}

// assertContains implements assert.contains(container, item, msg=None).
func assertContains(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var container, item starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "container", &container, "item", &item, "msg?", &msg); err != nil {
		return nil, err
	}
	ok, err := starlark.Binary(syntax.IN, item, container)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if !ok.Truth() {
		return nil, failure(fn, msg, "%s not in %s", item.String(), container.String())
	}
	return starlark.None, nil
}

// assertFails implements assert.fails(fn, pattern).
func assertFails(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var f Callable
	var pattern string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "fn", &f, "pattern", &pattern); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter pattern: %v", fn.Name(), err)
	}
	_, err = starlark.Call(thread, f, nil, nil)
	if err == nil {
		return nil, failure(fn, "", "%s succeeded, want an error matching %q", f.Name(), pattern)
	}
	if interp.Context(thread).Err() != nil {
		return nil, err
	}
	msg := errorMessage(err)
	if !re.MatchString(msg) {
		return nil, failure(fn, "", "error %q does not match %q", msg, pattern)
	}
	return starlark.String(msg), nil
}
