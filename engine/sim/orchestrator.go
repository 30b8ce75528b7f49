package sim

import (
	"slices"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
)

// slot is the runnable tasks (desired state ≤ running) of one slot.
type slot struct {
	n     uint64
	tasks []*task
}

// runnableSlots groups svc's tasks with desired state ≤ running by slot,
// in slot order (swarmkit's updatable slots).
func runnableSlots(svc *service) []slot {
	var out []slot
	at := map[uint64]int{} // slot number → index in out
	for _, t := range svc.tasks {
		if t.reaped || rank(t.desired) > runningRank {
			continue
		}
		i, ok := at[t.slot]
		if !ok {
			i = len(out)
			at[t.slot] = i
			out = append(out, slot{n: t.slot})
		}
		out[i].tasks = append(out[i].tasks, t)
	}
	slices.SortFunc(out, func(a, b slot) int { return int(a.n) - int(b.n) })
	return out
}

// reconcile is the replicated orchestrator's reaction to a service write
// (replicated/services.go reconcile, docs/swarm-semantics.md §5): hand the slots to the updater,
// then add missing slots from the current spec or remove surplus ones.
func (s *Sim) reconcile(svc *service) {
	if s.services[svc.name] != svc {
		return
	}
	if svc.spec.spec.Mode.Global != nil {
		s.reconcileGlobal(svc)
		return
	}
	slots := runnableSlots(svc)
	want := replicaCount(svc)
	if len(slots) > want {
		// Keep running slots and low slot numbers; remove the rest.
		keep := slices.Clone(slots)
		slices.SortStableFunc(keep, func(a, b slot) int { return boolInt(!runs(a)) - boolInt(!runs(b)) })
		for _, sl := range keep[want:] {
			for _, t := range sl.tasks {
				s.setDesired(t, swarm.TaskStateRemove)
			}
		}
		slots = keep[:want]
	}
	s.runUpdater(svc, slots)
	have := map[uint64]bool{}
	for _, sl := range slots {
		have[sl.n] = true
	}
	for n := uint64(1); len(have) < want; n++ {
		if !have[n] {
			have[n] = true
			s.newTask(svc, svc.spec, n, swarm.TaskStateRunning)
		}
	}
}

// reconcileGlobal is the global orchestrator's reaction to a service or
// node change (global.go reconcileServices, reconcileOneNode): slot n is
// the task of node n. Nodes the service may not run on (down, drained,
// not meeting its constraints) get their tasks shut down; paused nodes
// are left as they are; the other nodes' tasks go to the updater, and a
// node without one gets a new task.
func (s *Sim) reconcileGlobal(svc *service) {
	have := map[uint64]slot{}
	for _, sl := range runnableSlots(svc) {
		have[sl.n] = sl
	}
	var update []slot
	var missing []uint64
	for i, n := range s.nodes {
		sl, ok := have[uint64(i+1)]
		switch {
		case !s.globalFits(svc, n):
			for _, t := range sl.tasks {
				s.setDesired(t, swarm.TaskStateShutdown)
			}
		case n.availability == swarm.NodeAvailabilityPause:
		case ok:
			update = append(update, sl)
		default:
			missing = append(missing, uint64(i+1))
		}
	}
	s.runUpdater(svc, update)
	for _, n := range missing {
		s.newTask(svc, svc.spec, n, swarm.TaskStateRunning)
	}
}

func runs(sl slot) bool {
	return slices.ContainsFunc(sl.tasks, func(t *task) bool { return t.state == swarm.TaskStateRunning })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// onTask is the managers' reaction to a write of task t, which left it in
// state: the restart supervisor, the updater's watches, delayed starts
// waiting for t to stop, and the task reaper.
func (s *Sim) onTask(t *task, state swarm.TaskState) {
	svc := t.svc
	if s.services[svc.name] != svc {
		return
	}
	u := svc.upd
	if t.terminal() && rank(t.desired) <= runningRank {
		if u != nil && u.wouldRollBack(t, state) && s.rollbackWins() {
			// The rollback won the race with the restart supervisor
			// (docs/swarm-semantics.md §15): the restart runs once the
			// rollback has restored the old spec.
			u.taskEvent(t, state)
			u = nil
			s.post(func() { s.restartAfterRollback(t) })
		} else {
			s.restart(t)
		}
	}
	if u != nil {
		u.taskEvent(t, state)
	}
	if rank(state) > runningRank {
		ws := t.stopWaiters
		t.stopWaiters = nil
		for _, w := range ws {
			w.oldStopped()
		}
		s.reap(svc, t.slot)
	}
}

// restart replaces a task that ended while meant to run (restart.go
// Restart): its desired state becomes shutdown and, if the restart policy
// allows, a replacement from the service's CURRENT spec starts after the
// restart delay (docs/swarm-semantics.md §3). Replacements are not the updater's
// tasks, so their failures never count (docs/swarm-semantics.md §7).
func (s *Sim) restart(t *task) {
	_, delay, _, _ := restartPolicy(&t.rec.spec.TaskTemplate)
	s.replace(t, delay, !t.terminal())
}

// replace is the restart supervisor's Restart of t: desired shutdown, and
// a replacement in its slot from the current spec, started after delay
// and, with waitStop, once t stopped (or a minute passed). A global
// service's task is not replaced on a node it may no longer run on.
func (s *Sim) replace(t *task, delay time.Duration, waitStop bool) {
	svc := t.svc
	s.setDesired(t, swarm.TaskStateShutdown)
	if !s.shouldRestart(t) || (t.pinned != nil && !s.globalFits(svc, t.pinned)) {
		return
	}
	nt := s.newTask(svc, svc.spec, t.slot, swarm.TaskStateReady)
	svc.restarts[t.slot] = append(svc.restarts[t.slot], s.now())
	s.delayStart(t, nt, delay, waitStop, nil)
}

// restartAfterRollback is the restart of a failed task once a rollback
// has restored the old spec. The replacement comes from the restored
// spec; in a slot that still runs a task of that spec (start-first's old
// task) the rollback finds the slot clean, completes at once, and shuts
// the replacement down before it starts, as a real swarm was seen to do
// (docs/swarm-semantics.md §15).
func (s *Sim) restartAfterRollback(t *task) {
	if rank(t.desired) > runningRank {
		return
	}
	for _, o := range t.svc.slotTasks(t.slot) {
		if o != t && o.desired == swarm.TaskStateRunning && !o.terminal() && !dirty(o, t.svc.spec) {
			s.setDesired(t, swarm.TaskStateShutdown)
			if s.shouldRestart(t) {
				nt := s.newTask(t.svc, t.svc.spec, t.slot, swarm.TaskStateReady)
				t.svc.restarts[t.slot] = append(t.svc.restarts[t.slot], s.now())
				s.setDesired(nt, swarm.TaskStateShutdown)
			}
			return
		}
	}
	s.restart(t)
}

// shouldRestart applies the failed task's restart policy (restart.go
// shouldRestart): condition none never, on-failure not after exit 0, and
// at most MaxAttempts restarts of the slot (within Window when set).
func (s *Sim) shouldRestart(t *task) bool {
	cond, _, maxAttempts, window := restartPolicy(&t.rec.spec.TaskTemplate)
	switch {
	case cond == swarm.RestartPolicyConditionNone:
		return false
	case cond == swarm.RestartPolicyConditionOnFailure && t.state == swarm.TaskStateComplete:
		return false
	case maxAttempts == 0:
		return true
	}
	n := uint64(0)
	for _, at := range t.svc.restarts[t.slot] {
		if window == 0 || s.now().Sub(at) <= window {
			n++
		}
	}
	return n < maxAttempts
}

// delayed is a start the restart supervisor holds back (DelayStart): until
// the delay passed and, when waiting for an old task, until that task
// stopped or oldTaskTimeout passed.
type delayed struct {
	s          *Sim
	t          *task
	delaying   bool
	waitingOld bool
	fired      bool
	done       func()
	timers     []*clock.Timer
}

// delayStart moves t to desired running after delay and, with waitStop,
// after old stopped (or a minute passed). done runs when it did.
func (s *Sim) delayStart(old, t *task, delay time.Duration, waitStop bool, done func()) {
	d := &delayed{s: s, t: t, done: done}
	if delay > 0 {
		d.delaying = true
		d.timers = append(d.timers, s.after(delay, func() { d.delaying = false; d.try() }))
	}
	if waitStop && old != nil && !old.terminal() {
		d.waitingOld = true
		old.stopWaiters = append(old.stopWaiters, d)
		d.timers = append(d.timers, s.after(oldTaskTimeout, d.oldStopped))
	}
	s.post(d.try)
}

func (d *delayed) oldStopped() { d.waitingOld = false; d.try() }

func (d *delayed) try() {
	if d.fired || d.delaying || d.waitingOld {
		return
	}
	d.fired = true
	for _, tm := range d.timers {
		tm.Stop()
	}
	if rank(d.t.desired) < runningRank && !d.t.terminal() { // StartNow
		d.s.setDesired(d.t, swarm.TaskStateRunning)
	}
	if d.done != nil {
		d.done()
	}
}

// reap keeps at most historyRetention tasks in a slot, dropping the oldest
// finished ones (the task reaper, docs/swarm-semantics.md §12).
func (s *Sim) reap(svc *service, n uint64) {
	ts := svc.slotTasks(n)
	excess := len(ts) - historyRetention
	for i := 0; i < len(ts) && excess > 0; i++ {
		if t := ts[i]; t.terminal() && rank(t.desired) > runningRank {
			svc.dropTask(t) // removes it from ts's backing array
			ts = svc.slotTasks(n)
			i--
			excess--
		}
	}
}
