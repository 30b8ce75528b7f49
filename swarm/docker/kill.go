package docker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	cswarm "github.com/coop-cloud/chaosrun/swarm"
)

// killWatchLimit bounds how long a kill fault waits for a new task to run.
const killWatchLimit = 3 * time.Minute

// killWatch kills the containers of a service's new tasks.
type killWatch struct {
	service string
	before  map[string]bool // task IDs that existed before the deploy
	after   time.Duration   // delay after the task is seen running
	slots   int             // kills wanted: one per slot (or node)
}

// taskIDs lists the IDs of a service's tasks (none when it does not exist).
func (e *Engine) taskIDs(ctx context.Context, service string) (map[string]bool, error) {
	tasks, err := e.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", service))})
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("list tasks of %s: %w", service, err)
	}
	ids := map[string]bool{}
	for _, t := range tasks {
		ids[t.ID] = true
	}
	return ids, nil
}

// startKill runs w in the background until it is done, killWatchLimit
// passes, or the engine is closed.
func (e *Engine) startKill(w killWatch) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ctx, cancel := context.WithTimeout(e.ctx, killWatchLimit)
		defer cancel()
		if n := e.runKill(ctx, w); n < w.slots && e.ctx.Err() == nil {
			e.logf("kill fault on %s: %d of %d new tasks killed before giving up after %s",
				w.service, n, w.slots, killWatchLimit)
		}
	}()
}

// runKill looks at the service's tasks whenever the event stream says
// something happened to it (and at least every second), and kills each new
// running task once, one per slot; it returns how many slots it handled.
func (e *Engine) runKill(ctx context.Context, w killWatch) int {
	done := map[string]bool{}
	failing := false // the last list failed (and was logged)
	sub := e.Subscribe(ctx)
	for len(done) < w.slots {
		tasks, err := e.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", w.service))})
		switch {
		case isNotFound(err):
			return w.slots // the service is gone: nothing left to kill
		case err != nil && ctx.Err() == nil && !failing:
			e.logf("kill fault on %s: list tasks: %v", w.service, err)
		}
		failing = err != nil
		for _, t := range tasks {
			key := fmt.Sprintf("%d/%s", t.Slot, t.NodeID)
			if t.Slot != 0 {
				key = fmt.Sprint(t.Slot)
			}
			if w.before[t.ID] || done[key] || t.Status.State != swarm.TaskStateRunning ||
				t.Status.ContainerStatus == nil || t.Status.ContainerStatus.ContainerID == "" {
				continue
			}
			done[key] = true
			if t.NodeID != e.nodeID {
				e.logf("kill fault on %s: task %s runs on node %s, not on the daemon's node %s; not killed",
					w.service, t.ID, t.NodeID, e.nodeID)
				continue
			}
			e.killLater(w, t.ID, t.Status.ContainerStatus.ContainerID)
		}
		if err := waitFor(ctx, sub, w.service, time.Now().Add(time.Second)); err != nil {
			return len(done)
		}
	}
	return len(done)
}

// waitFor waits until an event about service, or the deadline (nil), or
// the end of ctx (its error).
func waitFor(ctx context.Context, sub cswarm.Subscription, service string, deadline time.Time) error {
	for {
		ev, err := sub.Next(ctx, deadline)
		if errors.Is(err, clock.ErrDeadline) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.Service == service {
			return nil
		}
	}
}

// killLater kills a task's container after w.after, unless the engine is
// closed first.
func (e *Engine) killLater(w killWatch, taskID, containerID string) {
	e.wg.Add(1)
	go func() {
		ctx := e.ctx
		defer e.wg.Done()
		t := time.NewTimer(w.after)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.cli.ContainerKill(ctx, containerID, "KILL"); err != nil {
			e.logf("kill fault on %s: kill container %.12s of task %s: %v", w.service, containerID, taskID, err)
			return
		}
		e.logf("kill fault on %s: killed container %.12s of task %s", w.service, containerID, taskID)
	}()
}
