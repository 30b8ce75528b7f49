package engine

import (
	"sort"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"
)

// TaskStateRank orders task states as swarmkit does (api/types.proto): a
// task only moves to higher ranks, and every state above running is
// terminal. An unknown state ranks 0, like new.
func TaskStateRank(s swarm.TaskState) int {
	switch s {
	case swarm.TaskStateNew:
		return 0
	case swarm.TaskStateAllocated:
		return 32
	case swarm.TaskStatePending:
		return 64
	case swarm.TaskStateAssigned:
		return 192
	case swarm.TaskStateAccepted:
		return 256
	case swarm.TaskStatePreparing:
		return 320
	case swarm.TaskStateReady:
		return 384
	case swarm.TaskStateStarting:
		return 448
	case swarm.TaskStateRunning:
		return 512
	case swarm.TaskStateComplete:
		return 576
	case swarm.TaskStateShutdown:
		return 640
	case swarm.TaskStateFailed:
		return 704
	case swarm.TaskStateRejected:
		return 768
	case swarm.TaskStateRemove:
		return 800
	case swarm.TaskStateOrphaned:
		return 832
	}
	return 0
}

// SortTasks orders tasks the way Engine.Tasks returns them: by slot (by
// node for a global service's tasks, which have slot 0), newest first
// within each. Tasks created at the same time keep the order they had: the
// simulator's newest-created first, the docker engine's ID order.
func SortTasks(tasks []swarm.Task) {
	sort.SliceStable(tasks, func(i, j int) bool {
		a, b := tasks[i], tasks[j]
		if a.Slot != b.Slot {
			return a.Slot < b.Slot
		}
		if a.Slot == 0 && a.NodeID != b.NodeID {
			return a.NodeID < b.NodeID
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
}

// HasHealthcheck reports whether hc runs a probe: it is set, its Test is
// not empty and not ["NONE"]. (What an empty or absent one means, the
// image's own or none, is the caller's to decide.)
func HasHealthcheck(hc *container.HealthConfig) bool {
	return hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE"
}
