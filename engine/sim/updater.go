package sim

import (
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/deepcopy"
)

// phase is where an updater's Run is (swarmkit updater.go Run, docs/swarm-semantics.md §5).
type phase int

const (
	phaseSlots   phase = iota // slotsLoop: handing dirty slots to workers
	phaseDrain                // close(slotQueue); wg.Wait(): failure events queue up unread
	phaseMonitor              // the final monitor window
	phaseDone                 // Run returned
)

// updater is one run of swarmkit's Updater for a service, driven by task
// events and timers instead of goroutines.
type updater struct {
	s         *Sim
	svc       *service
	rec       *specRec           // the spec this update works towards
	snapState swarm.UpdateState  // UpdateStatus.State when the run started ("" for none)
	cfg       swarm.UpdateConfig // update or rollback config in force
	monitor   time.Duration      // monitoringPeriod
	slots     []slot             // dirty slots
	next      int                // next dirty slot to hand out
	idle      int                // workers waiting for a slot
	workers   int                // parallelism
	phase     phase
	stopped   bool
	watch     bool                // failures are watched (action ≠ continue)
	updated   map[*task]time.Time // tasks this run created → when seen ≥ running
	failed    map[*task]bool      // failures already counted
	failures  int
	queued    []*task        // failure events not yet read (phaseDrain)
	waits     map[*task]*job // new tasks awaited ≥ running
	timers    []*clock.Timer
}

// job is a worker's current slot.
type job struct {
	sl         slot
	startFirst bool
}

// runUpdater is Supervisor.Update (docs/swarm-semantics.md §5): an updater already working
// towards the same spec goes on; a different one is cancelled and a new
// run starts with the service as it is now. So a new spec mid-update
// starts over towards it, also during a rollback, and an identical one
// lets the old run go on with its status writes now no-ops (docs/swarm-semantics.md §11
// ).
func (s *Sim) runUpdater(svc *service, slots []slot) {
	if u := svc.upd; u != nil {
		if sameSpec(u.rec, svc.spec) {
			return
		}
		u.cancel()
	}
	u := &updater{s: s, svc: svc, rec: svc.spec, updated: map[*task]time.Time{},
		failed: map[*task]bool{}, waits: map[*task]*job{}}
	if svc.status != nil {
		u.snapState = svc.status.State
	}
	svc.upd = u
	u.run(slots)
}

// cleanRunLatency is how long an updater run that finds no dirty slot
// takes to write its completion: swarmkit runs it in a goroutine of its
// own, and a real swarm's watchers see rollback_started before
// rollback_completed even when the rollback has nothing to do.
const cleanRunLatency = 10 * time.Millisecond

// run is the start of Updater.Run: paused updates stay paused (docs/swarm-semantics.md §3
// ); no
// dirty slot completes an update or rollback in progress (docs/swarm-semantics.md §5) and writes
// nothing otherwise (docs/swarm-semantics.md §10); else the update starts (status UPDATING unless
// one is set) with the config of the spec in force (docs/swarm-semantics.md §5).
func (u *updater) run(all []slot) {
	switch u.snapState {
	case swarm.UpdateStatePaused, swarm.UpdateStateRollbackPaused:
		u.finish()
		return
	}
	for _, sl := range all {
		if u.slotDirty(sl) {
			u.slots = append(u.slots, sl)
		}
	}
	u.s.orderSlots(u.slots)
	if len(u.slots) == 0 {
		if st := u.snapState; st == swarm.UpdateStateUpdating || st == swarm.UpdateStateRollbackStarted {
			// The run's goroutine writes the completion a few
			// milliseconds later; a watcher sees the state before it
			// (docs/swarm-semantics.md §15).
			u.phase = phaseMonitor
			u.timers = append(u.timers, u.s.after(cleanRunLatency, func() {
				if u.phase == phaseMonitor {
					u.end()
				}
			}))
			return
		}
		u.finish()
		return
	}
	if u.snapState == "" {
		u.start()
	}
	spec := u.rec.spec
	c := spec.UpdateConfig
	if u.snapState == swarm.UpdateStateRollbackStarted {
		c = spec.RollbackConfig // the restored spec's RollbackConfig (docs/swarm-semantics.md §5)
	}
	u.cfg = effectiveUpdate(c)
	u.monitor = u.cfg.Monitor
	u.workers = int(u.cfg.Parallelism)
	if u.workers == 0 {
		u.workers = len(u.slots)
	}
	u.idle = u.workers
	u.watch = u.cfg.FailureAction != swarm.UpdateFailureActionContinue
	u.pump()
}

// dirty is orchestrator.IsTaskDirty (docs/swarm-semantics.md §5): a task is clean when made from
// the current spec record, else dirty iff its TaskTemplate or EndpointSpec
// differ. (PullOptions and placement-only exceptions are not modelled.)
func dirty(t *task, rec *specRec) bool {
	if t.rec == rec {
		return false
	}
	d, ok := t.rec.dirtyFor[rec]
	if !ok {
		d = !deepcopy.Equal(t.rec.spec.TaskTemplate, rec.spec.TaskTemplate) || !deepcopy.Equal(t.rec.spec.EndpointSpec, rec.spec.EndpointSpec)
		if t.rec.dirtyFor == nil {
			t.rec.dirtyFor = map[*specRec]bool{}
		}
		t.rec.dirtyFor[rec] = d
	}
	return d
}

func (u *updater) slotDirty(sl slot) bool {
	return len(sl.tasks) > 1 || (len(sl.tasks) == 1 && dirty(sl.tasks[0], u.rec))
}

// pump is slotsLoop handing slots to idle workers; when all are handed (or
// the loop broke), it waits for the workers and then monitors.
func (u *updater) pump() {
	for u.phase == phaseSlots && u.next < len(u.slots) && u.idle > 0 {
		u.idle--
		sl := u.slots[u.next]
		u.next++
		u.work(sl)
	}
	if u.phase == phaseSlots && u.next == len(u.slots) {
		u.phase = phaseDrain
	}
	if u.phase == phaseDrain && u.idle == u.workers {
		u.drained()
	}
}

// drained follows wg.Wait(): a stopped run ends; otherwise the final
// monitor window runs, one window after the last slot, widened to Delay+1s
// when Delay ≥ Monitor (docs/swarm-semantics.md §7), reading the failure events that queued up.
func (u *updater) drained() {
	if u.stopped {
		u.finish()
		return
	}
	if u.cfg.Delay >= u.monitor {
		u.monitor = u.cfg.Delay + time.Second
	}
	u.phase = phaseMonitor
	queued := u.queued
	u.queued = nil
	for _, t := range queued {
		if u.failure(t) {
			u.end()
			return
		}
	}
	u.timers = append(u.timers, u.s.after(u.monitor, func() {
		if u.phase == phaseMonitor {
			u.end()
		}
	}))
}

// end leaves the monitor loop: an update that was not stopped completes.
func (u *updater) end() {
	if !u.stopped {
		u.complete()
	}
	u.finish()
}

// finish marks the run over and lets the supervisor forget it.
func (u *updater) finish() {
	u.phase = phaseDone
	for _, tm := range u.timers {
		tm.Stop()
	}
	if u.svc.upd == u {
		u.svc.upd = nil
	}
}

// cancel is Updater.Cancel: workers abandon their waits and the run ends
// without writing anything.
func (u *updater) cancel() {
	u.stopped = true
	u.finish()
}

// taskEvent passes a task write to the run: first the failure watch
// (tasks of the service above running, only when the action is not
// continue, docs/swarm-semantics.md §8), then the worker waiting for a new task.
func (u *updater) taskEvent(t *task, state swarm.TaskState) {
	if u.phase == phaseDone {
		return
	}
	if u.watch && rank(state) > runningRank && u.nextSlotFirst(t) {
		// The worker's wait read the failure first and the freed worker
		// took the next slot before the failure was read
		// (docs/swarm-semantics.md §15).
		delete(u.waits, t)
		u.updated[t] = u.s.now()
		u.idle++
		u.pump()
	}
	if u.watch && rank(state) > runningRank {
		switch u.phase {
		case phaseSlots, phaseMonitor:
			if u.failure(t) {
				u.breakLoop()
			}
		case phaseDrain:
			u.queued = append(u.queued, t) // read once the monitor loop starts (docs/swarm-semantics.md §7)
		}
	}
	if u.phase == phaseDone {
		return
	}
	if j := u.waits[t]; j != nil && rank(state) >= runningRank {
		delete(u.waits, t)
		u.updated[t] = u.s.now()
		if j.startFirst && state == swarm.TaskStateRunning {
			u.removeOld(j.sl, t) // start-first: old tasks go only once the new one runs (docs/swarm-semantics.md §6)
		}
		u.slotDone()
	}
}

// nextSlotFirst is whether t's failure, awaited by a worker while slots
// remain to hand out and with no update delay, lets the next slot start
// before the updater reads the failure: a race drawn once per such failure.
func (u *updater) nextSlotFirst(t *task) bool {
	return u.phase == phaseSlots && u.waits[t] != nil && u.cfg.Delay == 0 &&
		u.next < len(u.slots) && u.counts(t) && u.s.nextSlotWins()
}

// breakLoop leaves slotsLoop or monitorLoop after a triggered action.
// Slots already handed to workers still finish after a pause, since a
// pause cancels nothing (docs/swarm-semantics.md §8); a rollback changes the
// spec, so the supervisor cancels this run at once.
func (u *updater) breakLoop() {
	switch u.phase {
	case phaseSlots:
		u.phase = phaseDrain
		u.s.post(u.pump)
	case phaseMonitor:
		u.end()
	}
}

// failure is failureTriggersAction (docs/swarm-semantics.md §7): a task this run created that
// failed before running or within the monitor window of being seen
// running, counted once; past max_failure_ratio (strictly), the action
// fires. It reports whether the loop must break.
func (u *updater) failure(t *task) bool {
	if !u.counts(t) {
		return false
	}
	u.failed[t] = true
	u.failures++
	if !u.overRatio(u.failures) {
		return false
	}
	switch u.cfg.FailureAction {
	case swarm.UpdateFailureActionPause:
		u.stopped = true
		u.pause(fmt.Sprintf("update paused due to failure or early termination of task %s", t.id))
	case swarm.UpdateFailureActionRollback:
		if u.snapState == swarm.UpdateStateRollbackStarted {
			// "Never roll back a rollback": paused, but not stopped, so the
			// run goes on to completeUpdate (docs/swarm-semantics.md §9).
			u.pause(fmt.Sprintf("rollback paused due to failure or early termination of task %s", t.id))
			return true
		}
		u.stopped = true
		u.rollback(fmt.Sprintf("update rolled back due to failure or early termination of task %s", t.id))
	}
	return true
}

// counts is whether a failure of t counts: a task this run created, not
// counted before, that failed before running or within the monitor window
// of being seen running.
func (u *updater) counts(t *task) bool {
	if u.failed[t] {
		return false
	}
	seen, ours := u.updated[t]
	return ours && (seen.IsZero() || u.s.now().Sub(seen) <= u.monitor)
}

// overRatio is whether failures exceed max_failure_ratio (strictly).
func (u *updater) overRatio(failures int) bool {
	return float32(failures)/float32(len(u.slots)) > u.cfg.MaxFailureRatio
}

// wouldRollBack is whether t ending in state now would make this run roll
// back at once: the failure is read now (or as the last worker's wait ends
// with it), counts, passes the ratio, and the action is a rollback of a
// forward update.
func (u *updater) wouldRollBack(t *task, state swarm.TaskState) bool {
	readNow := u.phase == phaseSlots || u.phase == phaseMonitor ||
		(u.phase == phaseDrain && u.waits[t] != nil && u.idle == u.workers-1 && u.cfg.Delay == 0)
	return u.watch && rank(state) > runningRank && readNow && u.counts(t) && u.overRatio(u.failures+1) &&
		u.cfg.FailureAction == swarm.UpdateFailureActionRollback && u.snapState != swarm.UpdateStateRollbackStarted
}
