package sim

import (
	"context"

	"github.com/coop-cloud/chaosrun/engine"
)

// watcher is one Observe call's callback, live until stopped.
type watcher struct {
	watch   func(engine.Change)
	stopped bool
}

// Observe calls watch for every task and service write from now on, in
// the order they happen, with the simulator's lock held (engine.Observer).
// It costs nothing while no one observes.
func (s *Sim) Observe(ctx context.Context, watch func(engine.Change)) (stop func()) {
	w := &watcher{watch: watch}
	s.lock()
	s.watchers = append(s.watchers, w)
	s.unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.stopped = true
		live := s.watchers[:0]
		for _, o := range s.watchers {
			if !o.stopped {
				live = append(live, o)
			}
		}
		clear(s.watchers[len(live):])
		s.watchers = live
	}
}

// observe hands ch to every watcher.
func (s *Sim) observe(ch engine.Change) {
	for _, w := range s.watchers {
		w.watch(ch)
	}
}

// observeTask reports t's current state to the watchers.
func (s *Sim) observeTask(t *task) {
	if len(s.watchers) == 0 {
		return
	}
	ch := engine.Change{Time: t.updated, Service: t.svc.name, Task: t.id, Slot: int(t.slot),
		State: string(t.state), Desired: string(t.desired), Err: t.err, Labels: t.rec.spec.Labels}
	if t.pinned != nil {
		ch.Slot = 0 // a global service's task, as Tasks shows it
	}
	if t.node != nil {
		ch.Node = t.node.name
	}
	s.observe(ch)
}

// observeService reports svc's update state to the watchers.
func (s *Sim) observeService(svc *service, removed bool) {
	if len(s.watchers) == 0 {
		return
	}
	ch := engine.Change{Time: s.now(), Service: svc.name, Labels: svc.spec.spec.Labels, Removed: removed}
	if st := svc.status; st != nil {
		ch.UpdateState, ch.Message = string(st.State), st.Message
	}
	s.observe(ch)
}
