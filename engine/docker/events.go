package docker

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Subscriptions follow the daemon's /events stream (type=service and
// type=container), so a waiter learns of every write to a service, including
// the updater's UpdateStatus changes, as the swarm makes it. Container start,
// die, oom and health_status events of swarm tasks become "task" events.
//
// Besides the daemon's events, a subscription emits a synthetic "service"
// "update" event carrying the attribute chaosrun.recheck for each service
// deployed through the engine:
//
//   - "tick" every RecheckInterval, a safety net for changes the daemon has
//     no event for (a task rejected before it had a container);
//   - "reconnect" after the event stream was re-established, since events
//     may have been missed in between.
//
// Events keep the daemon's order, except that a task event is emitted once
// the task's state reflects its container event (looked up at most
// taskSettle later), so it may come after service events that followed it.

// RecheckAttr is the attribute of a synthetic event asking for inspection.
const RecheckAttr = "chaosrun.recheck"

// RecheckInterval is how often a subscription asks for a safety re-check.
const RecheckInterval = 2 * time.Second

const (
	taskSettle      = 2 * time.Second  // bound on waiting for a task's state to follow its container
	streamFailAfter = 15 * time.Second // reconnect failures for this long make Next fail
	maxQueued       = 4096             // events kept for a reader that does not keep up
)

// subscription is a Subscription on the daemon's event stream.
type subscription struct {
	e      *Engine
	ctx    context.Context // ends on Close or when the caller's ends
	cancel context.CancelFunc
	sig    clock.Signal

	mu     sync.Mutex
	queue  []engine.Event
	err    error // the stream has been failing; cleared on reconnect
	closed bool
}

// Subscribe starts following the daemon's events; it returns once the
// stream is established (or its first attempt failed), so nothing that
// happens after Subscribe returns is missed. Close, or the end of ctx, ends
// the stream and its goroutines.
func (e *Engine) Subscribe(ctx context.Context) engine.Subscription {
	ctx, cancel := context.WithCancel(ctx)
	s := &subscription{e: e, ctx: ctx, cancel: cancel, sig: clock.Real{}.NewSignal()}
	since := e.DaemonTime(time.Now())
	if !strings.HasPrefix(e.host, "unix://") {
		since = since.Add(-time.Second) // our estimate of a remote clock is rough
	}
	msgs, errs := e.openEvents(ctx, since)
	e.goroutines.Add(2)
	go s.run(msgs, errs)
	go s.tick()
	return s
}

// Close ends the daemon's event stream and the subscription's goroutines.
func (s *subscription) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.sig.Notify()
}

// openEvents opens the event stream from since.
func (e *Engine) openEvents(ctx context.Context, since time.Time) (<-chan events.Message, <-chan error) {
	return e.cli.Events(ctx, events.ListOptions{
		Since: timestamp(since),
		Filters: filters.NewArgs(
			filters.Arg("type", string(events.ServiceEventType)),
			filters.Arg("type", string(events.ContainerEventType))),
	})
}

// timestamp formats t as the Engine's seconds.nanoseconds.
func timestamp(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }

// replayMargin is how far before the newest event seen a reconnect asks
// the daemon to replay from: service events carry the time of the swarm's
// write, so they can reach the stream after newer container events.
const replayMargin = 5 * time.Second

// run reads the stream, reconnecting after failures, until ctx ends.
func (s *subscription) run(msgs <-chan events.Message, errs <-chan error) {
	defer s.e.goroutines.Add(-1)
	defer s.sig.Notify()
	var newest time.Time // daemon time of the newest event seen
	seen := newRecent(1024)
	var failingSince time.Time
	for {
		err := s.read(msgs, errs, &newest, seen)
		if s.ctx.Err() != nil {
			return
		}
		if failingSince.IsZero() {
			failingSince = time.Now()
		}
		if time.Since(failingSince) > streamFailAfter {
			s.fail(unavailable("event stream from the docker daemon at %s: %s", s.e.host, reason(err, s.e.host)))
		}
		if (clock.Real{}).Sleep(s.ctx, 500*time.Millisecond) != nil {
			return
		}
		since := newest.Add(-replayMargin) // daemon time
		if newest.IsZero() {
			since = s.e.DaemonTime(failingSince.Add(-replayMargin))
		}
		msgs, errs = s.e.openEvents(s.ctx, since)
		select {
		case err := <-errs: // the client reports a failed connect at once
			msgs, errs = nil, closedWith(err)
			continue
		default:
		}
		failingSince = time.Time{}
		s.recover()
	}
}

// closedWith is an error channel holding err.
func closedWith(err error) <-chan error {
	c := make(chan error, 1)
	c <- err
	return c
}

// read passes events on until the stream fails, returning its error. Events
// seen before (replayed after a reconnect) are skipped.
func (s *subscription) read(msgs <-chan events.Message, errs <-chan error, newest *time.Time, seen *recent) error {
	for {
		select {
		case m := <-msgs:
			key := fmt.Sprintf("%s/%s/%s/%d", m.Type, m.Action, m.Actor.ID, m.TimeNano)
			if !seen.add(key) {
				continue
			}
			if t := time.Unix(0, m.TimeNano); t.After(*newest) {
				*newest = t
			}
			s.handle(m)
		case err := <-errs:
			return err
		}
	}
}

// recent is a bounded set of the keys of the latest events.
type recent struct {
	keys  map[string]bool
	order []string
	limit int
}

func newRecent(limit int) *recent { return &recent{keys: map[string]bool{}, limit: limit} }

// add records key; it returns false when key is already there.
func (r *recent) add(key string) bool {
	if r.keys[key] {
		return false
	}
	r.keys[key] = true
	r.order = append(r.order, key)
	if len(r.order) > r.limit {
		delete(r.keys, r.order[0])
		r.order = r.order[1:]
	}
	return true
}

// handle maps one daemon event.
func (s *subscription) handle(m events.Message) {
	switch m.Type {
	case events.ServiceEventType:
		s.push(engine.Event{Time: time.Unix(0, m.TimeNano), Type: "service", Action: string(m.Action),
			Service: m.Actor.Attributes["name"], ID: m.Actor.ID, Attributes: maps.Clone(m.Actor.Attributes)})
	case events.ContainerEventType:
		ev, ok := taskEvent(m)
		if !ok {
			return
		}
		s.e.goroutines.Add(1)
		go s.settle(ev)
	}
}

// push queues events and wakes a waiting Next.
func (s *subscription) push(evs ...engine.Event) {
	s.mu.Lock()
	s.queue = append(s.queue, evs...)
	if n := len(s.queue) - maxQueued; n > 0 {
		s.queue = s.queue[n:]
	}
	s.mu.Unlock()
	s.sig.Notify()
}

func (s *subscription) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	s.sig.Notify()
}

// recover clears a stream failure and asks for a re-check of every service.
func (s *subscription) recover() {
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	s.push(s.rechecks("reconnect")...)
}

// tick asks for a safety re-check every RecheckInterval.
func (s *subscription) tick() {
	defer s.e.goroutines.Add(-1)
	t := time.NewTicker(RecheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.push(s.rechecks("tick")...)
		}
	}
}

// rechecks are synthetic events asking to inspect each deployed service,
// skipping services that already have one queued.
func (s *subscription) rechecks(why string) []engine.Event {
	s.mu.Lock()
	pending := map[string]bool{}
	for _, ev := range s.queue {
		if ev.Attributes[RecheckAttr] != "" {
			pending[ev.Service] = true
		}
	}
	s.mu.Unlock()
	now := s.e.DaemonTime(time.Now())
	var out []engine.Event
	for _, name := range s.e.deployedNames() {
		if !pending[name] {
			out = append(out, engine.Event{Time: now, Type: "service", Action: "update", Service: name,
				Attributes: map[string]string{"name": name, RecheckAttr: why}})
		}
	}
	return out
}

// Next returns the next event, clock.ErrDeadline at the deadline, or the
// error that ended the subscription.
func (s *subscription) Next(ctx context.Context, deadline time.Time) (engine.Event, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return engine.Event{}, engine.ErrClosed
		}
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return ev, nil
		}
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return engine.Event{}, err
		}
		if err := s.ctx.Err(); err != nil {
			return engine.Event{}, err
		}
		if err := s.sig.Wait(ctx, deadline); err != nil {
			return engine.Event{}, err
		}
	}
}
