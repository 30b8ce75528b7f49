package enginetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// taskCases: Tasks' order and filter, and what is missing.
var taskCases = []Case{
	{"TasksBySlotNewestFirst", tasksBySlotNewestFirst},
	{"MissingServiceNotFound", missingServiceNotFound},
}

// withReplicas is st with service name scaled to n (st's spec untouched).
func withReplicas(st engine.Stack, name string, n uint64) engine.Stack {
	spec := st.Services[name]
	spec.Mode = swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}}
	st.Services = map[string]swarm.ServiceSpec{name: spec}
	return st
}

// tasksBySlotNewestFirst: after an update of two replicas, Tasks lists
// both specs' tasks by slot, newest first within a slot; with upToDate
// only the new spec's.
func tasksBySlotNewestFirst(t *testing.T, tg Target) {
	ns := tg.Namespace()
	name := app(ns)
	sub := tg.Engine.Subscribe(t.Context())
	defer sub.Close()
	deploy(t, tg, withReplicas(tg.Stack(ns, version(1), false), name, 2))
	waitRunning(t, tg, sub, name, 2)
	deploy(t, tg, withReplicas(tg.Stack(ns, version(2), false), name, 2))
	waitRunning(t, tg, sub, name, 2)
	all := tasks(t, tg, name, false)
	if err := checkOrder(all); err != nil {
		t.Errorf("Tasks: %v: %s", err, describeTasks(all))
	}
	var fresh []string
	seen := map[int]bool{}
	for _, tk := range all {
		newest := !seen[tk.Slot]
		seen[tk.Slot] = true
		isNew := slices.Equal(envOf(tk.Spec), version(2))
		if newest && !isNew {
			t.Errorf("Tasks: the newest task of slot %d has env %v, want %v", tk.Slot, envOf(tk.Spec), version(2))
		}
		if isNew {
			fresh = append(fresh, tk.ID)
		}
	}
	if len(seen) != 2 || len(all) <= len(fresh) {
		t.Errorf("Tasks: %s; want two slots, each with an old task too", describeTasks(all))
	}
	var upToDate []string
	for _, tk := range tasks(t, tg, name, true) {
		upToDate = append(upToDate, tk.ID)
	}
	if !slices.Equal(upToDate, fresh) {
		t.Errorf("Tasks(upToDate): %v, want the new spec's tasks in the same order, %v", upToDate, fresh)
	}
}

// checkOrder says where tasks break engine.Engine's order: by slot, newest
// (CreatedAt) first within a slot.
func checkOrder(ts []swarm.Task) error {
	for i := 1; i < len(ts); i++ {
		a, b := ts[i-1], ts[i]
		if a.Slot > b.Slot || a.Slot == b.Slot && a.CreatedAt.Before(b.CreatedAt) {
			return fmt.Errorf("task %d (slot %d, created %s) comes before task %d (slot %d, created %s)",
				i-1, a.Slot, a.CreatedAt, i, b.Slot, b.CreatedAt)
		}
	}
	return nil
}

// missingServiceNotFound: Service and Tasks of a service that does not
// exist wrap engine.ErrNotFound (after Remove: removeWaitsUntilGone).
func missingServiceNotFound(t *testing.T, tg Target) {
	name := app(tg.Namespace())
	_, err := tg.Engine.Service(t.Context(), name)
	wantNotFound(t, "Service of a missing service", err)
	for _, upToDate := range []bool{false, true} {
		_, err := tg.Engine.Tasks(t.Context(), name, upToDate)
		wantNotFound(t, fmt.Sprintf("Tasks(upToDate %v) of a missing service", upToDate), err)
	}
}
