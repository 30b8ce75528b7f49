package converge

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// waiter holds what one wait has learnt so far.
type waiter struct {
	e        engine.Engine
	clk      clock.Clock
	name     string
	since    *swarm.Service
	deployed func() *swarm.ServiceSpec
	start    time.Time
	// stableSince is when every slot was first seen running an up-to-date
	// task after the update finished (zero: not yet, or not since a gap);
	// failedAfter is the engine time from which a failed up-to-date task
	// breaks the invariant (the update's CompletedAt when swarm wrote one).
	stableSince, failedAfter time.Time
	window                   time.Duration
	landed                   bool // the deploy reached the service (Version past Since)
	// The last comparison of the live spec with the deployed one, for
	// the spec pointer and service version it was made at.
	compared struct {
		sent     *swarm.ServiceSpec
		version  uint64
		mismatch string
	}
	states []string // UpdateStatus states seen, in order
	why    string   // the rollback or pause message first seen
}

func newWaiter(e engine.Engine, name string, opts Options, start time.Time) *waiter {
	return &waiter{e: e, clk: e.Clock(), name: name, since: opts.Since, deployed: opts.Deployed, start: start}
}

// wake is when the wait must look again without an event: at the end of
// the stability window, or the deadline.
func (w *waiter) wake(deadline time.Time) time.Time {
	if !w.stableSince.IsZero() && w.stableSince.Add(w.window).Before(deadline) {
		return w.stableSince.Add(w.window)
	}
	return deadline
}

// observe notes the update state an event of the service announces, so a
// state that swarm passes through between two inspections still counts.
func (w *waiter) observe(ev engine.Event) {
	if w.landed && ev.Type == "service" && ev.Service == w.name {
		if st := ev.Attributes["updatestate.new"]; st != "" {
			w.saw(st)
		}
	}
}

// saw appends state to the states seen unless it is the last one.
func (w *waiter) saw(state string) {
	if n := len(w.states); n == 0 || w.states[n-1] != state {
		w.states = append(w.states, state)
	}
}

// check judges svc, just inspected, and its up-to-date tasks; done
// reports a verdict.
func (w *waiter) check(ctx context.Context, svc swarm.Service) (Verdict, bool, error) {
	up, err := upToDate(ctx, w.e, w.name)
	if err != nil {
		return Verdict{}, false, err
	}
	now := w.clk.Now()
	v := Verdict{Service: w.name, Labels: svc.Spec.Labels, Took: now.Sub(w.start),
		Desired: desired(svc), Running: up.Running}
	if v.Desired < 0 { // global mode: every node that runs a task
		v.Desired = max(1, v.Running)
	}
	var sent *swarm.ServiceSpec
	if w.deployed != nil {
		sent = w.deployed()
	}
	if sent != nil {
		v.Deployed = ChaosVersion(sent.Labels)
	}
	w.window = monitor(svc.Spec)
	if w.since != nil && svc.Version.Index <= w.since.Version.Index {
		w.stableSince = time.Time{}
		v.Awaited = "the deploy to reach the service (unchanged since the snapshot)"
		return v, false, nil
	}
	w.landed = true
	st := w.fresh(svc)
	if st != nil && st.State != "" {
		w.saw(string(st.State))
		if failing(st.State) && w.why == "" {
			w.why = st.Message
		}
	}
	v.States = append([]string(nil), w.states...)
	if sent != nil {
		v.Mismatch = w.mismatch(sent, svc)
	}
	if state := w.failure(); state != "" {
		return w.failed(ctx, v, st, state), true, nil
	}
	if v.Mismatch != "" {
		v.State, v.Message = StateNotDeployed, statusMessage(st)
		v.TaskError = w.lastTaskError(ctx)
		return v, true, nil
	}
	return w.progress(v, svc, st, up, now)
}

// mismatch is specMismatch of sent and svc's spec, remembered while
// neither changes (Deployed returns the same pointer until a new deploy).
func (w *waiter) mismatch(sent *swarm.ServiceSpec, svc swarm.Service) string {
	c := &w.compared
	if c.sent != sent || c.version != svc.Version.Index {
		c.sent, c.version, c.mismatch = sent, svc.Version.Index, specMismatch(*sent, svc.Spec)
	}
	return c.mismatch
}

// failing reports whether an update in state st can no longer converge.
func failing(st swarm.UpdateState) bool {
	switch st {
	case swarm.UpdateStatePaused, swarm.UpdateStateRollbackStarted,
		swarm.UpdateStateRollbackPaused, swarm.UpdateStateRollbackCompleted:
		return true
	}
	return false
}

// failure is the failing state that decides the verdict: the latest one
// seen, or "" when none was.
func (w *waiter) failure() string {
	for i := len(w.states) - 1; i >= 0; i-- {
		if failing(swarm.UpdateState(w.states[i])) {
			return w.states[i]
		}
	}
	return ""
}

// failed fills a verdict decided by a rollback or pause.
func (w *waiter) failed(ctx context.Context, v Verdict, st *swarm.UpdateStatus, state string) Verdict {
	v.State, v.Message = state, w.why
	if v.Message == "" {
		v.Message = statusMessage(st)
	}
	if st != nil {
		// Finished: swarm wrote rollback_completed, or ended a failed
		// rollback "completed" on the old spec; either way nothing more
		// will change the spec.
		v.RollbackFinished = state != string(swarm.UpdateStatePaused) &&
			(st.State == swarm.UpdateStateRollbackCompleted || st.State == swarm.UpdateStateCompleted)
		v.UpdateTook = updateTook(st)
	}
	v.TaskError = w.lastTaskError(ctx)
	return v
}

// progress judges an update that has not failed and a live spec that is
// the deployed one.
func (w *waiter) progress(v Verdict, svc swarm.Service, st *swarm.UpdateStatus, up engine.UpToDate, now time.Time) (Verdict, bool, error) {
	switch {
	case st == nil && svc.PreviousSpec == nil && svc.UpdateStatus == nil:
		v.Awaited = "every slot of the new service to run"
		return w.stable(v, up, now, StateCreated, "")
	case st == nil:
		v.Awaited = "the update to start, or every slot to run an up-to-date task (no update)"
		return w.stable(v, up, now, StateNoUpdate, "")
	case st.State == swarm.UpdateStateCompleted:
		v.UpdateTook = updateTook(st)
		if st.CompletedAt != nil && w.failedAfter.IsZero() {
			w.failedAfter = *st.CompletedAt
		}
		v.Awaited = "every slot to keep an up-to-date running task through the monitor window"
		return w.stable(v, up, now, string(st.State), st.Message)
	default: // updating
		w.stableSince = time.Time{}
		v.State, v.Message = string(st.State), st.Message
		v.Awaited = fmt.Sprintf("the update to finish (state %s)", st.State)
		return v, false, nil
	}
}

// stable decides a converging verdict once the slots stayed up to date
// and running for the stability window, and a failing one as soon as an
// up-to-date task fails inside it.
func (w *waiter) stable(v Verdict, up engine.UpToDate, now time.Time, state, msg string) (Verdict, bool, error) {
	v.State, v.Message = state, msg
	if t := up.Failed; t != nil && !w.failedAfter.IsZero() && !t.Status.Timestamp.Before(w.failedAfter) {
		v.State, v.TaskError = StateUnstable, taskError(*t)
		v.Message = fmt.Sprintf("a task of the deployed spec %s after the update finished (%s)", t.Status.State, state)
		return v, true, nil
	}
	if v.Desired == 0 { // zero slots: nothing to run, nothing to watch
		v.Converged = true
		return v, true, nil
	}
	if v.Running < v.Desired {
		w.stableSince = time.Time{}
		if state == StateNoUpdate || state == StateCreated {
			v.State = ""
		}
		return v, false, nil
	}
	if w.stableSince.IsZero() {
		w.stableSince = now
		if w.failedAfter.IsZero() {
			w.failedAfter = now
		}
	}
	if now.Sub(w.stableSince) < w.window {
		return v, false, nil
	}
	v.Converged = true
	return v, true, nil
}

// upToDate summarises service's up-to-date tasks: from the engine when it
// can (engine.TaskCounter), else from their list.
func upToDate(ctx context.Context, e engine.Engine, service string) (engine.UpToDate, error) {
	if c, ok := e.(engine.TaskCounter); ok {
		return c.UpToDate(ctx, service)
	}
	tasks, err := e.Tasks(ctx, service, true)
	if err != nil {
		return engine.UpToDate{}, err
	}
	return engine.Summarize(tasks), nil
}

// statusMessage is st's message, or "" for none.
func statusMessage(st *swarm.UpdateStatus) string {
	if st == nil {
		return ""
	}
	return st.Message
}

func updateTook(st *swarm.UpdateStatus) time.Duration {
	if st.StartedAt == nil || st.CompletedAt == nil {
		return 0
	}
	return st.CompletedAt.Sub(*st.StartedAt)
}

// lastTaskError is the newest error among the service's tasks, with the
// task's ID, or "".
func (w *waiter) lastTaskError(ctx context.Context) string {
	tasks, err := w.e.Tasks(ctx, w.name, false)
	if err != nil {
		return ""
	}
	var newest *swarm.Task
	for i := range tasks {
		t := &tasks[i]
		if t.Status.Err != "" && (newest == nil || t.Status.Timestamp.After(newest.Status.Timestamp)) {
			newest = t
		}
	}
	if newest == nil {
		return ""
	}
	return taskError(*newest)
}

// stuckTask says why a wait that timed out was stuck: an up-to-date task
// that no node fits (pending, with the scheduler's "no suitable node"),
// else the service's newest task error.
func (w *waiter) stuckTask(ctx context.Context) string {
	tasks, err := w.e.Tasks(ctx, w.name, true)
	if err == nil {
		for i := range tasks {
			if t := &tasks[i]; t.Status.State == swarm.TaskStatePending && t.Status.Err != "" && t.DesiredState == swarm.TaskStateRunning {
				return taskError(*t)
			}
		}
	}
	return w.lastTaskError(ctx)
}

// taskError describes t's end: "task <id> failed: <error>".
func taskError(t swarm.Task) string {
	msg := t.Status.Err
	if msg == "" {
		msg = t.Status.Message
	}
	return fmt.Sprintf("task %s %s: %s", t.ID, t.Status.State, msg)
}

// fresh returns the service's UpdateStatus if it belongs to an update that
// started after Since, else nil.
func (w *waiter) fresh(svc swarm.Service) *swarm.UpdateStatus {
	st := svc.UpdateStatus
	if st == nil || st.State == "" || w.since == nil {
		return st
	}
	if svc.Version.Index <= w.since.Version.Index {
		return nil // nothing written since the snapshot: the deploy has not landed
	}
	old := w.since.UpdateStatus
	if old == nil || old.StartedAt == nil {
		return st
	}
	if st.StartedAt == nil || !st.StartedAt.After(*old.StartedAt) {
		return nil // left over from the update before the snapshot
	}
	return st
}
