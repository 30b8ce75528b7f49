package docker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
)

// TestObserveSeesOnlyItsOwnServices: an engine's observer reports its
// own services' changes, with the daemon's task timestamps and the
// final state it looks at when stopped, and nothing of a service another
// engine deploys on the same daemon (CI once mixed a concurrent test's
// stack into a timeline).
func TestObserveSeesOnlyItsOwnServices(t *testing.T) {
	mine, ns := newTestEngine(t, Options{})
	other, otherNS := newTestEngine(t, Options{})
	var mu sync.Mutex
	var changes []engine.Change
	start := time.Now()
	stop := mine.Observe(context.Background(), func(ch engine.Change) {
		mu.Lock()
		changes = append(changes, ch)
		mu.Unlock()
	})
	sub := mine.Subscribe(context.Background())
	defer sub.Close()
	deploy(t, other, testStack(otherNS, app{}))
	deploy(t, mine, testStack(ns, app{}))
	waitRunning(t, mine, sub, ns+"_app", 1, time.Minute)
	stop()
	mu.Lock()
	defer mu.Unlock()
	running := false
	for _, ch := range changes {
		if ch.Service != ns+"_app" {
			t.Errorf("a change of %s, which this engine did not deploy", ch.Service)
		}
		if ch.Task != "" && ch.State == "running" {
			running = true
			if ch.Time.Before(start) || ch.Time.After(time.Now()) || ch.Labels == nil {
				t.Errorf("running at %v (test began %v), labels %v: want a time within the test and the spec's labels", ch.Time, start, ch.Labels)
			}
		}
	}
	if !running {
		t.Errorf("no change showed the task running: %+v", changes)
	}
}
