package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
)

// The convergence checker reads the simulator like a real swarm: a healthy
// update converges, the discourse story's rollback is reported as such, as
// soon as it starts.
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
	if err != nil || vd.Converged || vd.State != string(swarm.UpdateStateRollbackStarted) || vd.RollbackFinished || vd.Labels["v"] != "1" {
		t.Fatalf("discourse upgrade: %+v, %v; want the rollback reported as soon as it starts", vd, err)
	}
	t.Logf("verdict: %s %q after %s", vd.State, vd.Message, vd.Took)
}

// Each convergence wait ends the subscription it took: after five waits
// only the test world's own subscription is live, and a closed
// subscription's Next says so.
func TestWaitsEndTheirSubscriptions(t *testing.T) {
	w := newWorld(t, 1)
	var since *swarm.Service
	for i := range 5 {
		w.deploy(nil, v(fmt.Sprint(i)))
		if vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{Since: since}); err != nil || !vd.Converged {
			t.Fatalf("deploy %d: %+v, %v", i, vd, err)
		}
		before := w.service(app)
		since = &before
	}
	if n := w.s.liveSubscriptions(); n != 1 {
		t.Errorf("after five waits %d subscriptions are live, want 1 (the test's own)", n)
	}
	sub := w.s.Subscribe(w.ctx)
	sub.Close()
	sub.Close()
	if _, err := sub.Next(w.ctx, time.Time{}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Next after Close = %v, want engine.ErrClosed", err)
	}
	if n := w.s.liveSubscriptions(); n != 1 {
		t.Errorf("after Close %d subscriptions are live, want 1", n)
	}
}

// docs/swarm-semantics.md §17: an update whose new task no node fits is
// stuck updating; the wait times out and names the pending task and the
// scheduler's words.
func TestConvergeNamesAnUnschedulableTask(t *testing.T) {
	w := newWorld(t, 1)
	nodes(w, "a", "a")
	w.deploy(nil, spec("app", env("V=1"), update(startFirst)))
	if vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{}); err != nil || !vd.Converged {
		t.Fatalf("install: %+v, %v", vd, err)
	}
	before := w.service(app)
	w.deploy(nil, spec("app", env("V=2"), update(startFirst), constraints("node.labels.zone==b")))
	vd, err := converge.Wait(w.ctx, w.s, app, converge.Options{Since: &before, Timeout: 2 * time.Minute})
	if err != nil || vd.State != converge.StateTimeout {
		t.Fatalf("%+v, %v; want a timeout", vd, err)
	}
	if want := "pending: no suitable node (scheduling constraints not satisfied on 2 nodes)"; !strings.HasSuffix(vd.TaskError, want) {
		t.Errorf("task error %q, want it to end %q", vd.TaskError, want)
	}
}
