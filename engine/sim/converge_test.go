package sim

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine/converge"
)

// The convergence checker reads the simulator like a real swarm: a healthy
// update converges, the discourse story's rollback is reported as such.
func TestConvergeVerdicts(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	if vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{}); err != nil || !vd.Converged {
		t.Fatalf("first deploy: %+v, %v", vd, err)
	}
	before := w.service(app)
	w.deploy(nil, v("2"))
	vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{Since: &before})
	if err != nil || !vd.Converged || vd.State != string(swarm.UpdateStateCompleted) {
		t.Fatalf("healthy update: %+v, %v", vd, err)
	}

	w = newWorld(t, 1)
	w.s.AddNode("ci", 5*gib)
	w.s.SetBehaviour(app, Behaviour{Boot: 8 * time.Minute, Memory: 3 * gib, MemoryRamp: 6 * time.Minute})
	hc := health(30*time.Second, 3, 20*time.Minute)
	w.deploy(nil, v("1", hc))
	if vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{}); err != nil || !vd.Converged {
		t.Fatalf("base deploy: %+v, %v", vd, err)
	}
	before = w.service(app)
	w.deploy(nil, v("2", hc))
	vd, err = converge.Wait(w.ctx, w.s, app, converge.Options{Since: &before})
	if err != nil || vd.Converged || vd.State != string(swarm.UpdateStateRollbackCompleted) || vd.Labels["v"] != "1" {
		t.Fatalf("discourse upgrade: %+v, %v; want the rollback reported", vd, err)
	}
	t.Logf("verdict: %s %q after %s", vd.State, vd.Message, vd.Took)
}
