// Package converge decides whether a service's update finished: the
// verdict behind wait_converged and assert_converged. It reads only the
// engine.Engine interface, so both engines share it.
//
// Swarm's own signals are ambiguous (reference notes §6.2): a nil
// UpdateStatus means "no task change", "nothing to do" or "not started
// yet"; a terminal status can predate the deploy being checked; a rollback
// leaves running tasks at parity. So the checker correlates with the
// service as it was before the deploy (Since), decides "no update" from
// up-to-date tasks rather than a grace period, treats every rollback and
// pause as failure, and requires every slot to keep an up-to-date running
// task through the monitor window.
package converge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Verdict states besides swarm's own UpdateStatus states.
const (
	// StateNoUpdate: the deploy changed no task (labels only, or nothing);
	// every slot runs an up-to-date task and swarm started no update.
	StateNoUpdate = "no_update"
	// StateTimeout: no verdict before the deadline.
	StateTimeout = "timeout"
	// StateCreated: a new service whose every slot runs (a create has no
	// UpdateStatus).
	StateCreated = "created"
)

// Verdict is the outcome of a wait.
type Verdict struct {
	Service string
	// State is swarm's terminal UpdateStatus.State, StateNoUpdate or StateTimeout.
	State string
	// Message is swarm's message; after a rollback, the one that said why.
	Message string
	// Converged is true for "completed" and StateNoUpdate with every slot stable.
	Converged bool
	// Labels are the live spec's labels when the verdict was reached.
	Labels map[string]string
	// Took is how long the wait lasted on the engine's clock.
	Took time.Duration
	// Awaited says what the wait was waiting for when it ended.
	Awaited string
	// Timeout is the bound that applied and how it was derived.
	Timeout time.Duration
	Reason  string
	// Running and Desired count up-to-date running tasks and slots.
	Running, Desired int
	// TaskError is the newest task error of the service, for a failed verdict.
	TaskError string
	// UpdateTook is swarm's own CompletedAt - StartedAt of the update the
	// verdict is about (0 when swarm wrote no CompletedAt).
	UpdateTook time.Duration
}

// Options of a wait.
type Options struct {
	// Since is the service as inspected before the deploy; nil accepts any
	// status swarm reports now.
	Since *swarm.Service
	// Timeout bounds the wait; 0 derives it from the spec (see DefaultTimeout).
	Timeout time.Duration
	// Progress, when set, sees the state after every check (for live
	// status lines); Took is the time waited so far.
	Progress func(v Verdict)
	// Event, when set, sees every engine event the wait consumes.
	Event func(e engine.Event)
}

// Wait waits for the update of service (full name) to reach a verdict. It
// returns an error only when the engine fails or ctx ends, never for a bad
// verdict.
func Wait(ctx context.Context, e engine.Engine, service string, opts Options) (Verdict, error) {
	clk := e.Clock()
	sub := e.Subscribe(ctx)
	defer sub.Close()
	w := &waiter{e: e, name: service, since: opts.Since, start: clk.Now(), clk: clk}
	svc, err := e.Service(ctx, service)
	if err != nil {
		return Verdict{}, err
	}
	timeout, reason := opts.Timeout, "--timeout given"
	if timeout == 0 {
		timeout, reason = DefaultTimeout(svc.Spec)
	}
	deadline := w.start.Add(timeout)
	for {
		v, done, err := w.check(ctx, svc)
		if err != nil {
			return v, err
		}
		v.Timeout, v.Reason = timeout, reason
		if opts.Progress != nil {
			opts.Progress(v)
		}
		if done {
			return v, nil
		}
		wake := deadline
		if !w.stableSince.IsZero() && w.stableSince.Add(w.window).Before(wake) {
			wake = w.stableSince.Add(w.window)
		}
		if !clk.Now().Before(deadline) {
			v.State, v.Converged, v.Took = StateTimeout, false, clk.Now().Sub(w.start)
			return v, nil
		}
		ev, err := sub.Next(ctx, wake)
		if err != nil && !errors.Is(err, clock.ErrDeadline) {
			return v, err
		}
		if err == nil && opts.Event != nil {
			opts.Event(ev)
		}
		if svc, err = e.Service(ctx, service); err != nil {
			return Verdict{}, err
		}
	}
}

type waiter struct {
	e           engine.Engine
	clk         clock.Clock
	name        string
	since       *swarm.Service
	start       time.Time
	stableSince time.Time
	window      time.Duration
	why         string // the rollback or pause message first seen
}

// check judges svc, just inspected, and its up-to-date tasks; done
// reports a verdict.
func (w *waiter) check(ctx context.Context, svc swarm.Service) (Verdict, bool, error) {
	tasks, err := w.e.Tasks(ctx, w.name, true)
	if err != nil {
		return Verdict{}, false, err
	}
	now := w.clk.Now()
	v := Verdict{Service: w.name, Labels: svc.Spec.Labels, Took: now.Sub(w.start),
		Desired: desired(svc), Running: running(tasks)}
	if v.Desired < 0 { // global mode: every node that runs a task
		v.Desired = max(1, v.Running)
	}
	w.window = monitor(svc.Spec)
	st := w.fresh(svc)
	if st != nil && (st.State == swarm.UpdateStateRollbackStarted || st.State == swarm.UpdateStatePaused ||
		st.State == swarm.UpdateStateRollbackPaused) && w.why == "" {
		w.why = st.Message
	}
	switch {
	case w.since != nil && svc.Version.Index <= w.since.Version.Index:
		w.stableSince = time.Time{}
		v.Awaited = "the deploy to reach the service (unchanged since the snapshot)"
		return v, false, nil
	case st == nil && svc.PreviousSpec == nil && svc.UpdateStatus == nil:
		v.Awaited = "every slot of the new service to run"
		return w.stable(v, now, StateCreated, "")
	case st == nil:
		v.Awaited = "the update to start, or every slot to run an up-to-date task (no update)"
		return w.stable(v, now, StateNoUpdate, "")
	case st.State == swarm.UpdateStateCompleted:
		v.UpdateTook = updateTook(st)
		v.Awaited = "every slot to keep an up-to-date running task through the monitor window"
		return w.stable(v, now, string(st.State), st.Message)
	case st.State == swarm.UpdateStatePaused, st.State == swarm.UpdateStateRollbackPaused,
		st.State == swarm.UpdateStateRollbackCompleted:
		v.State, v.Message = string(st.State), w.message(st)
		v.TaskError, v.UpdateTook = w.lastTaskError(ctx), updateTook(st)
		return v, true, nil
	default: // updating, rollback_started
		w.stableSince = time.Time{}
		v.State, v.Message = string(st.State), st.Message
		v.Awaited = fmt.Sprintf("the update to finish (state %s)", st.State)
		return v, false, nil
	}
}

// stable decides a converging verdict once the slots stayed up to date
// and running for the monitor window.
func (w *waiter) stable(v Verdict, now time.Time, state, msg string) (Verdict, bool, error) {
	v.State, v.Message = state, msg
	if v.Running < v.Desired || v.Desired == 0 {
		w.stableSince = time.Time{}
		if state == StateNoUpdate || state == StateCreated {
			v.State = ""
		}
		return v, false, nil
	}
	if w.stableSince.IsZero() {
		w.stableSince = now
	}
	if now.Sub(w.stableSince) < w.window {
		return v, false, nil
	}
	v.Converged = true
	return v, true, nil
}

// message is the status message worth reporting: after a rollback, the
// message that said why it rolled back.
func (w *waiter) message(st *swarm.UpdateStatus) string {
	if st.State == swarm.UpdateStateRollbackCompleted && w.why != "" {
		return w.why
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
	return fmt.Sprintf("task %s %s: %s", newest.ID, newest.Status.State, newest.Status.Err)
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

// ChaosVersion finds abra's coop-cloud.<stack>.chaos-version label: the
// one of the stack named by the labels' com.docker.stack.namespace when
// there is one, else the first such label in key order.
func ChaosVersion(labels map[string]string) string {
	if ns := labels[engine.NamespaceLabel]; ns != "" {
		if v, ok := labels["coop-cloud."+ns+".chaos-version"]; ok {
			return v
		}
	}
	first := ""
	for k := range labels {
		if strings.HasPrefix(k, "coop-cloud.") && strings.HasSuffix(k, ".chaos-version") && (first == "" || k < first) {
			first = k
		}
	}
	if first == "" {
		return ""
	}
	return labels[first]
}
