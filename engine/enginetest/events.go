package enginetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// eventCases: what a subscription delivers, and how it ends.
var eventCases = []Case{
	{"SubscribeSeesServiceAndTasks", subscribeSeesServiceAndTasks},
	{"NextHonoursDeadline", nextHonoursDeadline},
	{"NextEndsWithContext", nextEndsWithContext},
	{"CloseEndsSubscription", closeEndsSubscription},
	{"CloseWakesNext", closeWakesNext},
}

// seen is what a subscriber saw of one service, from the engine's clock
// reading since.
type seen struct {
	clk              clock.Clock
	since            time.Time
	created, updated bool
	tasks            map[string]bool // task IDs with state and desired
	bad              []string        // events breaking the contract
}

func (s *seen) String() string {
	return fmt.Sprintf("create %v, update %v, tasks %v, bad %v", s.created, s.updated, s.tasks, s.bad)
}

// note records ev when it is about service name with ID id.
func (s *seen) note(ev engine.Event, name, id string) {
	if ev.Service != name {
		return
	}
	if ev.Time.Before(s.since.Add(-clockSlack)) || ev.Time.After(s.clk.Now().Add(clockSlack)) {
		s.bad = append(s.bad, fmt.Sprintf("%s event %s at %s, before the deploy or in the future", ev.Type, ev.Action, ev.Time))
	}
	switch {
	case ev.Type == "service" && ev.ID != id && ev.ID != "":
		s.bad = append(s.bad, fmt.Sprintf("service event %s with ID %s, want %s", ev.Action, ev.ID, id))
	case ev.Type == "service" && ev.ID == id && ev.Action == "create":
		s.created = true
	case ev.Type == "service" && ev.ID == id && ev.Action == "update":
		s.updated = true
	case ev.Type == "task" && ev.Attributes["state"] != "" && ev.Attributes["desired"] != "":
		s.tasks[ev.ID] = true
	case ev.Type == "task":
		s.bad = append(s.bad, fmt.Sprintf("task event %s %s without state and desired: %v", ev.Action, ev.ID, ev.Attributes))
	}
}

// subscribeSeesServiceAndTasks: a subscription sees the service's create
// and update events (its full name and ID) and task events of its tasks
// with "state" and "desired" attributes, each at a time of the engine's
// clock. (A service event without an ID is an engine's own, engine.Event.)
func subscribeSeesServiceAndTasks(t *testing.T, tg Target) {
	ns := tg.Namespace()
	name := app(ns)
	sub := tg.Engine.Subscribe(t.Context())
	defer sub.Close()
	s := &seen{clk: tg.Engine.Clock(), since: tg.Engine.Clock().Now(), tasks: map[string]bool{}}
	deploy(t, tg, tg.Stack(ns, version(1), false))
	id := service(t, tg, name).ID
	follow(t, tg, sub, "the create event and a task event", func(ev engine.Event) bool {
		s.note(ev, name, id)
		return s.created && len(s.tasks) > 0
	}, s)
	deploy(t, tg, tg.Stack(ns, version(2), false))
	follow(t, tg, sub, "the update event", func(ev engine.Event) bool {
		s.note(ev, name, id)
		return s.updated
	}, s)
	for _, tk := range tasks(t, tg, name, false) {
		delete(s.tasks, tk.ID)
	}
	if len(s.tasks) > 0 || len(s.bad) > 0 {
		t.Errorf("events of %s: %v; want only task events of its tasks, each with state and desired", name, s)
	}
}

// follow reads sub until done, at most tg.Limit on the engine's clock.
func follow(t *testing.T, tg Target, sub engine.Subscription, what string, done func(engine.Event) bool, saw fmt.Stringer) {
	t.Helper()
	deadline := tg.Engine.Clock().Now().Add(tg.Limit)
	for {
		ev, err := sub.Next(t.Context(), deadline)
		if err != nil {
			t.Fatalf("waiting for %s: %v; saw %v", what, err, saw)
		}
		if done(ev) {
			return
		}
	}
}

// nextHonoursDeadline: Next returns clock.ErrDeadline once its deadline
// has passed on the engine's clock (events of others may come first), and
// not much later.
func nextHonoursDeadline(t *testing.T, tg Target) {
	clk := tg.Engine.Clock()
	sub := tg.Engine.Subscribe(t.Context())
	defer sub.Close()
	deadline := clk.Now().Add(300 * time.Millisecond)
	err := drain(t.Context(), sub, deadline)
	now := clk.Now()
	if !errors.Is(err, clock.ErrDeadline) {
		t.Fatalf("Next past its deadline: %v, want clock.ErrDeadline", err)
	}
	if now.Before(deadline) || now.After(deadline.Add(time.Second)) {
		t.Errorf("Next returned ErrDeadline at %s, %s after its deadline; want within a second after it",
			now, now.Sub(deadline))
	}
}

// drain reads sub until Next fails, and returns that error.
func drain(ctx context.Context, sub engine.Subscription, deadline time.Time) error {
	for {
		if _, err := sub.Next(ctx, deadline); err != nil {
			return err
		}
	}
}

// nextEndsWithContext: Next gives the context's error when its own ctx is
// done, and when the subscription's is (after what was queued).
func nextEndsWithContext(t *testing.T, tg Target) {
	sub := tg.Engine.Subscribe(t.Context())
	defer sub.Close()
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if err := drain(done, sub, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Next(a cancelled ctx): %v, want context.Canceled", err)
	}
	subCtx, cancelSub := context.WithCancel(t.Context())
	ended := tg.Engine.Subscribe(subCtx)
	defer ended.Close()
	cancelSub()
	deadline := tg.Engine.Clock().Now().Add(tg.Limit)
	if err := drain(t.Context(), ended, deadline); !errors.Is(err, context.Canceled) {
		t.Errorf("Next once the subscription's ctx ended: %v, want context.Canceled", err)
	}
}

// closeEndsSubscription: after Close, Next returns engine.ErrClosed, even
// with events queued; closing twice is harmless.
func closeEndsSubscription(t *testing.T, tg Target) {
	ns := tg.Namespace()
	sub := tg.Engine.Subscribe(t.Context())
	deploy(t, tg, tg.Stack(ns, version(1), false))
	service(t, tg, app(ns))
	sub.Close()
	for i := range 2 {
		if _, err := sub.Next(t.Context(), tg.Engine.Clock().Now().Add(tg.Limit)); !errors.Is(err, engine.ErrClosed) {
			t.Errorf("Next after Close (%d): %v, want engine.ErrClosed", i+1, err)
		}
		sub.Close()
	}
}

// closeWakesNext: a Next waiting when another thread of the engine's clock
// closes its subscription returns engine.ErrClosed then, not at its
// deadline.
func closeWakesNext(t *testing.T, tg Target) {
	clk := tg.Engine.Clock()
	sub := tg.Engine.Subscribe(t.Context())
	clk.Go(func() {
		clk.Sleep(t.Context(), 100*time.Millisecond)
		sub.Close()
	})
	start := clk.Now()
	err := drain(t.Context(), sub, start.Add(tg.Limit))
	if took := clk.Now().Sub(start); !errors.Is(err, engine.ErrClosed) || took > tg.Limit/2 {
		t.Errorf("Next while another thread closed its subscription: %v after %s, want engine.ErrClosed at once", err, took)
	}
}
