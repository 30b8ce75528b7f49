package sim

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

func v(n string, more ...opt) swarm.ServiceSpec {
	return spec("app", append([]opt{label("v", n), env("V=" + n), health(2*time.Second, 2, 0), update(startFirst)}, more...)...)
}

// docs/swarm-semantics.md §10 / §9: an identical redeploy wipes an earlier "completed", sets
// PreviousSpec to the identical spec and starts nothing.
func TestIdenticalRedeployWipesStatus(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, v("2"))
	done := w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	w.deploy(nil, v("2"))
	svc := w.service(app)
	if svc.UpdateStatus != nil || svc.PreviousSpec.Labels["v"] != "2" || svc.Version.Index <= done.Version.Index {
		t.Fatalf("after the identical redeploy: status %+v, previous v=%s, version %d (was %d)",
			svc.UpdateStatus, svc.PreviousSpec.Labels["v"], svc.Version.Index, done.Version.Index)
	}
	n := len(w.tasks(app))
	w.sleep(time.Minute)
	if svc := w.service(app); svc.UpdateStatus != nil || len(w.tasks(app)) != n {
		t.Fatalf("a minute later: status %+v, %d tasks (was %d)", svc.UpdateStatus, len(w.tasks(app)), n)
	}
}

// docs/swarm-semantics.md §9 / §10: redeploying the failing spec after a rollback is a new
// forward update (PreviousSpec = the restored spec) that rolls back again.
func TestRedeployAfterRollbackRollsBackAgain(t *testing.T) {
	w := newWorld(t, 1)
	faults := map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(faults, v("2"))
	first := w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	w.deploy(faults, v("2"))
	svc := w.untilState(app, swarm.UpdateStateUpdating, time.Minute)
	if svc.PreviousSpec == nil || svc.PreviousSpec.Labels["v"] != "1" || !svc.UpdateStatus.StartedAt.After(*first.UpdateStatus.StartedAt) {
		t.Fatalf("second update: previous %v, started %v", svc.PreviousSpec, svc.UpdateStatus.StartedAt)
	}
	second := w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	d1 := first.UpdateStatus.CompletedAt.Sub(*first.UpdateStatus.StartedAt)
	d2 := second.UpdateStatus.CompletedAt.Sub(*second.UpdateStatus.StartedAt)
	if diff := d1 - d2; diff < -time.Second || diff > time.Second {
		t.Errorf("rollbacks took %s and %s, want the same timings (docs/swarm-semantics.md §2)", d1, d2)
	}
	if got, want := updateStates(w), "updating rollback_started rollback_completed updating rollback_started rollback_completed"; got != want {
		t.Errorf("update states %q, want %q", got, want)
	}
}

// docs/swarm-semantics.md §11: a second deploy 2s into an update cancels it; one update to
// the newest spec completes, with PreviousSpec = the in-flight spec.
func TestDeployDuringUpdate(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, v("2"))
	first := w.untilState(app, swarm.UpdateStateUpdating, time.Second)
	w.sleep(2 * time.Second)
	w.deploy(nil, v("3"))
	svc := w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	if svc.Spec.Labels["v"] != "3" || svc.PreviousSpec.Labels["v"] != "2" {
		t.Errorf("labels %v, previous %v; want v=3 and the in-flight v=2", svc.Spec.Labels, svc.PreviousSpec.Labels)
	}
	if !svc.UpdateStatus.StartedAt.After(*first.UpdateStatus.StartedAt) {
		t.Errorf("StartedAt %v, want the second update's (after %v)", svc.UpdateStatus.StartedAt, first.UpdateStatus.StartedAt)
	}
	if got := updateStates(w); got != "updating updating completed" {
		t.Errorf("update states %q, want one completed update for the newest spec", got)
	}
	for _, tk := range w.tasks(app) {
		if tk.DesiredState == swarm.TaskStateRunning && !hasEnv(tk, "V=3") {
			t.Errorf("task %s of an old spec still meant to run", tk.ID)
		}
	}
	if w.running(app) != 1 {
		t.Errorf("%d up-to-date running tasks, want 1", w.running(app))
	}
}

// docs/swarm-semantics.md §11 identical spec during an update: the running updater goes on, but
// its status writes are no-ops, so UpdateStatus stays absent and a failure
// neither pauses nor rolls back.
func TestIdenticalDeployDuringFailingUpdate(t *testing.T) {
	w := newWorld(t, 1)
	faults := map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(faults, v("2"))
	w.untilState(app, swarm.UpdateStateUpdating, time.Second)
	w.sleep(time.Second)
	w.deploy(faults, v("2"))
	w.sleep(time.Minute)
	svc := w.service(app)
	if svc.UpdateStatus != nil || svc.Spec.Labels["v"] != "2" {
		t.Fatalf("status %+v, labels %v; want no status and the new spec", svc.UpdateStatus, svc.Spec.Labels)
	}
}
