package docker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// killWatchLimit bounds how long a kill fault waits for a new task to run.
const killWatchLimit = 3 * time.Minute

// killWatch kills the containers of a service's new tasks once they are
// running: when the container has started if it has no healthcheck, or at
// its first healthy probe if it has one (when swarm marks the task running).
type killWatch struct {
	service string
	before  map[string]bool // task IDs that existed before the deploy
	after   time.Duration   // delay after the task is running
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

// startKill opens the service's container event stream on every daemon
// it can reach (so that nothing after the deploy is missed) and follows
// them in the background until the kills are done, killWatchLimit passes,
// or the engine is closed.
func (e *Engine) startKill(w killWatch) {
	ctx, cancel := context.WithTimeout(e.ctx, killWatchLimit)
	since := timestamp(e.DaemonTime(time.Now()).Add(-time.Second))
	seen := make(chan containerEvent)
	daemons := e.daemons()
	errs := make(chan error, len(daemons))
	for _, d := range daemons {
		msgs, derrs := d.cli.Events(ctx, events.ListOptions{Since: since, Filters: filters.NewArgs(
			filters.Arg("type", string(events.ContainerEventType)),
			filters.Arg("label", serviceNameLabel+"="+w.service))})
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for {
				select {
				case m := <-msgs:
					select {
					case seen <- containerEvent{d, m}:
					case <-ctx.Done():
						return
					}
				case err := <-derrs:
					errs <- fmt.Errorf("%s: %w", d.host, err)
					return
				}
			}
		}()
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		n, err := e.runKill(ctx, w, seen, errs)
		if n < w.slots && e.ctx.Err() == nil {
			e.logf("kill fault on %s: %d of %d new tasks killed before giving up (%v); the engine reaches %s",
				w.service, n, w.slots, err, e.nodesReached())
		}
	}()
}

// containerEvent is a container event and the daemon that reported it.
type containerEvent struct {
	d daemon
	m events.Message
}

// runKill follows the container events of the service on every daemon
// the engine reaches and kills each new task's container once it is
// running, one per slot, through its own node's daemon. It returns how
// many it killed and why it stopped.
func (e *Engine) runKill(ctx context.Context, w killWatch, seen <-chan containerEvent, errs <-chan error) (int, error) {
	done := map[string]bool{}    // slots handled
	waiting := map[string]bool{} // containers started, waiting for healthy
	for len(done) < w.slots {
		var ev containerEvent
		select {
		case ev = <-seen:
		case err := <-errs:
			return len(done), err
		case <-ctx.Done():
			return len(done), ctx.Err()
		}
		m := ev.m
		task, slot := m.Actor.Attributes[taskIDLabel], taskSlot(m.Actor.Attributes)
		if task == "" || w.before[task] || done[slot] {
			continue
		}
		switch {
		case m.Action == "start" && hasHealthcheck(ctx, ev.d, m.Actor.ID):
			waiting[m.Actor.ID] = true
		case m.Action == "start", m.Action == "health_status: healthy" && waiting[m.Actor.ID]:
			done[slot] = true
			e.killLater(w, ev.d, task, m.Actor.ID)
		}
	}
	return len(done), nil
}

// taskSlot is a task's slot (or node, for global services) from its
// container's com.docker.swarm.task.name, <service>.<slot or node>.<task>.
func taskSlot(attrs map[string]string) string {
	parts := strings.Split(attrs["com.docker.swarm.task.name"], ".")
	if len(parts) < 3 {
		return attrs[taskIDLabel]
	}
	return parts[len(parts)-2]
}

// hasHealthcheck reports whether a container runs a healthcheck, so that
// swarm marks its task running only when it is first healthy.
func hasHealthcheck(ctx context.Context, d daemon, id string) bool {
	c, err := d.cli.ContainerInspect(ctx, id)
	return err == nil && c.Config != nil && engine.HasHealthcheck(c.Config.Healthcheck)
}

// killLater kills a task's container through its node's daemon after
// w.after, unless the engine is closed first.
func (e *Engine) killLater(w killWatch, d daemon, taskID, containerID string) {
	e.later(w.after, func() {
		if err := d.cli.ContainerKill(e.ctx, containerID, "KILL"); err != nil {
			e.logf("kill fault on %s: kill container %.12s of task %s: %v", w.service, containerID, taskID, err)
			return
		}
		e.logf("kill fault on %s: killed container %.12s of task %s", w.service, containerID, taskID)
	})
}

// later runs f in the background after d, unless the engine is closed
// first; Close waits for it.
func (e *Engine) later(d time.Duration, f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		}
		f()
	}()
}
