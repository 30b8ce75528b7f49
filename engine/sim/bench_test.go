package sim

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// discourseStory is the seed journal's upgrade: deploy the base and
// converge; redeploy start-first (failure_action rollback) with a heavy new
// task on a node that fits one copy; the new task is OOM-killed and swarm
// rolls back. The healthcheck is discourse's: interval 30s, start_period
// 20m; the app boots in 8–10 minutes, its memory growing over 6.
func discourseStory(w *world) swarm.Service {
	w.s.AddNode("ci", 5*gib)
	if _, ok := w.s.behaviour[app]; !ok {
		w.s.SetBehaviour(app, Behaviour{Boot: 8 * time.Minute, BootJitter: 2 * time.Minute,
			Memory: 3 * gib, MemoryRamp: 6 * time.Minute})
	}
	hc := health(30*time.Second, 3, 20*time.Minute)
	w.deploy(nil, spec("app", label("chaos-version", "eb96de94+U"), env("V=1"), hc, update(startFirst)))
	w.untilRunning(app, 1, time.Hour)
	w.deploy(nil, spec("app", label("chaos-version", "7ae7b0f7+U"), env("V=2"), hc, update(startFirst)))
	return w.until(app, time.Hour, func(s swarm.Service) bool {
		return s.UpdateStatus != nil && (s.UpdateStatus.State == swarm.UpdateStateRollbackCompleted ||
			s.UpdateStatus.State == swarm.UpdateStateCompleted)
	})
}

func TestDiscourseStory(t *testing.T) {
	w := newWorld(t, 1)
	svc := discourseStory(w)
	if svc.UpdateStatus.State != swarm.UpdateStateRollbackCompleted || svc.Spec.Labels["chaos-version"] != "eb96de94+U" {
		t.Fatalf("ended %s with chaos-version %s; want the journal's silent rollback",
			svc.UpdateStatus.State, svc.Spec.Labels["chaos-version"])
	}
	// 3 GiB + 3/4 of the new 3 GiB passes 5 GiB at the third ramp step, 3m
	// after the new container started; the rollback completes 5s later.
	f := newestFailed(t, w)
	if d := svc.UpdateStatus.CompletedAt.Sub(*svc.UpdateStatus.StartedAt); d < 3*time.Minute || d > 3*time.Minute+6*time.Second {
		t.Errorf("rollback completed %s after the update started, want about 3m5s", d)
	}
	if f.Status.Err != "task: non-zero exit (137)" || f.Status.State != swarm.TaskStateFailed {
		t.Errorf("new task %s %q, want OOM-killed", f.Status.State, f.Status.Err)
	}
	if total := at(w.clk.Now()); total < 10*time.Minute {
		t.Errorf("story took %s of virtual time, want tens of minutes", total)
	}
}

// BenchmarkDiscourseStory runs the whole story, tens of minutes of virtual
// time, per iteration.
func BenchmarkDiscourseStory(b *testing.B) {
	for b.Loop() {
		w := newWorld(b, 1)
		discourseStory(w)
	}
}
