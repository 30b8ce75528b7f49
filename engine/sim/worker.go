package sim

import (
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// work is the updater's worker for one dirty slot (updater.go worker,
// docs/swarm-semantics.md §5): a clean task meant to run (or about to) is kept and the others
// shut down; otherwise a new task is made from the update's spec.
func (u *updater) work(sl slot) {
	sl = u.current(sl.n)
	var running, clean *task
	for _, t := range sl.tasks {
		if dirty(t, u.rec) {
			continue
		}
		if t.desired == swarm.TaskStateRunning {
			running = t
			break
		}
		if rank(t.desired) < runningRank {
			clean = t
		}
	}
	switch {
	case running != nil:
		u.useExisting(sl, running)
	case clean != nil:
		u.useExisting(sl, clean)
	default:
		u.updateTask(sl)
	}
}

// current is slot n's runnable tasks now. swarmkit's workers use the slot
// as reconcile saw it; reading it afresh keeps restart replacements made
// meanwhile from surviving next to the new task.
func (u *updater) current(n uint64) slot {
	sl := slot{n: n}
	for _, t := range u.svc.slotTasks(n) {
		if rank(t.desired) <= runningRank {
			sl.tasks = append(sl.tasks, t)
		}
	}
	return sl
}

// updateTask creates the slot's new task, tracked as this run's (its
// failures count), and starts it: start-first at once, stop-first once the
// old task stopped or a minute passed (docs/swarm-semantics.md §5). The worker then waits,
// without a timeout, for the new task to reach running or beyond.
func (u *updater) updateTask(sl slot) {
	s := u.s
	nt := s.newTask(u.svc, u.rec, sl.n, swarm.TaskStateReady)
	u.updated[nt] = time.Time{}
	startFirst := u.cfg.Order == swarm.UpdateOrderStartFirst
	if startFirst {
		s.delayStart(nil, nt, 0, false, nil)
	} else {
		old := u.removeOld(sl, nt)
		s.delayStart(old, nt, 0, true, nil)
	}
	u.waits[nt] = &job{sl: sl, startFirst: startFirst}
}

// useExisting keeps existing, shuts the slot's other tasks down, and
// starts existing if it is not meant to run yet.
func (u *updater) useExisting(sl slot, existing *task) {
	old := u.removeOld(sl, existing)
	if existing.desired == swarm.TaskStateRunning {
		u.slotDone()
		return
	}
	u.s.delayStart(old, existing, 0, true, func() {
		if u.phase != phaseDone {
			u.slotDone()
		}
	})
}

// removeOld sets desired shutdown on the slot's runnable tasks except
// keep, and returns one of them (nil if none).
func (u *updater) removeOld(sl slot, keep *task) *task {
	var removed *task
	for _, t := range u.current(sl.n).tasks {
		if t == keep || rank(t.desired) > runningRank {
			continue
		}
		u.s.setDesired(t, swarm.TaskStateShutdown)
		removed = t
	}
	return removed
}

// slotDone frees the worker after the update delay.
func (u *updater) slotDone() {
	free := func() {
		if u.phase == phaseDone {
			return
		}
		u.idle++
		u.pump()
	}
	if u.cfg.Delay > 0 {
		u.timers = append(u.timers, u.s.after(u.cfg.Delay, free))
		return
	}
	u.s.post(free)
}

// start is startUpdate (docs/swarm-semantics.md §4): UPDATING, "update in progress", unless a
// status is already set.
func (u *updater) start() {
	if u.svc.status != nil {
		return
	}
	now := u.s.now()
	u.s.setStatus(u.svc, swarm.UpdateStatus{State: swarm.UpdateStateUpdating, Message: "update in progress",
		StartedAt: &now}, nil)
}

// pause is pauseUpdate (docs/swarm-semantics.md §4): PAUSED, or ROLLBACK_PAUSED during a
// rollback, with msg; no CompletedAt. A nil status (the service was updated
// since) is left alone.
func (u *updater) pause(msg string) {
	if u.svc.status == nil {
		return
	}
	st := *u.svc.status
	st.State = swarm.UpdateStatePaused
	if u.svc.status.State == swarm.UpdateStateRollbackStarted {
		st.State = swarm.UpdateStateRollbackPaused
	}
	st.Message = msg
	u.s.setStatus(u.svc, st, nil)
}

// rollback is rollbackUpdate (docs/swarm-semantics.md §4): ROLLBACK_STARTED with msg, StartedAt
// kept, Spec ← PreviousSpec, PreviousSpec ← nil, in one write; without a
// previous spec the write is discarded. The orchestrator then reconciles
// towards the restored spec.
func (u *updater) rollback(msg string) {
	svc := u.svc
	if svc.status == nil || svc.prev == nil {
		return
	}
	st := *svc.status
	st.State, st.Message = swarm.UpdateStateRollbackStarted, msg
	u.s.setStatus(svc, st, func() { svc.spec, svc.prev = svc.prev, nil })
	u.s.post(func() { u.s.reconcile(svc) })
}

// complete is completeUpdate (docs/swarm-semantics.md §4): ROLLBACK_STARTED becomes
// ROLLBACK_COMPLETED "rollback completed", anything else COMPLETED "update
// completed"; CompletedAt = now. A nil status is left alone.
func (u *updater) complete() {
	svc := u.svc
	if svc.status == nil {
		return
	}
	st := *svc.status
	if st.State == swarm.UpdateStateRollbackStarted {
		st.State, st.Message = swarm.UpdateStateRollbackCompleted, "rollback completed"
	} else {
		st.State, st.Message = swarm.UpdateStateCompleted, "update completed"
	}
	now := u.s.now()
	st.CompletedAt = &now
	u.s.setStatus(svc, st, nil)
}
