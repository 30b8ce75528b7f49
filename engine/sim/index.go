package sim

import (
	"context"
	"fmt"
	"slices"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// What the simulator keeps up to date on every task write so that no step
// of the world, and no convergence check, looks at every task of a
// service (docs/scale.md): the tasks of each slot, the slots that run an
// up-to-date task, the newest failed up-to-date task, and how many active
// tasks each node holds, in all and per service.

// place is where a running task counts once: its slot, or for a global
// service's task its node (the Engine shows those with slot 0).
type place struct {
	slot uint64
	node *node
}

// index is a service's bookkeeping.
type index struct {
	bySlot   map[uint64][]*task // each slot's tasks, in creation order
	running  map[place]int      // up-to-date tasks running and meant to, per place
	places   int                // places in running with a count above 0
	failed   *task              // newest failed, rejected or complete up-to-date task
	activeOn map[*node]int      // active tasks per node
	reaped   int                // tasks reaped but still in service.tasks
}

func newIndex() index {
	return index{bySlot: map[uint64][]*task{}, running: map[place]int{}, activeOn: map[*node]int{}}
}

// addTask puts a new task in svc's lists.
func (svc *service) addTask(t *task) {
	svc.tasks = append(svc.tasks, t)
	svc.idx.bySlot[t.slot] = append(svc.idx.bySlot[t.slot], t)
}

// slotTasks is slot n's tasks, oldest first; callers must not keep it.
func (svc *service) slotTasks(n uint64) []*task { return svc.idx.bySlot[n] }

// dropTask takes a reaped task out of its slot; service.tasks is
// compacted once half of it is reaped, so a reap costs the slot's size.
func (svc *service) dropTask(t *task) {
	ts := svc.idx.bySlot[t.slot]
	if i := slices.Index(ts, t); i >= 0 {
		svc.idx.bySlot[t.slot] = slices.Delete(ts, i, i+1)
	}
	t.reaped = true
	svc.idx.reaped++
	if svc.idx.reaped*2 > len(svc.tasks) {
		svc.tasks = slices.DeleteFunc(svc.tasks, func(t *task) bool { return t.reaped })
		svc.idx.reaped = 0
	}
	if svc.idx.failed == t {
		svc.idx.failed = nil
		for _, o := range svc.tasks {
			svc.noteFailed(o, !dirty(o, svc.spec))
		}
	}
}

func (t *task) place() place {
	if t.pinned != nil {
		return place{node: t.node}
	}
	return place{slot: t.slot, node: t.node}
}

// recount updates svc's index, and the node counts, after a write to t.
func (s *Sim) recount(t *task) {
	svc := t.svc
	upToDate := !dirty(t, svc.spec)
	counts := upToDate && t.state == swarm.TaskStateRunning && t.desired == swarm.TaskStateRunning
	if counts != t.counted {
		t.counted = counts
		p := t.place()
		if counts {
			if svc.idx.running[p]++; svc.idx.running[p] == 1 {
				svc.idx.places++
			}
		} else if svc.idx.running[p]--; svc.idx.running[p] == 0 {
			delete(svc.idx.running, p)
			svc.idx.places--
		}
	}
	if upToDate {
		svc.noteFailed(t, true)
	}
	var on *node
	if t.node != nil && t.active() {
		on = t.node
	}
	if on != t.activeOn {
		if n := t.activeOn; n != nil {
			svc.idx.activeOn[n]--
			n.active--
			s.reschedule() // a count max_replicas_per_node or spread reads
		}
		if on != nil {
			svc.idx.activeOn[on]++
			on.active++
		}
		t.activeOn = on
	}
	// Reservations are held from assignment until the task ends,
	// whatever its desired state (swarmkit nodeinfo).
	var holds *node
	if t.node != nil && !t.terminal() {
		holds = t.node
	}
	if holds != t.holdsOn {
		cpus, mem := reservation(t)
		if n := t.holdsOn; n != nil {
			n.reservedCPU -= cpus
			n.reservedMem -= mem
			s.reschedule()
		}
		if holds != nil {
			holds.reservedCPU += cpus
			holds.reservedMem += mem
		}
		t.holdsOn = holds
	}
}

// noteFailed makes t, up to date or not as upToDate says, the newest
// failed up-to-date task if it is one and ended after the current one
// (engine.EndedBadly, engine.FailedLater).
func (svc *service) noteFailed(t *task, upToDate bool) {
	if !upToDate || t.reaped || !engine.EndedBadly(t.state) {
		return
	}
	if f := svc.idx.failed; f == nil || engine.FailedLater(t.stamp, t.id, f.stamp, f.id) {
		svc.idx.failed = t
	}
}

// recountAll rebuilds the up-to-date counts after svc's spec changed:
// which tasks are up to date changes with it.
func (s *Sim) recountAll(svc *service) {
	svc.idx.running, svc.idx.places, svc.idx.failed = map[place]int{}, 0, nil
	for _, t := range svc.tasks {
		t.counted = false
		if !t.reaped {
			s.recount(t)
		}
	}
}

// UpToDate is engine.TaskCounter: the running places and newest failure
// among svc's up-to-date tasks, as engine.Summarize would find them in
// Tasks(service, true), kept current on every write.
func (s *Sim) UpToDate(ctx context.Context, service string) (engine.UpToDate, error) {
	if err := checkCtx(ctx); err != nil {
		return engine.UpToDate{}, err
	}
	s.lock()
	defer s.unlock()
	svc, ok := s.services[service]
	if !ok {
		return engine.UpToDate{}, fmt.Errorf("tasks of service %s: %w", service, engine.ErrNotFound)
	}
	out := engine.UpToDate{Running: svc.idx.places}
	if f := svc.idx.failed; f != nil {
		t := s.apiTask(f)
		out.Failed = &t
	}
	return out, nil
}
