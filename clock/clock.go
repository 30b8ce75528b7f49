// Package clock is the time source of a chaosrun run.
//
// A run sees time only through a Clock: Real is the wall clock, Virtual is a
// discrete-event clock that a deterministic engine (the simulated swarm)
// drives. On a Virtual clock, threads started with Go run one at a time and
// hand over only when they block in Sleep or Signal.Wait, so the order of
// everything that happens is a function of the program alone.
package clock

import (
	"context"
	"errors"
	"time"
)

// ErrDeadline is returned by Signal.Wait when its deadline passes first.
var ErrDeadline = errors.New("deadline passed")

// Clock is the time source of one run.
type Clock interface {
	// Now is the current time on this clock.
	Now() time.Time
	// Sleep blocks for d, or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
	// Go runs fn as a new thread of this clock's world. On a Virtual clock the
	// new thread first runs when the caller blocks.
	Go(fn func())
	// NewSignal returns a wake-up flag that threads of this clock wait on.
	NewSignal() Signal
}

// Signal is a wake-up flag with no lost wake-ups: a Notify that happens while
// nobody waits is kept until the next Wait. The usual loop is
//
//	for !done() { if err := s.Wait(ctx, deadline); err != nil { ... } }
type Signal interface {
	// Notify wakes every waiter, or, when there is none, the next Wait.
	Notify()
	// Wait blocks until Notify, the deadline (zero: none) or ctx is done. It
	// returns nil, ErrDeadline or ctx.Err().
	Wait(ctx context.Context, deadline time.Time) error
}
