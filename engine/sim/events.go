package sim

import (
	"context"
	"time"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// maxQueued bounds the events kept for a subscriber that stops reading
// (the oldest go first), so forgotten subscriptions cannot grow forever.
const maxQueued = 1 << 16

// subscription queues every event for one subscriber, so none is lost; Next
// blocks on a clock signal, in virtual time.
type subscription struct {
	s      *Sim
	ctx    context.Context
	sig    clock.Signal
	queue  []engine.Event // queue[head:] is unread
	head   int
	dirty  bool // got events since the last wake-up
	closed bool
}

// Subscribe starts a stream of service events (create, update with the
// Engine's updatestate/image/replicas attributes of docs/swarm-semantics.md §16, remove) and task
// events (Type "task", Attributes "state" and "desired"). It ends on Close
// or when ctx is done.
func (s *Sim) Subscribe(ctx context.Context) engine.Subscription {
	if ctx == nil {
		ctx = context.Background()
	}
	sub := &subscription{s: s, ctx: ctx, sig: s.clk.NewSignal()}
	s.lock()
	defer s.unlock()
	s.subs = append(s.subs, sub)
	return sub
}

// emit queues ev for every live subscriber.
func (s *Sim) emit(ev engine.Event) {
	live := s.subs[:0]
	for _, sub := range s.subs {
		if sub.closed || sub.ctx.Err() != nil {
			continue
		}
		sub.queue = append(sub.queue, ev) // Attributes shared: read-only (engine.Event)
		if len(sub.queue)-sub.head > maxQueued {
			sub.head = len(sub.queue) - maxQueued
		}
		sub.dirty = true
		live = append(live, sub)
	}
	clear(s.subs[len(live):])
	s.subs = live
}

// Next returns the next event, clock.ErrDeadline at the deadline (zero:
// none), or the context's error.
func (sub *subscription) Next(ctx context.Context, deadline time.Time) (engine.Event, error) {
	for {
		sub.s.mu.Lock()
		if sub.closed {
			sub.s.mu.Unlock()
			return engine.Event{}, engine.ErrClosed
		}
		if sub.head < len(sub.queue) {
			ev := sub.queue[sub.head]
			sub.queue[sub.head] = engine.Event{}
			if sub.head++; sub.head == len(sub.queue) {
				sub.queue, sub.head = sub.queue[:0], 0 // read up: the array is reused
			}
			sub.s.mu.Unlock()
			return ev, nil
		}
		sub.s.mu.Unlock()
		if err := sub.ctx.Err(); err != nil {
			return engine.Event{}, err
		}
		if err := sub.sig.Wait(ctx, deadline); err != nil {
			return engine.Event{}, err
		}
	}
}

// Close drops the subscription from the simulator and its queue with it,
// and wakes a Next waiting on it (to return engine.ErrClosed, as the
// docker engine's does).
func (sub *subscription) Close() {
	s := sub.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sub.closed, sub.queue, sub.head = true, nil, 0
	sub.sig.Notify()
	live := s.subs[:0]
	for _, other := range s.subs {
		if other != sub {
			live = append(live, other)
		}
	}
	clear(s.subs[len(live):])
	s.subs = live
}

// liveSubscriptions counts the subscriptions still queueing events.
func (s *Sim) liveSubscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sub := range s.subs {
		if !sub.closed && sub.ctx.Err() == nil {
			n++
		}
	}
	return n
}
