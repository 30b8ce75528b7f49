package interp

import (
	"errors"
	"fmt"
	"time"
)

// caseTimeout is why a case's context ended when its time was up.
type caseTimeout struct {
	bound  time.Duration
	source string // "--case-timeout", or where the script set it
}

func (t *caseTimeout) Error() string {
	return fmt.Sprintf("case timed out after %s (%s)", t.bound, t.source)
}

// caseTimeoutError is the error of a case that ran out of time: what the
// case was doing when it was stopped, under the bound it exceeded.
type caseTimeoutError struct {
	timeout *caseTimeout
	err     error
}

// Error is the bound alone: err is the cancellation it caused, whose
// backtrace says where the case was.
func (e *caseTimeoutError) Error() string { return e.timeout.Error() }
func (e *caseTimeoutError) Unwrap() error { return e.err }

// SetTimeout bounds the case to d of wall time from its start (a bound
// already passed ends it at once), replacing any earlier bound; source
// says who set it, for the error. The case's cleanups are not counted. It
// fails outside a running case's body (a REPL session, a cleanup).
func (c *Case) SetTimeout(d time.Duration, source string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop == nil {
		return errors.New("only a running case can be bounded (not a REPL session or a cleanup)")
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	cause, stop := &caseTimeout{bound: d, source: source}, c.stop
	c.timer = time.AfterFunc(max(d-time.Since(c.wallStart), 0), func() { stop(cause) })
	return nil
}

// stopTimer ends the case's time bound when its body has returned.
func (c *Case) stopTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.stop = nil
}
