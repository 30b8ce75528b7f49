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

func (*caseTimeout) stopsCase()    {}
func (*memoryExceeded) stopsCase() {}

// stopCause is why a case was stopped before its body returned: its time
// ran out (caseTimeout) or the heap outgrew the budget (memoryExceeded).
type stopCause interface {
	error
	stopsCase()
}

// caseStoppedError is the error of a case that was stopped: what the case
// was doing then, under the reason it was stopped.
type caseStoppedError struct {
	cause stopCause
	err   error
}

// Error is the reason alone: err is the cancellation it caused, whose
// backtrace says where the case was.
func (e *caseStoppedError) Error() string { return e.cause.Error() }
func (e *caseStoppedError) Unwrap() error { return e.err }

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
