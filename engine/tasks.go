package engine

import (
	"context"
	"slices"
	"strings"
	"time"

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
	// Sort positions, not the tasks themselves: a swarm.Task holds its
	// whole spec, and copying it at every comparison dominated long lists.
	order := make([]int, len(tasks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &tasks[i], &tasks[j]
		if a.Slot != b.Slot {
			return a.Slot - b.Slot
		}
		if a.Slot == 0 && a.NodeID != b.NodeID {
			return strings.Compare(a.NodeID, b.NodeID)
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	sorted := make([]swarm.Task, len(tasks))
	for k, i := range order {
		sorted[k] = tasks[i]
	}
	copy(tasks, sorted)
}

// UpToDate is what a convergence check needs of a service's up-to-date
// tasks (those not dirty against the current spec), without the list.
type UpToDate struct {
	// Running counts the slots, and a global service's nodes, that run
	// an up-to-date task meant to run.
	Running int
	// Failed is the up-to-date task that failed, was rejected or completed
	// last (newest Status.Timestamp, then greatest ID), or nil.
	Failed *swarm.Task
}

// TaskCounter is an engine that can summarise a service's up-to-date
// tasks in time that does not grow with their number. An engine without
// it is asked for the list (Tasks with upToDate), which Summarize reads.
type TaskCounter interface {
	UpToDate(ctx context.Context, service string) (UpToDate, error)
}

// EndedBadly reports whether a task in state s counts as UpToDate.Failed:
// failed, rejected, or complete (an exit 0 of a task meant to run).
func EndedBadly(s swarm.TaskState) bool {
	switch s {
	case swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateComplete:
		return true
	}
	return false
}

// Summarize is UpToDate of a list of up-to-date tasks.
func Summarize(tasks []swarm.Task) UpToDate {
	var out UpToDate
	type place struct {
		slot int
		node string
	}
	seen := map[place]bool{}
	for i := range tasks {
		t := &tasks[i]
		switch {
		case t.Status.State == swarm.TaskStateRunning:
			if k := (place{t.Slot, t.NodeID}); t.DesiredState == swarm.TaskStateRunning && !seen[k] {
				seen[k] = true
				out.Running++
			}
		case EndedBadly(t.Status.State):
			if out.Failed == nil || FailedLater(t.Status.Timestamp, t.ID, out.Failed.Status.Timestamp, out.Failed.ID) {
				out.Failed = t
			}
		}
	}
	return out
}

// FailedLater is UpToDate's order of failed tasks: whether the task that
// ended at a with ID aID comes after the one that ended at b with ID bID.
func FailedLater(a time.Time, aID string, b time.Time, bID string) bool {
	if !a.Equal(b) {
		return a.After(b)
	}
	return aID > bID
}

// HasHealthcheck reports whether hc runs a probe: it is set, its Test is
// not empty and not ["NONE"]. (What an empty or absent one means, the
// image's own or none, is the caller's to decide.)
func HasHealthcheck(hc *container.HealthConfig) bool {
	return hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE"
}
