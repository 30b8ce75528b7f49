package sim

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// docs/swarm-semantics.md §3 restart policy: a crashed task is replaced at once by a task that
// waits in ready for the 5s default restart delay.
func TestRestartDelay(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{CrashAfter: 30 * time.Second, ExitCode: 3})
	w.deploy(nil, spec("app"))
	w.untilRunning(app, 1, time.Minute)
	w.until(app, time.Minute, func(swarm.Service) bool { return len(w.tasks(app)) == 2 })
	ts := w.tasks(app)
	repl, crashed := ts[0], ts[1]
	if crashed.Status.Err != "task: non-zero exit (3)" || crashed.DesiredState != swarm.TaskStateShutdown {
		t.Fatalf("crashed task: err %q desired %s", crashed.Status.Err, crashed.DesiredState)
	}
	if repl.DesiredState != swarm.TaskStateReady {
		t.Fatalf("replacement desired %s, want ready during the restart delay", repl.DesiredState)
	}
	crashedAt := crashed.Status.Timestamp
	w.until(app, time.Minute, func(swarm.Service) bool { return w.tasks(app)[0].Status.State == swarm.TaskStateStarting })
	if d := w.clk.Now().Sub(crashedAt); d < 5*time.Second || d > 6*time.Second {
		t.Errorf("replacement started %s after the crash, want the 5s restart delay", d)
	}
}

// docs/swarm-semantics.md §3: while paused, a dying old-spec task is replaced from the CURRENT
// (new) spec by the restart supervisor, outside the rolling update.
func TestRestartUsesCurrentSpec(t *testing.T) {
	w := newWorld(t, 1)
	cfg := swarm.UpdateConfig{Parallelism: 1, Order: swarm.UpdateOrderStartFirst}
	w.s.SetBehaviour(app, Behaviour{CrashAfter: 2 * time.Minute})
	w.deploy(nil, v("1", replicas(2), update(cfg)))
	w.untilRunning(app, 2, time.Minute)
	w.s.SetBehaviour(app, Behaviour{})
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}, v("2", replicas(2), update(cfg)))
	w.untilState(app, swarm.UpdateStatePaused, time.Minute)
	w.sleep(3 * time.Minute)
	nt := newTasks(w, "V=2")
	if len(nt[2]) == 0 {
		t.Fatalf("slot 2 has no new-spec task; want the old task's replacement made from the new spec")
	}
	if st := w.service(app).UpdateStatus.State; st != swarm.UpdateStatePaused {
		t.Errorf("state %s, want still paused", st)
	}
}

// docs/swarm-semantics.md §3 restart conditions and attempts.
func TestRestartPolicy(t *testing.T) {
	two := uint64(2)
	for _, tc := range []struct {
		name  string
		b     Behaviour
		p     swarm.RestartPolicy
		tasks int
	}{
		{"none never restarts", Behaviour{CrashAfter: time.Second}, swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}, 1},
		{"on-failure skips exit 0", Behaviour{CrashAfter: time.Second, Complete: true}, swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}, 1},
		{"max attempts 2", Behaviour{CrashAfter: time.Second}, swarm.RestartPolicy{MaxAttempts: &two}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			w.s.SetBehaviour(app, tc.b)
			w.deploy(nil, spec("app", func(s *swarm.ServiceSpec) { s.TaskTemplate.RestartPolicy = &tc.p }))
			w.sleep(5 * time.Minute)
			if n := len(w.tasks(app)); n != tc.tasks {
				t.Errorf("%d tasks, want %d", n, tc.tasks)
			}
		})
	}
}

// docs/swarm-semantics.md §3 task history retention: at most 5 tasks per slot.
func TestHistoryRetention(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{CrashAfter: time.Second})
	w.deploy(nil, spec("app", replicas(2)))
	w.sleep(10 * time.Minute)
	per := map[int]int{}
	for _, tk := range w.tasks(app) {
		per[tk.Slot]++
	}
	if per[1] != 5 || per[2] != 5 {
		t.Fatalf("tasks per slot %v, want 5 each", per)
	}
}

// docs/swarm-semantics.md §2 healthcheck timing: never healthy with start_period 20m, interval
// 30s, retries 3 fails at the third counted probe, 21m after the start;
// the error carries the container's SIGTERM exit code.
func TestHealthcheckTiming(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{Unhealthy: true, StopExitCode: 2})
	w.deploy(nil, spec("app", health(30*time.Second, 3, 20*time.Minute)))
	w.sleep(20*time.Minute + 50*time.Second)
	if ts := w.tasks(app); len(ts) != 1 || ts[0].Status.State != swarm.TaskStateStarting {
		t.Fatalf("at 20m50s: %d tasks, state %s; want still starting", len(ts), ts[0].Status.State)
	}
	w.sleep(20 * time.Second)
	f := newestFailed(t, w)
	if f.Status.Err != "task: non-zero exit (2): dockerexec: unhealthy container" {
		t.Fatalf("err %q", f.Status.Err)
	}
	if d := at(f.Status.Timestamp); d < 21*time.Minute || d > 21*time.Minute+time.Second {
		t.Errorf("failed at %s, want just after 21m", d)
	}
}

// A slow boot with a healthcheck: running at the first probe after boot.
func TestHealthyAfterBoot(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{Boot: 4 * time.Minute})
	w.deploy(nil, spec("app", health(30*time.Second, 3, 20*time.Minute)))
	w.untilRunning(app, 1, time.Hour)
	if d := at(w.clk.Now()); d < 4*time.Minute || d > 4*time.Minute+time.Second {
		t.Fatalf("running at %s, want at the probe at 4m after the start", d)
	}
}

// docs/swarm-semantics.md §2 timings with probes that fail after a 1s timeout, like the observed
// test app: rollback_started about 6.8s after the redeploy and
// rollback_completed 5s later (observed 6.8s and 11.8s).
func TestObservedRollbackTimings(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{ProbeFailTime: time.Second})
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	deployed := w.clk.Now()
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}, v("2"))
	started := w.untilState(app, swarm.UpdateStateRollbackStarted, time.Minute).UpdatedAt.Sub(deployed)
	done := w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute).UpdatedAt.Sub(deployed)
	if started < 6*time.Second || started > 7*time.Second || done != started+5*time.Second {
		t.Errorf("rollback started at %s and completed at %s; want about 6.5s and 5s later", started, done)
	}
}
