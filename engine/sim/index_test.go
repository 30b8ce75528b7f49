package sim

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// checkIndex compares the simulator's kept counts (UpToDate) with what
// engine.Summarize finds in the task list, after every event of d.
func checkIndex(t *testing.T, w *world, d time.Duration) {
	t.Helper()
	deadline := w.clk.Now().Add(d)
	for {
		for _, name := range []string{app, stack + "_g"} {
			if _, ok := w.s.services[name]; !ok {
				continue
			}
			got, err := w.s.UpToDate(w.ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			tasks, err := w.s.Tasks(w.ctx, name, true)
			if err != nil {
				t.Fatal(err)
			}
			if want := engine.Summarize(tasks); describe(got) != describe(want) {
				t.Fatalf("%s at %s: kept %s, the task list says %s", name, at(w.clk.Now()), describe(got), describe(want))
			}
		}
		ev, err := w.sub.Next(w.ctx, deadline)
		if errors.Is(err, clock.ErrDeadline) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		w.record(ev)
	}
}

func describe(u engine.UpToDate) string {
	if u.Failed == nil {
		return fmt.Sprintf("%d running, no failure", u.Running)
	}
	return fmt.Sprintf("%d running, last failure %s %s at %s", u.Running, u.Failed.ID, u.Failed.Status.State, at(u.Failed.Status.Timestamp))
}

// The counts kept on every task write (index.go) agree with the task list
// through updates, rollbacks, crash loops with reaped history, scaling
// and a global service on several nodes.
func TestIndexMatchesTaskList(t *testing.T) {
	hc := health(time.Second, 2, 0)
	for _, tc := range []struct {
		name string
		run  func(w *world)
	}{
		{"clean update of three", func(w *world) {
			w.deploy(nil, spec("app", env("V=1"), replicas(3), hc, update(startFirst)))
			checkIndex(t, w, time.Minute)
			w.deploy(nil, spec("app", env("V=2"), replicas(3), hc, update(startFirst)))
			checkIndex(t, w, 2*time.Minute)
		}},
		{"rollback of an unhealthy update", func(w *world) {
			w.deploy(nil, spec("app", env("V=1"), replicas(2), hc, update(startFirst)))
			checkIndex(t, w, time.Minute)
			w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}},
				spec("app", env("V=2"), replicas(2), hc, update(startFirst)))
			checkIndex(t, w, 2*time.Minute)
		}},
		{"crash loop past the task history", func(w *world) {
			w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultCrash, After: time.Second}}},
				spec("app", env("V=1"), replicas(2)))
			checkIndex(t, w, 3*time.Minute)
		}},
		{"scale up and down", func(w *world) {
			w.deploy(nil, spec("app", env("V=1"), replicas(4)))
			checkIndex(t, w, time.Minute)
			w.deploy(nil, spec("app", env("V=1"), replicas(1)))
			checkIndex(t, w, time.Minute)
		}},
		{"global service on three nodes", func(w *world) {
			for _, n := range []string{"a", "b", "c"} {
				w.s.AddNode(n, 8*gib)
			}
			g := spec("g", env("V=1"))
			g.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
			w.deploy(nil, g)
			checkIndex(t, w, time.Minute)
			g2 := spec("g", env("V=2"))
			g2.Mode = g.Mode
			w.deploy(nil, g2)
			checkIndex(t, w, time.Minute)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(newWorld(t, 1)) })
	}
}
