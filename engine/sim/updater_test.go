package sim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The rows below follow docs/swarm-semantics.md §4 (observed on a real swarm) and §4 of the
// reference notes. Each deploys v1 (healthcheck interval 2s, retries 2, as
// in docs/swarm-semantics.md §4), waits for it to run, then deploys v2 and checks what swarm wrote.
func TestUpdateOutcomes(t *testing.T) {
	unhealthy := map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}
	withAction := func(a string) swarm.UpdateConfig {
		c := startFirst
		c.FailureAction = a
		return c
	}
	for _, tc := range []struct {
		name   string
		cfg    swarm.UpdateConfig
		v2     []opt // beyond label v=2
		faults map[string][]engine.Fault
		check  func(t *testing.T, w *world, before swarm.Service)
	}{{
		// docs/swarm-semantics.md §9 healthy update, start-first, failure_action rollback.
		name: "docs/swarm-semantics.md §6 healthy start-first update completes",
		cfg:  startFirst, v2: []opt{env("V=2")},
		check: func(t *testing.T, w *world, before swarm.Service) {
			svc := w.untilState(app, swarm.UpdateStateUpdating, time.Second)
			wantStatus(t, svc, swarm.UpdateStateUpdating, "update in progress")
			svc = w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
			wantStatus(t, svc, swarm.UpdateStateCompleted, "update completed")
			if svc.UpdateStatus.CompletedAt == nil || svc.Spec.Labels["v"] != "2" || svc.PreviousSpec.Labels["v"] != "1" {
				t.Errorf("completed: CompletedAt %v, labels %v, previous %v", svc.UpdateStatus.CompletedAt, svc.Spec.Labels, svc.PreviousSpec.Labels)
			}
			// one probe interval after the start, plus the 5s monitor window (docs/swarm-semantics.md §4: 7.7s observed)
			if d := svc.UpdateStatus.CompletedAt.Sub(*svc.UpdateStatus.StartedAt); d < 7*time.Second || d > 8*time.Second {
				t.Errorf("completed %s after the start, want about 7.4s", d)
			}
		},
	}, {
		// docs/swarm-semantics.md §9 new task never healthy, failure_action rollback; §4 rollbackUpdate, completeUpdate.
		name: "docs/swarm-semantics.md §6 never healthy start-first rolls back",
		cfg:  startFirst, v2: []opt{env("V=2")}, faults: unhealthy,
		check: func(t *testing.T, w *world, before swarm.Service) {
			up := w.untilState(app, swarm.UpdateStateUpdating, time.Second)
			svc := w.untilState(app, swarm.UpdateStateRollbackStarted, time.Minute)
			failed := newestFailed(t, w)
			wantStatus(t, svc, swarm.UpdateStateRollbackStarted,
				"update rolled back due to failure or early termination of task "+failed.ID)
			if !strings.HasSuffix(failed.Status.Err, ": dockerexec: unhealthy container") {
				t.Errorf("failed task error %q, want the unhealthy container error", failed.Status.Err)
			}
			if svc.Spec.Labels["v"] != "1" || svc.PreviousSpec != nil {
				t.Errorf("after the swap: labels %v, PreviousSpec %v; want v=1 and nil", svc.Spec.Labels, svc.PreviousSpec)
			}
			started := svc.UpdateStatus.CompletedAt
			done := w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
			wantStatus(t, done, swarm.UpdateStateRollbackCompleted, "rollback completed")
			if !done.UpdateStatus.StartedAt.Equal(*up.UpdateStatus.StartedAt) || started != nil {
				t.Errorf("StartedAt %v, want the update's %v kept", done.UpdateStatus.StartedAt, up.UpdateStatus.StartedAt)
			}
			// the rollback reuses the old running task: done one monitor window later (docs/swarm-semantics.md §9: +5s)
			if d := done.UpdatedAt.Sub(svc.UpdatedAt); d != 5*time.Second {
				t.Errorf("rollback completed %s after it started, want 5s", d)
			}
			if done.PreviousSpec != nil || w.running(app) != 1 {
				t.Errorf("after the rollback: PreviousSpec %v, %d running up-to-date tasks", done.PreviousSpec, w.running(app))
			}
		},
	}, {
		// docs/swarm-semantics.md §8 failure_action pause; §4 pauseUpdate; §3 restarts use the new spec.
		name: "docs/swarm-semantics.md §8 never healthy with pause pauses",
		cfg:  withAction(swarm.UpdateFailureActionPause), v2: []opt{env("V=2")}, faults: unhealthy,
		check: func(t *testing.T, w *world, before swarm.Service) {
			svc := w.untilState(app, swarm.UpdateStatePaused, time.Minute)
			failed := newestFailed(t, w)
			wantStatus(t, svc, swarm.UpdateStatePaused, "update paused due to failure or early termination of task "+failed.ID)
			if svc.UpdateStatus.CompletedAt != nil || svc.Spec.Labels["v"] != "2" || svc.PreviousSpec.Labels["v"] != "1" {
				t.Errorf("paused: CompletedAt %v, labels %v, previous %v", svc.UpdateStatus.CompletedAt, svc.Spec.Labels, svc.PreviousSpec.Labels)
			}
			w.sleep(time.Minute)
			if st := w.service(app).UpdateStatus; st.State != swarm.UpdateStatePaused {
				t.Errorf("a minute later: %s, want still paused (docs/swarm-semantics.md §3)", st.State)
			}
			n := 0
			for _, tk := range w.tasks(app) {
				if tk.Status.State == swarm.TaskStateFailed && hasEnv(tk, "V=2") {
					n++
				}
			}
			if n < 3 {
				t.Errorf("%d failed new-spec tasks, want the restart loop to have made several", n)
			}
		},
	}, {
		// docs/swarm-semantics.md §5/§7 failure_action continue: failures are not even watched.
		name: "docs/swarm-semantics.md §7 continue completes despite failures",
		cfg:  withAction(swarm.UpdateFailureActionContinue), v2: []opt{env("V=2")}, faults: unhealthy,
		check: func(t *testing.T, w *world, before swarm.Service) {
			svc := w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
			wantStatus(t, svc, swarm.UpdateStateCompleted, "update completed")
			newestFailed(t, w) // fails the test when no new task failed
			if svc.Spec.Labels["v"] != "2" {
				t.Errorf("want the new spec, got labels %v", svc.Spec.Labels)
			}
		},
	}, {
		// docs/swarm-semantics.md §10 label-only change; §5 annotations do not make tasks dirty.
		name: "docs/swarm-semantics.md §10 label-only change starts no update",
		cfg:  startFirst,
		check: func(t *testing.T, w *world, before swarm.Service) {
			svc := w.service(app)
			if svc.UpdateStatus != nil || svc.Spec.Labels["v"] != "2" || svc.PreviousSpec.Labels["v"] != "1" {
				t.Errorf("at once: status %v, labels %v, previous %v", svc.UpdateStatus, svc.Spec.Labels, svc.PreviousSpec.Labels)
			}
			w.sleep(time.Minute)
			svc = w.service(app)
			if svc.UpdateStatus != nil || len(w.tasks(app)) != 1 || w.running(app) != 1 {
				t.Errorf("a minute later: status %v, %d tasks", svc.UpdateStatus, len(w.tasks(app)))
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 7)
			w.deploy(nil, spec("app", label("v", "1"), health(2*time.Second, 2, 0), update(tc.cfg)))
			w.untilRunning(app, 1, time.Minute)
			if st := w.service(app).UpdateStatus; st != nil {
				t.Fatalf("docs/swarm-semantics.md §4 first deploy: UpdateStatus %+v, want absent", st)
			}
			before := w.service(app)
			opts := append([]opt{label("v", "2"), health(2*time.Second, 2, 0), update(tc.cfg)}, tc.v2...)
			w.deploy(tc.faults, spec("app", opts...))
			tc.check(t, w, before)
		})
	}
}

// wantStatus checks an UpdateStatus's state and message.
func wantStatus(t *testing.T, svc swarm.Service, state swarm.UpdateState, msg string) {
	t.Helper()
	st := svc.UpdateStatus
	if st == nil || st.State != state || st.Message != msg {
		t.Errorf("UpdateStatus %+v, want %s %q", st, state, msg)
		return
	}
	if st.StartedAt == nil {
		t.Errorf("UpdateStatus %s without StartedAt", state)
	}
}

// newestFailed is the service's most recently failed task.
func newestFailed(t *testing.T, w *world) *swarm.Task {
	var out *swarm.Task
	for _, tk := range w.tasks(app) {
		if tk.Status.State == swarm.TaskStateFailed && (out == nil || tk.Status.Timestamp.After(out.Status.Timestamp)) {
			out = &tk
		}
	}
	if out == nil {
		t.Fatalf("no failed task")
	}
	return out
}

func hasEnv(tk swarm.Task, e string) bool {
	cs := tk.Spec.ContainerSpec
	return cs != nil && slices.Contains(cs.Env, e)
}

// updateStates lists the updatestate.new values of the logged events.
func updateStates(w *world) string {
	var out []string
	for _, l := range w.log {
		if _, after, ok := strings.Cut(l, "updatestate.new="); ok {
			out = append(out, strings.Fields(after)[0])
		}
	}
	return strings.Join(out, " ")
}
