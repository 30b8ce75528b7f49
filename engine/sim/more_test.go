package sim

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// docs/swarm-semantics.md §2 healthy first, unhealthy later: the task runs when first healthy,
// and going unhealthy takes retries×interval, past the 5s monitor: the
// update completes and the task then fails and restarts with the new spec.
func TestHealthyThenUnhealthy(t *testing.T) {
	w := newWorld(t, 1)
	hc := health(10*time.Second, 3, 0)
	w.deploy(nil, v("1", hc))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy, After: time.Second}}}, v("2", hc))
	svc := w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	ran := newTasks(w, "V=2")[1][0].Status.Timestamp
	w.sleep(time.Minute)
	f := newestFailed(t, w)
	if f.Status.Err != "task: non-zero exit (143): dockerexec: unhealthy container" || !hasEnv(*f, "V=2") {
		t.Fatalf("failed task err %q", f.Status.Err)
	}
	// running at the 10s probe; failing from 11s: probes at 20s, 30s, 40s
	if d := f.Status.Timestamp.Sub(ran); d < 30*time.Second || d > 31*time.Second {
		t.Errorf("unhealthy %s after running, want 30s (+ stop time)", d)
	}
	if svc.UpdateStatus.State != swarm.UpdateStateCompleted || len(newTasks(w, "V=2")[1]) < 2 {
		t.Errorf("want completed and a new-spec restart")
	}
}

// docs/swarm-semantics.md §6 stop-first: when the old task takes longer than a minute to stop,
// the new task starts after oldTaskTimeout anyway.
func TestStopFirstOldTaskTimeout(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{StopTime: 90 * time.Second})
	grace := func(s *swarm.ServiceSpec) {
		d := 2 * time.Minute
		s.TaskTemplate.ContainerSpec.StopGracePeriod = &d
	}
	w.deploy(nil, spec("app", env("V=1"), grace))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, spec("app", env("V=2"), grace))
	start := *w.untilState(app, swarm.UpdateStateUpdating, time.Second).UpdateStatus.StartedAt
	w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
	nt := newTasks(w, "V=2")[1][0]
	// desired running at +60s, then ~20ms to start and the 1s boot
	if d := nt.Status.Timestamp.Sub(start); d < 61*time.Second || d > 62*time.Second {
		t.Errorf("new task ran %s after the update started, want just after the 60s timeout", d)
	}
	w.sleep(time.Minute)
	old := newTasks(w, "V=1")[1][0]
	if d := old.Status.Timestamp.Sub(start); d != 90*time.Second || old.Status.State != swarm.TaskStateShutdown {
		t.Errorf("old task %s %s after the start, want shutdown at 90s", old.Status.State, d)
	}
}

// The grace period caps a slow stop with a kill (137).
func TestStopGraceKill(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{StopTime: time.Minute})
	w.deploy(nil, spec("app", env("V=1")))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, spec("app", env("V=2")))
	w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
	if old := newTasks(w, "V=1")[1][0]; old.Status.ContainerStatus.ExitCode != 137 {
		t.Errorf("old task exit %d, want 137 at the 10s grace period", old.Status.ContainerStatus.ExitCode)
	}
}

// Builtins call the simulator from several clock threads; under -race
// this must be clean and still deterministic.
func TestClockThreads(t *testing.T) {
	run := func() string {
		w := newWorld(t, 5)
		var mu sync.Mutex
		var out []string
		done := w.clk.NewSignal()
		left := 2
		for i, name := range []string{"st_a", "st_b"} {
			w.clk.Go(func() {
				defer func() { left--; done.Notify() }()
				ctx := context.Background()
				sub := w.s.Subscribe(ctx)
				sp := spec(name[3:], env("V=1"))
				st := engine.Stack{Namespace: stack, Services: map[string]swarm.ServiceSpec{name: sp}}
				_ = w.clk.Sleep(ctx, time.Duration(i)*time.Second)
				if err := w.s.Deploy(ctx, st); err != nil {
					t.Error(err)
				}
				for {
					ev, err := sub.Next(ctx, w.clk.Now().Add(time.Minute))
					if err != nil {
						return
					}
					mu.Lock()
					out = append(out, ev.Service+" "+ev.Attributes["state"]+" "+at(ev.Time).String())
					mu.Unlock()
				}
			})
		}
		for left > 0 {
			if err := done.Wait(context.Background(), time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		return strings.Join(out, "\n")
	}
	if a, b := run(), run(); a != b || a == "" {
		t.Fatalf("runs differ or are empty:\n%s\n---\n%s", a, b)
	}
}

// TestJitterAtTheLimit checks that jitter draws at the largest duration
// and size do not overflow (they once panicked in Int64N).
func TestJitterAtTheLimit(t *testing.T) {
	s := newWorld(t, 1).s
	if d := s.jitter(math.MaxInt64); d < 0 {
		t.Errorf("jitter(MaxInt64) = %v, want not negative", d)
	}
	if n := s.jitterBytes(math.MaxInt64); n < 0 {
		t.Errorf("jitterBytes(MaxInt64) = %d, want not negative", n)
	}
}
