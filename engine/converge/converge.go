// Package converge decides whether a deploy converged: the verdict behind
// wait_converged and assert_converged. It reads only the engine.Engine
// interface, so both engines share it.
//
// The verdict rests on an invariant, not on a list of swarm's states
// (docs/verdicts.md): a deploy has converged only when
//
//  1. the live Spec is the spec this deploy sent (Options.Deployed: its
//     labels, such as abra's chaos-version, its image, env and replicas);
//  2. every slot runs an up-to-date task (zero slots: none needed); and
//  3. no up-to-date task failed or exited during the stability window (the
//     update monitor) after the update finished.
//
// Every other ending is a failure, reported as soon as it is certain: a
// rollback_started already means this deploy will not converge. Swarm's
// own signals are ambiguous: a nil UpdateStatus means "no task change",
// "nothing to do" or "not started yet"; a terminal status can predate the
// deploy being checked (hence Since); a rollback whose own task fails
// ends "completed" with the old spec live; a task that crashes after the
// monitor window leaves the update "completed".
package converge

import (
	"context"
	"errors"
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
	// StateNotDeployed: the live spec is not the one this deploy sent,
	// and no rollback explains it: another deploy replaced it, or swarm
	// ended a failed rollback "completed" on the old spec.
	StateNotDeployed = "not_deployed"
	// StateUnstable: a task of the deployed spec failed or exited during
	// the stability window after the update finished.
	StateUnstable = "unstable"
)

// Verdict is the outcome of a wait.
type Verdict struct {
	Service string
	// State is swarm's UpdateStatus state that decided the verdict, or one
	// of the State* constants above.
	State string
	// Message is swarm's message; after a rollback, the one that said why.
	Message string
	// Converged is true only when the invariant holds (package doc).
	Converged bool
	// Labels are the live spec's labels when the verdict was reached.
	Labels map[string]string
	// Deployed is the chaos-version label of the spec this deploy sent
	// ("" when unknown or unlabelled); Mismatch says how the live spec
	// differs from it ("" when it does not).
	Deployed, Mismatch string
	// States are the UpdateStatus states seen during the wait, in order.
	States []string
	// RollbackFinished says, for a rolled-back verdict, whether swarm had
	// finished rolling back when the verdict was given.
	RollbackFinished bool
	// Took is how long the wait lasted on the engine's clock.
	Took time.Duration
	// Awaited says what the wait was waiting for when it ended.
	Awaited string
	// Timeout is the bound that applied and how it was derived.
	Timeout time.Duration
	Reason  string
	// Running and Desired count up-to-date running tasks and slots.
	Running, Desired int
	// TaskError is the error of the task that decided a failed verdict, or
	// the service's newest task error.
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
	// Deployed returns the spec the deploy being judged sent; it is asked
	// at every check, so a wait that began before the deploy judges it.
	// Nil, or a nil result, skips the comparison with the live spec (a
	// wait for a service deployed elsewhere). The spec is read-only; the
	// same pointer means the same spec.
	Deployed func() *swarm.ServiceSpec
	// Timeout bounds the wait; 0 derives it from the spec (see DefaultTimeout).
	Timeout time.Duration
	// TimeoutFrom says where a Timeout that is not 0 came from, for the
	// verdict's Reason ("timeout= given" when empty).
	TimeoutFrom string
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
	w := newWaiter(e, service, opts, clk.Now())
	svc, err := e.Service(ctx, service)
	if err != nil {
		return Verdict{}, err
	}
	timeout, reason := opts.Timeout, opts.TimeoutFrom
	if reason == "" {
		reason = "timeout= given"
	}
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
		if !clk.Now().Before(deadline) {
			v.State, v.Converged, v.Took = StateTimeout, false, clk.Now().Sub(w.start)
			v.TaskError = w.stuckTask(ctx)
			return v, nil
		}
		if err := w.next(ctx, sub, deadline, opts.Event); err != nil {
			return v, err
		}
		if svc, err = e.Service(ctx, service); err != nil {
			return Verdict{}, err
		}
	}
}

// next reads events until one about the service (or about no service in
// particular) arrives, or until the wait must look again without one:
// other services' events cannot change this verdict, so they cost no
// inspection (docs/scale.md). Every event read is passed to seen.
func (w *waiter) next(ctx context.Context, sub engine.Subscription, deadline time.Time, seen func(engine.Event)) error {
	for {
		ev, err := sub.Next(ctx, w.wake(deadline))
		if errors.Is(err, clock.ErrDeadline) {
			return nil
		}
		if err != nil {
			return err
		}
		w.observe(ev)
		if seen != nil {
			seen(ev)
		}
		if ev.Service == "" || ev.Service == w.name {
			return nil
		}
	}
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
