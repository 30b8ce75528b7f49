package clock

import (
	"context"
	"sync"
	"time"
)

// Real is the wall clock; its threads are plain goroutines.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep sleeps for d or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Go starts fn in a goroutine.
func (Real) Go(fn func()) { go fn() }

// NewSignal returns a Signal whose Notify wakes every goroutine waiting.
func (Real) NewSignal() Signal { return &realSignal{} }

type realSignal struct {
	mu      sync.Mutex
	pending bool
	ch      chan struct{} // closed by Notify; nil while nobody waits
}

func (s *realSignal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
		return
	}
	s.pending = true
}

func (s *realSignal) Wait(ctx context.Context, deadline time.Time) error {
	s.mu.Lock()
	if s.pending {
		s.pending = false
		s.mu.Unlock()
		return nil
	}
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	ch := s.ch
	s.mu.Unlock()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ch:
		return nil
	case <-timeout:
		return ErrDeadline
	case <-ctx.Done():
		return ctx.Err()
	}
}
