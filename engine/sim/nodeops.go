package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// What happens to tasks when a node changes (docs/swarm-semantics.md §17):
// `docker node update`, and a node whose daemon stops and comes back.

// Heartbeats: a manager marks a node down when it has heard none for three
// periods of 5 s ± 10% (swarmkit dispatcher), counted from the last one,
// which came up to a period before the daemon stopped: so 8.5–16.5 s after
// the stop (one measured here: 12.9 s). The simulator draws both from the
// seed.
const (
	heartbeatExpiry       = 13500 * time.Millisecond
	heartbeatExpiryJitter = 3 * time.Second
	heartbeatPeriod       = 5 * time.Second
)

// nodeNamed finds a node by name, or says which there are.
func (s *Sim) nodeNamed(name string) (*node, error) {
	if len(s.nodes) == 0 {
		s.ensureNodes() // the default node-1
	}
	for _, n := range s.nodes {
		if n.name == name {
			return n, nil
		}
	}
	names := make([]string, len(s.nodes))
	for i, n := range s.nodes {
		names[i] = n.name
	}
	return nil, fmt.Errorf("no node %q (nodes: %s)", name, strings.Join(names, ", "))
}

// UpdateNode is engine.Shaper's: `docker node update` of role, labels and
// availability, and the daemon's engine labels and CPUs.
func (s *Sim) UpdateNode(name string, u engine.NodeUpdate) error {
	s.lock()
	defer s.unlock()
	n, err := s.nodeNamed(name)
	if err != nil {
		return err
	}
	switch u.Role {
	case "", "manager", "worker":
	default:
		return fmt.Errorf("node %s: role %q: want manager or worker", name, u.Role)
	}
	avail := swarm.NodeAvailability(u.Availability)
	switch avail {
	case "", swarm.NodeAvailabilityActive, swarm.NodeAvailabilityPause, swarm.NodeAvailabilityDrain:
	default:
		return fmt.Errorf("node %s: availability %q: want active, pause or drain", name, u.Availability)
	}
	if u.NanoCPUs < 0 {
		return fmt.Errorf("node %s: %d CPUs: want more than 0", name, u.NanoCPUs)
	}
	if u.Role != "" {
		n.role = u.Role
	}
	if avail != "" {
		n.availability = avail
	}
	if u.Labels != nil {
		n.labels = u.Labels
	}
	if u.EngineLabels != nil {
		n.engineLabels = u.EngineLabels
	}
	if u.NanoCPUs > 0 {
		n.nanoCPUs = u.NanoCPUs
	}
	s.nodeChanged(n)
	return nil
}

// nodeChanged is the managers' reaction to a node update: the constraint
// enforcer, then the orchestrators (a drained node's tasks move), then
// the scheduler tries the pending tasks again.
func (s *Sim) nodeChanged(n *node) {
	if n.availability == swarm.NodeAvailabilityActive && !n.down {
		s.enforceConstraints(n)
	}
	if n.availability == swarm.NodeAvailabilityDrain || n.down {
		s.evacuate(n)
	}
	s.reconcileGlobals()
	s.reschedule()
}

// enforceConstraints is swarmkit's constraint enforcer: a task on an
// active node that no longer meets its service's constraints, or whose
// reservations no longer fit the node, is rejected; the orchestrator then
// replaces it.
func (s *Sim) enforceConstraints(n *node) {
	for _, svc := range s.sortedServices() {
		for _, t := range svc.tasks {
			if t.reaped || t.node != n || t.terminal() || rank(t.desired) > runningRank {
				continue
			}
			cpus, mem := reservation(t)
			over := (cpus > 0 || mem > 0) && (n.reservedCPU > n.nanoCPUs || n.reservedMem > n.capacity)
			if meetAll(svc.spec.constraints, n) && !over {
				continue
			}
			t.cancelTimers() // its write below gives its reservation back
			s.releaseMemory(t)
			t.state, t.msg, t.err, t.stamp = swarm.TaskStateRejected, "task rejected by constraint enforcer",
				"assigned node no longer meets constraints", s.now()
			s.writeTask(t, "update")
		}
	}
}

// evacuate is the replicated orchestrator's restart of the tasks on a
// drained or down node (restartTasksByNodeID): each gets desired shutdown
// and a replacement in its slot, placed anywhere. A drained node is up,
// so the replacement waits for the old task to stop and no restart delay
// applies; a down node reports nothing, so only the delay is waited.
// Global services' tasks are the global orchestrator's (reconcileGlobals).
func (s *Sim) evacuate(n *node) {
	for _, svc := range s.sortedServices() {
		if svc.spec.spec.Mode.Global != nil {
			continue
		}
		for _, t := range slices.Clone(svc.tasks) {
			if t.reaped || t.node != n || rank(t.desired) > runningRank {
				continue
			}
			if n.down {
				_, delay, _, _ := restartPolicy(&t.rec.spec.TaskTemplate)
				s.replace(t, delay, false)
			} else {
				s.replace(t, 0, !t.terminal())
			}
		}
	}
}

// reconcileGlobals lets every global service's orchestrator see the nodes
// as they are now.
func (s *Sim) reconcileGlobals() {
	for _, svc := range s.sortedServices() {
		if svc.spec.spec.Mode.Global != nil {
			s.reconcile(svc)
		}
	}
}

// globalFits is whether a global service runs a task on n: n is up, not
// drained, and meets the service's constraints (a paused node keeps what
// it has but gets nothing new: see reconcileGlobal).
func (s *Sim) globalFits(svc *service, n *node) bool {
	return !n.down && n.availability != swarm.NodeAvailabilityDrain && meetAll(svc.spec.constraints, n)
}

// NodeDown is engine.Shaper's: after d the node's daemon stops, taking its
// containers with it, and reports nothing more; the managers mark it
// down once its heartbeats have expired. After duration (0: never) it
// comes back and reports what became of its tasks.
func (s *Sim) NodeDown(name string, after, duration time.Duration) error {
	s.lock()
	defer s.unlock()
	n, err := s.nodeNamed(name)
	if err != nil {
		return err
	}
	if after < 0 || duration < 0 {
		return fmt.Errorf("node %s: down after %s for %s: want durations of 0 or more", name, after, duration)
	}
	s.after(after, func() {
		if n.stopped {
			return
		}
		s.stopDaemon(n)
		expiry := heartbeatExpiry + s.jitter(heartbeatExpiryJitter) - s.jitter(heartbeatPeriod)
		s.recordDuration("marked_down_after "+n.name, expiry)
		if duration == 0 || duration > expiry {
			s.after(expiry, func() {
				if n.stopped {
					n.down = true
					s.nodeChanged(n)
				}
			})
		}
		if duration > 0 {
			s.after(duration, func() { s.startDaemon(n) })
		}
	})
	return nil
}

// stopDaemon stops n's daemon: its containers are gone, its tasks keep
// the state they last reported.
func (s *Sim) stopDaemon(n *node) {
	n.stopped = true
	for _, svc := range s.sortedServices() {
		for _, t := range svc.tasks {
			if !t.reaped && t.node == n && !t.terminal() {
				t.cancelTimers()
				s.releaseMemory(t)
				t.lost = true
			}
		}
	}
}

// startDaemon brings n back: its agent reports each task it had. One
// assigned while the daemon was away and never started goes on down the
// ladder (or is shut down when no longer meant to run); one whose
// container the stop took ended: shut down when the managers meant it to
// stop meanwhile, else failed with the container's stop exit code
// ([unverified] on a real swarm, docs/swarm-semantics.md §17). Then n is
// ready again.
func (s *Sim) startDaemon(n *node) {
	n.stopped, n.down = false, false
	for _, svc := range s.sortedServices() {
		for _, t := range slices.Clone(svc.tasks) {
			if t.reaped || !t.lost || t.terminal() {
				continue
			}
			t.lost = false
			switch {
			case t.container == "" && rank(t.desired) <= runningRank:
				s.step(t, delayAccept, s.advance)
			case t.container == "":
				s.setState(t, swarm.TaskStateShutdown, "shutdown")
			default:
				s.exitContainer(t, t.stopCode, "")
			}
		}
	}
	s.nodeChanged(n)
}
