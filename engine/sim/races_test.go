package sim

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// rollbackSpan upgrades to a never-healthy v2 under cfg with the restart
// race pinned to outcome, and returns how long swarm's rollback took from
// the failure that started it to rollback_completed.
func rollbackSpan(t *testing.T, seed int64, cfg swarm.UpdateConfig, outcome string) time.Duration {
	t.Helper()
	w := newWorld(t, seed)
	if err := w.s.SetRace(RaceRestartRollback, outcome); err != nil {
		t.Fatal(err)
	}
	w.deploy(nil, spec("app", env("V=1"), health(time.Second, 2, 0), update(cfg)))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}},
		spec("app", env("V=2"), health(time.Second, 2, 0), update(cfg)))
	done := w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	return done.UpdateStatus.CompletedAt.Sub(newestFailed(t, w).Status.Timestamp)
}

// docs/swarm-semantics.md §15: when the restart runs first the rollback
// replaces or reuses the slot's task and waits out its monitor window;
// when the rollback wins the slot is clean and it completes at once.
func TestRestartRollbackRace(t *testing.T) {
	stopFirst := startFirst
	stopFirst.Order = swarm.UpdateOrderStopFirst
	for _, tc := range []struct {
		name     string
		cfg      swarm.UpdateConfig
		outcome  string
		min, max time.Duration
	}{
		{"start-first, restart first", startFirst, "restart", 5 * time.Second, 5 * time.Second},
		{"start-first, rollback first", startFirst, "rollback", 0, 100 * time.Millisecond},
		{"stop-first, restart first", stopFirst, "restart", 5 * time.Second, 8 * time.Second},
		{"stop-first, rollback first", stopFirst, "rollback", 0, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := rollbackSpan(t, 1, tc.cfg, tc.outcome); d < tc.min || d > tc.max {
				t.Errorf("rollback took %s, want %s to %s", d, tc.min, tc.max)
			}
		})
	}
}

// docs/swarm-semantics.md §15: left to the seed, the rollback wins about
// 4 runs in 21, as measured.
func TestRestartRollbackRaceFrequency(t *testing.T) {
	const runs = 200
	won := 0
	for seed := int64(1); seed <= runs; seed++ {
		if rollbackSpan(t, seed, startFirst, RaceSeed) < time.Second {
			won++
		}
	}
	if f := float64(won) / runs; f < 0.12 || f > 0.27 {
		t.Errorf("the rollback won %d of %d runs (%.2f), want about %.2f", won, runs, f, rollbackFirst)
	}
}

// docs/swarm-semantics.md §15: with several replicas the updater takes the
// slots in an order drawn from the seed, unless pinned ascending.
func TestSlotOrder(t *testing.T) {
	for _, tc := range []struct {
		outcome string
		orders  int // distinct first slots over the seeds, at least
	}{{"random", 2}, {"ascending", 1}} {
		firsts := map[int]bool{}
		for seed := int64(1); seed <= 12; seed++ {
			w := newWorld(t, seed)
			if err := w.s.SetRace(RaceSlotOrder, tc.outcome); err != nil {
				t.Fatal(err)
			}
			cfg := swarm.UpdateConfig{Parallelism: 1}
			w.deploy(nil, spec("app", env("V=1"), replicas(3), update(cfg)))
			w.untilRunning(app, 3, time.Minute)
			w.deploy(nil, spec("app", env("V=2"), replicas(3), update(cfg)))
			w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
			first, when := 0, time.Time{}
			for slot, ts := range newTasks(w, "V=2") {
				if c := ts[0].CreatedAt; first == 0 || c.Before(when) {
					first, when = slot, c
				}
			}
			firsts[first] = true
		}
		if len(firsts) < tc.orders || (tc.outcome == "ascending" && !firsts[1]) {
			t.Errorf("%s: first slots updated %v, want at least %d distinct", tc.outcome, firsts, tc.orders)
		}
	}
}

func TestSetRaceRefusesUnknown(t *testing.T) {
	s := newWorld(t, 1).s
	for _, tc := range [][2]string{{"nope", "seed"}, {RaceSlotOrder, "sideways"}} {
		if err := s.SetRace(tc[0], tc[1]); err == nil {
			t.Errorf("SetRace(%q, %q) = nil, want an error", tc[0], tc[1])
		}
	}
}

// docs/swarm-semantics.md §15: a failing new task with a slot still to
// hand out rolls back after one slot when the failure is read first, and
// after two when the worker's wait ends first and the next slot starts.
func TestNextSlotRace(t *testing.T) {
	for _, tc := range []struct {
		outcome string
		slots   int // slots that got a V=2 task
	}{{"failure", 1}, {"next_slot", 2}} {
		t.Run(tc.outcome, func(t *testing.T) {
			w := newWorld(t, 1)
			if err := w.s.SetRace(RaceNextSlot, tc.outcome); err != nil {
				t.Fatal(err)
			}
			w.deploy(nil, spec("app", env("V=1"), replicas(2), health(time.Second, 2, 0), update(startFirst)))
			w.untilRunning(app, 2, time.Minute)
			w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}},
				spec("app", env("V=2"), replicas(2), health(time.Second, 2, 0), update(startFirst)))
			w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
			if got := len(newTasks(w, "V=2")); got != tc.slots {
				t.Errorf("%d slots got a new task before the rollback, want %d", got, tc.slots)
			}
		})
	}
}

// docs/swarm-semantics.md §15: when a start-first rollback wins the race,
// the restart supervisor still replaces the failed task, from the
// restored spec, and the rollback shuts the replacement down before it
// starts; the slot ends with the old task running, the failed one and
// the replacement (as a real swarm's timeline showed).
func TestRollbackFirstStillReplaces(t *testing.T) {
	w := newWorld(t, 1)
	if err := w.s.SetRace(RaceRestartRollback, "rollback"); err != nil {
		t.Fatal(err)
	}
	cfg := swarm.UpdateConfig{Parallelism: 1, Order: swarm.UpdateOrderStartFirst, FailureAction: swarm.UpdateFailureActionRollback, Monitor: 3 * time.Second}
	w.deploy(nil, spec("app", env("V=1"), health(time.Second, 2, 0), update(cfg)))
	w.untilRunning(app, 1, time.Minute)
	old := w.service(app).Spec.TaskTemplate
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}},
		spec("app", env("V=2"), health(time.Second, 2, 0), update(cfg)))
	w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	w.sleep(10 * time.Second)
	var got []string
	for _, tk := range w.tasks(app) {
		v := tk.Spec.ContainerSpec.Env[0]
		if tk.Spec.ContainerSpec.Env[0] == old.ContainerSpec.Env[0] && tk.Status.State == swarm.TaskStateShutdown {
			v += " (the replacement)"
		}
		got = append(got, fmt.Sprintf("%s %s/%s", v, tk.Status.State, tk.DesiredState))
	}
	want := []string{"V=1 (the replacement) shutdown/shutdown", "V=2 failed/shutdown", "V=1 running/running"}
	if !slices.Equal(got, want) {
		t.Errorf("slot 1 holds %q, want %q", got, want)
	}
}
