package docker

import (
	"os"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// TestKillOnEveryNode: on the two-node swarm of CI (.ci/multinode-setup.sh,
// CHAOSRUN_MULTINODE the manager, CHAOSRUN_MULTINODE_WORKER the worker's
// daemon), a kill fault kills the first task of both slots, one on each
// node, through each node's own daemon (NodeDaemonsEnv).
func TestKillOnEveryNode(t *testing.T) {
	manager, worker := os.Getenv("CHAOSRUN_MULTINODE"), os.Getenv("CHAOSRUN_MULTINODE_WORKER")
	if manager == "" || worker == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHAOSRUN_MULTINODE and CHAOSRUN_MULTINODE_WORKER are not set: .ci/run starts a two-node swarm and sets them")
		}
		t.Skip("skipping multi-node test: CHAOSRUN_MULTINODE and CHAOSRUN_MULTINODE_WORKER are not set (.ci/multinode-setup.sh)")
	}
	t.Setenv("DOCKER_HOST", manager)
	t.Setenv(NodeDaemonsEnv, worker)
	e, ns := newTestEngine(t, Options{})
	if len(e.nodes) != 1 {
		t.Fatalf("the engine reaches %s, want the worker's daemon too", e.nodesReached())
	}
	name := ns + "_app"
	sub := e.Subscribe(t.Context())
	st := testStack(ns, app{replicas: 2, faults: []engine.Fault{{Kind: engine.FaultKill, After: time.Second}}})
	deploy(t, e, st)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		tasks, err := e.Tasks(t.Context(), name, false)
		if err != nil {
			t.Fatal(err)
		}
		killed := map[string]bool{} // node → a task of it was killed
		for _, tk := range tasks {
			if tk.Status.State == swarm.TaskStateFailed && tk.Status.Err == "task: non-zero exit (137)" {
				killed[tk.NodeID] = true
			}
		}
		if len(killed) == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("killed tasks on %d nodes in 2m, want both: %v", len(killed), taskStates(tasks))
		}
		if _, err := sub.Next(t.Context(), time.Now().Add(time.Second)); err != nil && t.Context().Err() != nil {
			t.Fatal(err)
		}
	}
}
