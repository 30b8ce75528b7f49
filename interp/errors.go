package interp

import (
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/resolve"

	"github.com/coop-cloud/chaosrun/cut"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// ScriptError is a problem with a scenario found before or while loading
// it: a missing file, a syntax error, an unknown name, a load that does not
// resolve. chaosrun exits 2 on it.
type ScriptError struct{ Msg string }

func (e *ScriptError) Error() string { return e.Msg }

// staticError turns a parse or resolve error into a ScriptError with
// file:line:col positions, suggesting a close predeclared name for an
// undefined one. A file with many resolve errors reports its first ones
// and a count (package cut).
func staticError(err error, predeclared starlark.StringDict) error {
	var se syntax.Error
	if errors.As(err, &se) {
		return &ScriptError{Msg: se.Error()}
	}
	var rl resolve.ErrorList
	if errors.As(err, &rl) {
		msgs := make([]string, len(rl))
		for i, e := range rl {
			msgs[i] = fmt.Sprintf("%s: %s%s", e.Pos, e.Msg, hint(e.Msg, predeclared))
		}
		return &ScriptError{Msg: cut.Errors(msgs)}
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

// IsFailure reports whether err is, or wraps, a failed check or a case
// that was stopped: out of its time (--case-timeout, case_timeout) or of
// the memory budget (--max-memory).
func IsFailure(err error) bool {
	var f *Failure
	var t *caseStoppedError
	return errors.As(err, &f) || errors.As(err, &t)
}

// Describe renders a case error for people. For an error raised while
// Starlark ran, the first line is the innermost scenario position and the
// message; a deeper call stack follows, outermost call first:
//
//	scenarios/x.star:12:18: assert.eq: got 1, want 2
//	    scenarios/x.star:30:9: in test_upgrade
//	    scenarios/x.star:12:18: in check_label
//
// Errors joined with errors.Join (a failed body, then a failed cleanup)
// are described one after the other.
func Describe(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, Describe(e))
		}
		return strings.Join(parts, "\n")
	}
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return err.Error()
	}
	prefix := strings.TrimSuffix(err.Error(), ee.Error())
	msg := prefix + ee.Msg
	if te := (*caseStoppedError)(nil); errors.As(err, &te) {
		msg = te.Error() // ee is the cancellation it caused
	}
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
	ee := innermost(err)
	if ee == nil || len(ee.CallStack) == 0 {
		return ""
	}
	for i := len(ee.CallStack) - 1; i >= 0; i-- {
		if pos := ee.CallStack[i].Pos; pos.Filename() != "<builtin>" {
			return pos.String()
		}
	}
	return ""
}

// hint suggests the closest predeclared name for "undefined: x".
func hint(msg string, predeclared starlark.StringDict) string {
	name, ok := strings.CutPrefix(msg, "undefined: ")
	if !ok || strings.Contains(name, " ") || len(name) > cut.Limit { // no name is that close to a long one
		return ""
	}
	return Suggest(name, predeclared.Keys())
}

// Suggest returns " (did you mean x?)" naming the candidate closest to name
// in edit distance, or "" when none is close.
func Suggest(name string, candidates []string) string {
	best, bestD := "", 1+len(name)/3
	for _, cand := range candidates {
		if d := editDistance(name, cand); d < bestD || (d == bestD && best != "" && cand < best) {
			best, bestD = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// innermost returns the deepest Starlark error in err's tree: for an error
// raised in a parallel branch, the branch's own.
func innermost(err error) *starlark.EvalError {
	var found *starlark.EvalError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if ee, ok := err.(*starlark.EvalError); ok {
			found = ee
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if e != nil {
					walk(e)
					return
				}
			}
		}
	}
	walk(err)
	return found
}
