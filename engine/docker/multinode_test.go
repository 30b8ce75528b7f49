package docker

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/internal/multinode"
)

// TestKillOnEveryNode: on the two-node swarm of CI (.ci/multinode-setup.sh,
// CHAOSRUN_MULTINODE the manager, CHAOSRUN_MULTINODE_WORKER the worker's
// daemon), a kill fault kills the first task of both slots, one on each
// node, through each node's own daemon (NodeDaemonsEnv).
func TestKillOnEveryNode(t *testing.T) {
	manager, worker := multinode.Swarm(t)
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

// TestNodeGoesDown: docs/swarm-semantics.md §17 on the two-node swarm of
// CI. With the worker's daemon stopped, its task keeps its last state
// ("running") until the managers mark the node down (the simulator says
// 8.5-16.5 s after the stop began); then it is meant to shut down and a replacement runs
// on the manager's node. When the daemon is back, the old task is reported
// shut down.
func TestNodeGoesDown(t *testing.T) {
	manager, worker := multinode.Swarm(t)
	t.Setenv("DOCKER_HOST", manager)
	e, ns := newTestEngine(t, Options{})
	name := ns + "_app"
	ctx := t.Context()
	workerID := nodeOf(t, worker)
	deploy(t, e, testStack(ns, app{replicas: 2}))
	sub := e.Subscribe(ctx)
	waitRunning(t, e, sub, name, 2, 2*time.Minute)
	var old swarm.Task
	for _, tk := range tasksOf(t, e, name) {
		if tk.NodeID == workerID && tk.DesiredState == swarm.TaskStateRunning {
			old = tk
		}
	}
	if old.ID == "" {
		t.Fatalf("no task on the worker: %v", taskStates(tasksOf(t, e, name)))
	}
	t.Cleanup(func() { multinode.Daemon(t, "start", multinode.Worker) }) // whatever happens below
	stopped := time.Now()
	multinode.Daemon(t, "stop", multinode.Worker)
	until(t, 2*time.Minute, "the worker marked down", func() bool {
		n, _, err := e.cli.NodeInspectWithRaw(ctx, workerID)
		return err == nil && n.Status.State == swarm.NodeStateDown
	})
	t.Logf("the worker was marked down %s after its daemon began to stop (the simulator: 8.5-16.5 s)", time.Since(stopped).Round(100*time.Millisecond))
	until(t, time.Minute, "a replacement running on the manager", func() bool {
		running := 0
		for _, tk := range tasksOf(t, e, name) {
			if tk.NodeID != workerID && tk.DesiredState == swarm.TaskStateRunning && tk.Status.State == swarm.TaskStateRunning {
				running++
			}
		}
		return running == 2
	})
	for _, tk := range tasksOf(t, e, name) {
		if tk.ID == old.ID && (tk.DesiredState != swarm.TaskStateShutdown || tk.Status.State != swarm.TaskStateRunning) {
			t.Errorf("the down node's task is %s/%s, want running/shutdown (its last report, and what it is meant to do)",
				tk.Status.State, tk.DesiredState)
		}
	}
	multinode.Daemon(t, "start", multinode.Worker)
	until(t, 2*time.Minute, "the old task reported shut down", func() bool {
		for _, tk := range tasksOf(t, e, name) {
			if tk.ID == old.ID {
				return tk.Status.State == swarm.TaskStateShutdown
			}
		}
		return false
	})
}

// nodeOf is the swarm node ID of the daemon at host.
func nodeOf(t *testing.T, host string) string {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	info, err := cli.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.Swarm.NodeID
}

func tasksOf(t *testing.T, e *Engine, name string) []swarm.Task {
	t.Helper()
	tasks, err := e.Tasks(t.Context(), name, false)
	if err != nil {
		t.Fatal(err)
	}
	return tasks
}

// until polls cond every 500 ms for at most limit.
func until(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, limit)
		}
	}
}
