package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The simulator names what it drew: each node's host load, each task's
// jitter (a repeated name numbered), the races (1 when the outcome named
// won), when a stopped node was marked down.
func TestDrawsAreNamed(t *testing.T) {
	w := newWorld(t, 1)
	nodes(w, "", "")
	w.s.SetHostLoad(1<<30, 2<<30)
	w.s.SetBehaviour(app, Behaviour{Boot: time.Second, BootJitter: time.Second, Memory: 1 << 20, MemoryJitter: 1 << 20})
	w.deploy(nil, spec("app", env("V=1"), replicas(2), health(time.Second, 2, 0), update(startFirst)))
	w.untilRunning(app, 2, time.Minute)
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}},
		spec("app", env("V=2"), replicas(2), health(time.Second, 2, 0), update(startFirst)))
	w.untilState(app, swarm.UpdateStateRollbackCompleted, 5*time.Minute)
	if err := w.s.NodeDown("n2", 0, 0); err != nil {
		t.Fatal(err)
	}
	w.sleep(time.Minute)
	names := map[string]float64{}
	for _, d := range w.s.Draws() {
		if _, dup := names[d.Name]; dup {
			t.Errorf("draw %q recorded twice", d.Name)
		}
		names[d.Name] = d.Value
	}
	for _, want := range []string{"host_load n1", "host_load n2", "boot_jitter st_app slot 1", "boot_jitter st_app slot 2 #2",
		"memory_jitter st_app slot 2", "race slot_order first slot", "race restart_rollback rollback", "marked_down_after n2"} {
		if _, ok := names[want]; !ok {
			t.Errorf("no draw %q in %v", want, names)
		}
	}
	if v := names["host_load n1"]; v < 1<<30 || v > 2<<30 {
		t.Errorf("host_load n1 = %v, want 1 to 2 GiB", v)
	}
	if v := names["marked_down_after n2"]; v < 8.5 || v > 16.5 {
		t.Errorf("marked_down_after n2 = %vs, want 8.5 to 16.5", v)
	}
	for name, v := range names {
		if strings.HasPrefix(name, "race restart_rollback") && v != 0 && v != 1 {
			t.Errorf("%s = %v, want 0 or 1", name, v)
		}
	}
}
