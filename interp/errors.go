package interp

import (
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// ScriptError is a problem with a scenario found before or while loading
// it: a missing file, a syntax error, an unknown name, a load that does not
// resolve. chaosrun exits 2 on it.
type ScriptError struct{ Msg string }

func (e *ScriptError) Error() string { return e.Msg }

// staticError turns a parse or resolve error into a ScriptError with
// file:line:col positions.
func staticError(err error) error {
	var se syntax.Error
	if errors.As(err, &se) {
		return &ScriptError{Msg: se.Error()}
	}
	var rl resolve.ErrorList
	if errors.As(err, &rl) {
		msgs := make([]string, len(rl))
		for i, e := range rl {
			msgs[i] = fmt.Sprintf("%s: %s", e.Pos, e.Msg)
		}
		return &ScriptError{Msg: strings.Join(msgs, "\n")}
	}
	return &ScriptError{Msg: err.Error()}
}

// Failure is a check that did not hold: an assertion, fail(), an
// assert_converged verdict. A case that fails with one exits 1; other
// runtime errors are script errors (exit 2).
type Failure struct{ Msg string }

func (e *Failure) Error() string { return e.Msg }

// Failf returns a *Failure.
func Failf(format string, args ...any) error { return &Failure{Msg: fmt.Sprintf(format, args...)} }

// IsFailure reports whether err is, or wraps, a failed check.
func IsFailure(err error) bool {
	var f *Failure
	return errors.As(err, &f)
}

// Describe renders a case error for people. For an error raised while
// Starlark ran, the first line is the innermost scenario position and the
// message; a deeper call stack follows, outermost call first:
//
//	scenarios/x.star:12:18: assert.eq: got 1, want 2
//	    scenarios/x.star:30:9: in test_upgrade
//	    scenarios/x.star:12:18: in check_label
func Describe(err error) string {
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return err.Error()
	}
	prefix := strings.TrimSuffix(err.Error(), ee.Error())
	msg := prefix + ee.Msg
	if pos := Position(err); pos != "" {
		msg = pos + ": " + msg
	}
	var frames []string
	for _, fr := range ee.CallStack {
		if fr.Pos.Filename() != "<builtin>" {
			frames = append(frames, fmt.Sprintf("    %s: in %s", fr.Pos, fr.Name))
		}
	}
	if len(frames) > 1 {
		msg += "\n" + strings.Join(frames, "\n")
	}
	return msg
}

// Position returns "file:line:col" of the innermost Starlark frame of err,
// or "" when err was not raised by Starlark code.
func Position(err error) string {
	var ee *starlark.EvalError
	if !errors.As(err, &ee) || len(ee.CallStack) == 0 {
		return ""
	}
	for i := len(ee.CallStack) - 1; i >= 0; i-- {
		if pos := ee.CallStack[i].Pos; pos.Filename() != "<builtin>" {
			return pos.String()
		}
	}
	return ""
}
