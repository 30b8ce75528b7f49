package sim

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// newTasks are the tasks of slot order made from the spec with env e,
// oldest first per slot.
func newTasks(w *world, e string) map[int][]swarm.Task {
	out := map[int][]swarm.Task{}
	ts := w.tasks(app)
	for i := len(ts) - 1; i >= 0; i-- { // Tasks lists newest first per slot
		if hasEnv(ts[i], e) {
			out[ts[i].Slot] = append(out[ts[i].Slot], ts[i])
		}
	}
	return out
}

// docs/swarm-semantics.md §7: failures count once per updater-created task (restart
// replacements are not counted), and the action fires only when
// failures/dirty slots is strictly greater than max_failure_ratio: with 4
// slots and 0.5, the third failure pauses, not the second.
func TestMaxFailureRatio(t *testing.T) {
	w := newWorld(t, 1)
	ascending(w)
	cfg := swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionPause, MaxFailureRatio: 0.5,
		Order: swarm.UpdateOrderStartFirst}
	w.deploy(nil, v("1", replicas(4), update(cfg)))
	w.untilRunning(app, 4, time.Minute)
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}, v("2", replicas(4), update(cfg)))
	svc := w.untilState(app, swarm.UpdateStatePaused, 5*time.Minute)
	third := newTasks(w, "V=2")[3][0]
	wantStatus(t, svc, swarm.UpdateStatePaused, "update paused due to failure or early termination of task "+third.ID)
	if n := len(newTasks(w, "V=2")[4]); n != 0 {
		t.Errorf("slot 4 got %d new tasks, want none after the pause", n)
	}
}

// docs/swarm-semantics.md §7: a worker moves on Delay after its task runs; the final monitor
// window is one window after the last slot, Delay+1s when Delay ≥ Monitor.
func TestParallelismAndDelay(t *testing.T) {
	w := newWorld(t, 1)
	ascending(w)
	cfg := swarm.UpdateConfig{Parallelism: 1, Delay: 10 * time.Second, Monitor: 5 * time.Second}
	w.deploy(nil, spec("app", env("V=1"), replicas(3), update(cfg)))
	w.untilRunning(app, 3, time.Minute)
	w.deploy(nil, spec("app", env("V=2"), replicas(3), update(cfg)))
	svc := w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
	nt := newTasks(w, "V=2")
	for slot := 1; slot < 3; slot++ {
		ran := nt[slot][0].Status.Timestamp // still running: the time it started
		if next := nt[slot+1][0].CreatedAt; !next.Equal(ran.Add(10 * time.Second)) {
			t.Errorf("slot %d's task created %s after slot %d's ran, want the 10s delay", slot+1, next.Sub(ran), slot)
		}
	}
	last := nt[3][0].Status.Timestamp
	if got := svc.UpdateStatus.CompletedAt.Sub(last); got != 21*time.Second {
		t.Errorf("completed %s after the last task ran, want delay 10s + final window 11s", got)
	}
}

// docs/swarm-semantics.md §7: parallelism 2 keeps two slots in flight; parallelism 0 updates
// every slot at once.
func TestParallelism(t *testing.T) {
	for _, tc := range []struct {
		par       uint64
		atOnce    int
		thirdWhen string
	}{{2, 2, "when the first of the two runs"}, {0, 4, ""}} {
		w := newWorld(t, 1)
		ascending(w)
		cfg := swarm.UpdateConfig{Parallelism: tc.par}
		w.deploy(nil, spec("app", env("V=1"), replicas(4), update(cfg)))
		w.untilRunning(app, 4, time.Minute)
		w.deploy(nil, spec("app", env("V=2"), replicas(4), update(cfg)))
		start := w.untilState(app, swarm.UpdateStateUpdating, time.Second).UpdateStatus.StartedAt
		w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
		nt := newTasks(w, "V=2")
		n := 0
		var firstRan time.Time
		for slot := 1; slot <= 4; slot++ {
			if nt[slot][0].CreatedAt.Equal(*start) {
				n++
				if ran := nt[slot][0].Status.Timestamp; firstRan.IsZero() || ran.Before(firstRan) {
					firstRan = ran
				}
			}
		}
		if n != tc.atOnce {
			t.Errorf("parallelism %d: %d tasks created at the start, want %d", tc.par, n, tc.atOnce)
		}
		if tc.par == 2 && !nt[3][0].CreatedAt.Equal(firstRan) {
			t.Errorf("parallelism 2: third slot started at %s, want %s", at(nt[3][0].CreatedAt), at(firstRan))
		}
	}
}

// docs/swarm-semantics.md §6 stop-first: the new task starts only after the old one stopped.
func TestStopFirstOrder(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, spec("app", env("V=1")))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, spec("app", env("V=2")))
	w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	old, nt := newTasks(w, "V=1")[1][0], newTasks(w, "V=2")[1][0]
	if old.Status.State != swarm.TaskStateShutdown || old.Status.ContainerStatus.ExitCode != 143 {
		t.Fatalf("old task %s exit %d, want shutdown 143", old.Status.State, old.Status.ContainerStatus.ExitCode)
	}
	if !nt.Status.Timestamp.After(old.Status.Timestamp) {
		t.Errorf("new task ran at %s, before the old one stopped at %s", at(nt.Status.Timestamp), at(old.Status.Timestamp))
	}
}

// docs/swarm-semantics.md §5: the rollback runs with the RESTORED spec's
// RollbackConfig. Both specs here are stop-first, so the rollback makes a
// new task of v1, which fails too (the service became unhealthy).
func TestRollbackOfRollback(t *testing.T) {
	for _, tc := range []struct {
		name     string
		v1       swarm.UpdateConfig // RollbackConfig of the restored spec
		states   string
		msgStart string
	}{
		{"docs/swarm-semantics.md §4 default pause: rollback_paused says update paused", swarm.UpdateConfig{Parallelism: 1},
			"updating rollback_started rollback_paused", "update paused due to failure or early termination of task "},
		{"docs/swarm-semantics.md §9: rollback action rollback pauses then completes", swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionRollback},
			"updating rollback_started rollback_paused completed", "update completed"},
		{"docs/swarm-semantics.md §5: the restored spec's continue wins", swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionContinue},
			"updating rollback_started rollback_completed", "rollback completed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			fwd := swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionRollback}
			w.deploy(nil, v("1", update(fwd), rollback(tc.v1)))
			w.untilRunning(app, 1, time.Minute)
			w.s.SetBehaviour(app, Behaviour{Unhealthy: true})
			w.deploy(nil, v("2", update(fwd), rollback(swarm.UpdateConfig{Parallelism: 1})))
			w.sleep(5 * time.Minute)
			svc := w.service(app)
			if got := updateStates(w); got != tc.states {
				t.Errorf("update states %q, want %q", got, tc.states)
			}
			if len(svc.UpdateStatus.Message) < len(tc.msgStart) || svc.UpdateStatus.Message[:len(tc.msgStart)] != tc.msgStart {
				t.Errorf("message %q, want %q…", svc.UpdateStatus.Message, tc.msgStart)
			}
		})
	}
}

// docs/swarm-semantics.md §7: a new task that fails within the monitor window of running counts
// (kill after 2s rolls back); one that fails after it does not (kill after
// 20s: completed, then restarted with the new spec). A clean exit counts as
// early termination.
func TestFailureWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults []engine.Fault
		b      *Behaviour
		want   swarm.UpdateState
	}{
		{"kill within the window rolls back", []engine.Fault{{Kind: engine.FaultKill, After: 2 * time.Second}}, nil, swarm.UpdateStateRollbackCompleted},
		{"kill after the window completes", []engine.Fault{{Kind: engine.FaultKill, After: 20 * time.Second}}, nil, swarm.UpdateStateCompleted},
		{"crash within the window rolls back", []engine.Fault{{Kind: engine.FaultCrash, After: time.Second}}, nil, swarm.UpdateStateRollbackCompleted},
		// every task exits 0 now, the restored spec's too: its rollback pauses
		{"exit 0 is early termination", nil, &Behaviour{CrashAfter: time.Second, Complete: true}, swarm.UpdateStateRollbackPaused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			w.deploy(nil, v("1"))
			w.untilRunning(app, 1, time.Minute)
			if tc.b != nil {
				w.s.SetBehaviour(app, *tc.b)
			}
			w.deploy(map[string][]engine.Fault{app: tc.faults}, v("2"))
			svc := w.until(app, time.Hour, func(s swarm.Service) bool {
				return s.UpdateStatus != nil && (s.UpdateStatus.State == swarm.UpdateStateRollbackCompleted ||
					s.UpdateStatus.State == swarm.UpdateStateCompleted || s.UpdateStatus.State == swarm.UpdateStateRollbackPaused)
			})
			if svc.UpdateStatus.State != tc.want {
				t.Fatalf("ended %s, want %s", svc.UpdateStatus.State, tc.want)
			}
			if tc.want == swarm.UpdateStateCompleted {
				w.sleep(30 * time.Second)
				f := newestFailed(t, w)
				if f.Status.Err != "task: non-zero exit (137)" || w.running(app) != 1 || len(newTasks(w, "V=2")[1]) != 2 {
					t.Errorf("after the kill: err %q, %d running, %d new-spec tasks; want a restart with the new spec",
						f.Status.Err, w.running(app), len(newTasks(w, "V=2")[1]))
				}
			}
		})
	}
}

// docs/swarm-semantics.md §6 start-first: the old task is shut down only once the new one runs.
func TestStartFirstOrder(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, v("2"))
	w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	old, nt := newTasks(w, "V=1")[1][0], newTasks(w, "V=2")[1][0]
	if old.Status.State != swarm.TaskStateShutdown || old.Status.Timestamp.Sub(nt.Status.Timestamp) != DefaultStopTime {
		t.Errorf("old task %s at %s, new task ran at %s; want the old one stopped right after",
			old.Status.State, at(old.Status.Timestamp), at(nt.Status.Timestamp))
	}
}

// docs/swarm-semantics.md §5 worker / §7: a clean task already in the slot (here a restart
// replacement, made from a spec with the same task template) is reused,
// not replaced, and its failure does not count: a label-only redeploy of a
// paused update shuts the old task down, starts the replacement and
// completes although the replacement then fails.
func TestWorkerReusesCleanTask(t *testing.T) {
	w := newWorld(t, 1)
	cfg := swarm.UpdateConfig{Parallelism: 1, Order: swarm.UpdateOrderStartFirst}
	w.deploy(nil, v("1", update(cfg)))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}, v("2", update(cfg)))
	w.untilState(app, swarm.UpdateStatePaused, time.Minute)
	w.sleep(time.Second) // the replacement waits out its restart delay
	repl := w.tasks(app)[0]
	if repl.DesiredState != swarm.TaskStateReady {
		t.Fatalf("newest task desired %s, want the replacement waiting in ready", repl.DesiredState)
	}
	w.deploy(nil, v("2", update(cfg), label("x", "y")))
	svc := w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	wantStatus(t, svc, swarm.UpdateStateCompleted, "update completed")
	found := false
	for _, tk := range w.tasks(app) {
		if tk.ID == repl.ID {
			found = true
			if tk.Status.State != swarm.TaskStateFailed {
				t.Errorf("replacement %s, want it started and failed (uncounted)", tk.Status.State)
			}
		}
	}
	if !found {
		t.Errorf("replacement %s is gone from the task list", repl.ID)
	}
	if old := newTasks(w, "V=1")[1][0]; old.DesiredState != swarm.TaskStateShutdown {
		t.Errorf("old task desired %s, want shutdown", old.DesiredState)
	}
}
