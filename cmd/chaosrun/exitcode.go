package main

import (
	"context"
	"errors"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

// Exit codes, in one place (documented in README.md). Their values are in
// order of severity, so the more severe of two codes is the larger: keep
// it so when adding one (see worse).
const (
	exitOK          = 0   // every case passed
	exitFailed      = 1   // a case failed (an assertion, a verdict, a timeout)
	exitUsage       = 2   // usage or script error: bad flag, syntax error, unknown name, bad argument
	exitEnvironment = 3   // environment error: no Docker daemon, not a swarm manager
	exitInterrupted = 130 // interrupted by Ctrl-C
)

// exitError carries an exit code; when silent, its message was already printed.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit"
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, engine.ErrUnavailable):
		return exitEnvironment
	}
	return exitUsage // a *interp.ScriptError, or any other usage problem
}

// caseCode classifies a failed case: a failed check exits 1, an engine
// that cannot be reached 3, an interruption 130, anything else (a script
// bug such as a bad argument) 2.
func caseCode(c interp.CaseResult, interruptedByUser bool) int {
	switch {
	case c.Err == nil:
		return exitOK
	case c.Interrupted && interruptedByUser:
		return exitInterrupted
	case c.Interrupted, errors.Is(c.Err, context.DeadlineExceeded):
		return exitFailed // --timeout, in the body or in a cleanup
	case errors.Is(c.Err, engine.ErrUnavailable):
		return exitEnvironment
	case interp.IsFailure(c.Err):
		return exitFailed
	}
	return exitUsage
}

// worse returns the more severe of two exit codes.
func worse(a, b int) int { return max(a, b) }
