package engine

import (
	"context"
	"time"
)

// Change is one write to a service or a task, as a timeline shows it
// (docs/timeline.md). Task is empty for a service change.
type Change struct {
	Time    time.Time
	Service string

	// Task changes: the task's ID, slot (0 for a global service's task),
	// node (its hostname; "" before it is assigned), state, desired state
	// and error, and the labels of the
	// service spec the task was made from (abra's chaos-version among
	// them; nil when the engine could not tell which spec).
	Task    string
	Slot    int
	Node    string
	State   string
	Desired string
	Err     string
	Labels  map[string]string

	// Service changes: the update's state ("" before any update) and
	// message, the live spec's labels, and Removed when the service went.
	UpdateState string
	Message     string
	Removed     bool
}

// Observer is an engine that can report every change to its services
// and tasks as it happens, for timelines. watch is called for each change
// in the order they happened; it must not call back into the engine (the
// simulator calls it with its lock held). Stopping ends the reports;
// stopping twice is harmless.
type Observer interface {
	Observe(ctx context.Context, watch func(Change)) (stop func())
}
