package docker

import (
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine/converge"
)

// TestWaitsEndTheirSubscriptions: each convergence wait closes the event
// stream it opened, so no reader, ticker or settler goroutine outlives it;
// a subscription left to its context is ended by Close.
func TestWaitsEndTheirSubscriptions(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	ctx, cancel := testContext(t, 2*time.Minute)
	defer cancel()
	name := ns + "_app"
	for i := range 3 {
		deploy(t, e, testStack(ns, app{labels: map[string]string{"v": string(rune('a' + i))}}))
		if vd, err := converge.Wait(ctx, e, name, converge.Options{}); err != nil || !vd.Converged {
			t.Fatalf("wait %d: %+v, %v", i, vd, err)
		}
		if n := settledGoroutines(e, 10*time.Second); n != 0 {
			t.Fatalf("after wait %d, %d subscription goroutines are still running, want 0", i, n)
		}
	}
	sub := e.Subscribe(ctx)
	if n := e.goroutines.Load(); n < 2 {
		t.Fatalf("an open subscription runs %d goroutines, want its reader and ticker", n)
	}
	sub.Close()
	if n := settledGoroutines(e, 10*time.Second); n != 0 {
		t.Errorf("after Close, %d subscription goroutines are still running, want 0", n)
	}
}

// settledGoroutines waits up to limit for e's subscription goroutines to
// end, and returns how many are left.
func settledGoroutines(e *Engine, limit time.Duration) int64 {
	deadline := time.Now().Add(limit)
	for e.goroutines.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return e.goroutines.Load()
}
