package engine

import (
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

func TestSortTasks(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	tasks := []swarm.Task{
		{ID: "old1", Slot: 1, Meta: swarm.Meta{CreatedAt: at(1)}},
		{ID: "new2", Slot: 2, Meta: swarm.Meta{CreatedAt: at(5)}},
		{ID: "tie-z", Slot: 3, Meta: swarm.Meta{CreatedAt: at(2)}},
		{ID: "tie-a", Slot: 3, Meta: swarm.Meta{CreatedAt: at(2)}},
		{ID: "new1", Slot: 1, Meta: swarm.Meta{CreatedAt: at(4)}},
		{ID: "g-n2", NodeID: "n2", Meta: swarm.Meta{CreatedAt: at(1)}},
		{ID: "g-n1", NodeID: "n1", Meta: swarm.Meta{CreatedAt: at(1)}},
	}
	SortTasks(tasks)
	var ids []string
	for _, tk := range tasks {
		ids = append(ids, tk.ID)
	}
	// Global tasks (slot 0) by node; newest first per slot; ties as given.
	if want := []string{"g-n1", "g-n2", "new1", "old1", "new2", "tie-z", "tie-a"}; !slices.Equal(ids, want) {
		t.Errorf("SortTasks: %v, want %v", ids, want)
	}
}

func TestTaskStateRank(t *testing.T) {
	order := []swarm.TaskState{swarm.TaskStateNew, swarm.TaskStateAllocated, swarm.TaskStatePending,
		swarm.TaskStateAssigned, swarm.TaskStateAccepted, swarm.TaskStatePreparing, swarm.TaskStateReady,
		swarm.TaskStateStarting, swarm.TaskStateRunning, swarm.TaskStateComplete, swarm.TaskStateShutdown,
		swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateRemove, swarm.TaskStateOrphaned}
	for i := 1; i < len(order); i++ {
		if TaskStateRank(order[i-1]) >= TaskStateRank(order[i]) {
			t.Errorf("rank(%s) = %d is not below rank(%s) = %d", order[i-1], TaskStateRank(order[i-1]), order[i], TaskStateRank(order[i]))
		}
	}
}
