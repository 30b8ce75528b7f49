package sim

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Tasks lists a service's tasks (history included, up to 5 per slot) by
// slot, newest first within a slot. upToDate keeps only the tasks that are
// not dirty against the current spec, like the Engine's `_up-to-date`
// filter (docs/swarm-semantics.md §16).
func (s *Sim) Tasks(ctx context.Context, service string, upToDate bool) ([]swarm.Task, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	s.lock()
	defer s.unlock()
	svc, ok := s.services[service]
	if !ok {
		return nil, fmt.Errorf("tasks of service %s: %w", service, engine.ErrNotFound)
	}
	out := make([]swarm.Task, 0, len(svc.tasks))
	// Newest first: tasks the simulator creates at the same instant (a
	// restart's replacement and a rollback's task) come in the reverse of
	// their creation order, as a real swarm's, created a millisecond apart,
	// do.
	for i := len(svc.tasks) - 1; i >= 0; i-- {
		t := svc.tasks[i]
		if t.reaped || (upToDate && dirty(t, svc.spec)) {
			continue
		}
		out = append(out, s.apiTask(t))
	}
	engine.SortTasks(out)
	return out, nil
}

// apiTask is t as the Engine API shows it.
func (s *Sim) apiTask(t *task) swarm.Task {
	out := swarm.Task{ID: t.id, ServiceID: t.svc.id, Slot: int(t.slot), DesiredState: t.desired}
	if t.pinned != nil {
		out.Slot = 0
	}
	out.Version.Index = t.version
	out.CreatedAt, out.UpdatedAt = t.created, t.updated
	out.Spec = t.rec.taskForm()
	if t.node != nil {
		out.NodeID = t.node.id
	}
	out.Status = swarm.TaskStatus{Timestamp: t.stamp, State: t.state, Message: t.msg, Err: t.err}
	if t.container != "" {
		cs := &swarm.ContainerStatus{ContainerID: t.container}
		if t.terminal() {
			cs.ExitCode = t.exit
		} else if rank(t.state) >= rank(swarm.TaskStateStarting) {
			cs.PID = 1000 + int(t.version%30000)
		}
		out.Status.ContainerStatus = cs
	}
	return out
}
