package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

const gib = 1 << 30

// The discourse story (seed journal): a node that fits one copy of a
// memory-heavy app. Start-first runs old and new side by side, so the
// newest task is OOM-killed (137) and swarm rolls back; stop-first frees
// the old task's memory first and converges.
func TestOOMOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order string
		want  swarm.UpdateState
	}{
		{"start-first OOM-kills the new task and rolls back", swarm.UpdateOrderStartFirst, swarm.UpdateStateRollbackCompleted},
		{"stop-first converges", swarm.UpdateOrderStopFirst, swarm.UpdateStateCompleted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 3)
			w.s.AddNode("small", 3*gib)
			w.s.SetBehaviour(app, Behaviour{Boot: 90 * time.Second, Memory: 2 * gib})
			cfg := startFirst
			cfg.Order = tc.order
			w.deploy(nil, v("1", update(cfg), health(30*time.Second, 3, 5*time.Minute)))
			w.untilRunning(app, 1, 5*time.Minute)
			w.deploy(nil, v("2", update(cfg), health(30*time.Second, 3, 5*time.Minute)))
			svc := w.until(app, time.Hour, func(s swarm.Service) bool {
				return s.UpdateStatus != nil && (s.UpdateStatus.State == swarm.UpdateStateRollbackCompleted ||
					s.UpdateStatus.State == swarm.UpdateStateCompleted)
			})
			if svc.UpdateStatus.State != tc.want {
				t.Log(strings.Join(w.log, "\n"))
				t.Fatalf("ended %s (%s), want %s", svc.UpdateStatus.State, svc.UpdateStatus.Message, tc.want)
			}
			if tc.order == swarm.UpdateOrderStartFirst {
				f := newestFailed(t, w)
				if f.Status.Err != "task: non-zero exit (137)" || f.Status.ContainerStatus.ExitCode != 137 || !hasEnv(*f, "V=2") {
					t.Errorf("failed task: err %q, exit %d, env %v; want the new task OOM-killed",
						f.Status.Err, f.Status.ContainerStatus.ExitCode, f.Spec.ContainerSpec.Env)
				}
				if svc.Spec.Labels["v"] != "1" {
					t.Errorf("labels %v after the rollback, want v=1", svc.Spec.Labels)
				}
			}
			if w.running(app) != 1 {
				t.Errorf("%d up-to-date running tasks, want 1", w.running(app))
			}
		})
	}
}

// Host load drawn from the seed makes the start-first OOM intermittent: on
// a node with 5 GiB for two 2 GiB copies, a background load in [0, 2 GiB]
// decides whether both fit.
func TestHostLoadMakesRollbackIntermittent(t *testing.T) {
	outcomes := map[swarm.UpdateState]int{}
	for seed := int64(1); seed <= 20; seed++ {
		w := newWorld(t, seed)
		w.s.AddNode("host", 5*gib)
		w.s.SetHostLoad(0, 2*gib)
		w.s.SetBehaviour(app, Behaviour{Boot: time.Minute, Memory: 2 * gib})
		w.deploy(nil, v("1", health(30*time.Second, 3, 5*time.Minute)))
		w.untilRunning(app, 1, 5*time.Minute)
		w.deploy(nil, v("2", health(30*time.Second, 3, 5*time.Minute)))
		svc := w.until(app, time.Hour, func(s swarm.Service) bool {
			return s.UpdateStatus != nil && (s.UpdateStatus.State == swarm.UpdateStateRollbackCompleted ||
				s.UpdateStatus.State == swarm.UpdateStateCompleted)
		})
		outcomes[svc.UpdateStatus.State]++
	}
	if outcomes[swarm.UpdateStateCompleted] == 0 || outcomes[swarm.UpdateStateRollbackCompleted] == 0 {
		t.Fatalf("outcomes over 20 seeds: %v; want both", outcomes)
	}
}

// memory_pressure raises the node's background memory After a delay; the
// newest container is OOM-killed and restarted.
func TestMemoryPressureFault(t *testing.T) {
	w := newWorld(t, 1)
	w.s.AddNode("n", 4*gib)
	w.s.SetBehaviour(app, Behaviour{Memory: gib})
	w.deploy(nil, spec("app", replicas(2)))
	w.untilRunning(app, 2, time.Minute)
	w.deploy(map[string][]engine.Fault{"": {{Kind: engine.FaultMemory, Bytes: int64(2.5 * gib), After: 10 * time.Second}}},
		spec("app", replicas(2)))
	w.sleep(9 * time.Second)
	if w.running(app) != 2 {
		t.Fatalf("before the pressure: %d running", w.running(app))
	}
	w.sleep(2 * time.Second)
	f := newestFailed(t, w)
	if f.Status.Err != "task: non-zero exit (137)" || w.running(app) != 1 {
		t.Fatalf("OOM victim: slot %d err %q, %d still running; want one task killed", f.Slot, f.Status.Err, w.running(app))
	}
}

// A container above its memory limit is killed by its own cgroup.
func TestMemoryLimit(t *testing.T) {
	w := newWorld(t, 1)
	w.s.SetBehaviour(app, Behaviour{Memory: gib})
	w.deploy(nil, spec("app", func(s *swarm.ServiceSpec) {
		s.TaskTemplate.Resources = &swarm.ResourceRequirements{Limits: &swarm.Limit{MemoryBytes: gib / 2}}
	}))
	w.sleep(2 * time.Second)
	if f := newestFailed(t, w); f.Status.Err != "task: non-zero exit (137)" {
		t.Fatalf("err %q, want an OOM kill", f.Status.Err)
	}
}
