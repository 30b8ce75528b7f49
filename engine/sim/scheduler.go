package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// The scheduler (swarmkit manager/scheduler, docs/swarm-semantics.md §17):
// a pending task goes to a node that passes every filter, chosen by the
// service's spread preferences and then by fewest tasks of the service
// and fewest tasks in all. A task no node passes stays pending with the
// filters' explanation as its error, and is tried again whenever a node
// changes or a task leaves a node.

// filter is one of the scheduler's node filters: whether t may go on n,
// and what the filter says when it was the first to fail on some nodes.
type filter struct {
	fits    func(t *task, n *node) bool
	explain func(nodes int) string
}

// filters are the scheduler's pipeline, in swarmkit's order
// (manager/scheduler/pipeline.go); the plugin, platform and host-port
// filters are not modelled.
var filters = []filter{
	{fitsReady, onNodes("%s not available for new tasks")},
	{fitsResources, onNodes("insufficient resources on %s")},
	{fitsConstraints, onNodes("scheduling constraints not satisfied on %s")},
	{fitsMaxReplicas, func(int) string { return "max replicas per node limit exceed" }},
}

// onNodes is an explanation naming how many nodes failed: "1 node",
// "2 nodes".
func onNodes(format string) func(int) string {
	return func(n int) string {
		nodes := fmt.Sprintf("%d nodes", n)
		if n == 1 {
			nodes = "1 node"
		}
		return fmt.Sprintf(format, nodes)
	}
}

// fitsReady: the node is up (status ready) and active (not paused or
// drained).
func fitsReady(_ *task, n *node) bool {
	return !n.down && n.availability == swarm.NodeAvailabilityActive
}

// reservation is what t reserves of its node: NanoCPUs and memory bytes.
func reservation(t *task) (cpus, mem int64) {
	if r := t.rec.spec.TaskTemplate.Resources; r != nil && r.Reservations != nil {
		return r.Reservations.NanoCPUs, r.Reservations.MemoryBytes
	}
	return 0, 0
}

func fitsResources(t *task, n *node) bool {
	cpus, mem := reservation(t)
	return n.reservedCPU+cpus <= n.nanoCPUs && n.reservedMem+mem <= n.capacity
}

func fitsConstraints(t *task, n *node) bool { return meetAll(t.rec.constraints, n) }

func fitsMaxReplicas(t *task, n *node) bool {
	p := t.rec.spec.TaskTemplate.Placement
	return p == nil || p.MaxReplicas == 0 || uint64(t.svc.idx.activeOn[n]) < p.MaxReplicas
}

// candidates are the nodes t may go on: its own for a global service's
// task, else every node.
func (s *Sim) candidates(t *task) []*node {
	if t.pinned != nil {
		return []*node{t.pinned}
	}
	return s.nodes
}

// schedule picks t's node, or returns nil and the task's error (see
// explain).
func (s *Sim) schedule(t *task) (*node, string) {
	failed := make([]int, len(filters))
	var fit []*node
	for _, n := range s.candidates(t) {
		ok := true
		for i, f := range filters {
			if !f.fits(t, n) {
				failed[i]++
				ok = false
				break
			}
		}
		if ok {
			fit = append(fit, n)
		}
	}
	if len(fit) == 0 {
		why := explain(failed)
		if t.pinned == nil {
			why = "no suitable node (" + why + ")"
		}
		return nil, why
	}
	return s.choose(t, fit), ""
}

// explain is the pipeline's explanation of a task no node fits: each
// filter that was the first to fail on some node, the most failures
// first (ties in pipeline order), joined by "; ". A global service's
// task, which has its node already, gets it bare; others get it as "no
// suitable node (...)".
func explain(failed []int) string {
	order := make([]int, 0, len(failed))
	for i, count := range failed {
		if count > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return failed[b] - failed[a] })
	parts := make([]string, len(order))
	for k, i := range order {
		parts[k] = filters[i].explain(failed[i])
	}
	return strings.Join(parts, "; ")
}

// choose is the scheduler's pick among the nodes that fit: down the
// service's spread preferences, the group of nodes (by the preference's
// label value) holding the fewest of the service's tasks; then the node
// with the fewest tasks of the service, then the fewest in all, then the
// first added.
func (s *Sim) choose(t *task, fit []*node) *node {
	ofSvc := t.svc.idx.activeOn
	if p := t.rec.spec.TaskTemplate.Placement; p != nil {
		for _, pref := range p.Preferences {
			if pref.Spread == nil || len(fit) < 2 {
				continue
			}
			fit = fewestInGroup(s.nodes, fit, ofSvc, pref.Spread.SpreadDescriptor)
		}
	}
	best := fit[0]
	for _, n := range fit[1:] {
		if ofSvc[n] < ofSvc[best] || (ofSvc[n] == ofSvc[best] && n.active < best.active) {
			best = n
		}
	}
	return best
}

// fewestInGroup groups the nodes by the value of a spread descriptor
// (node.labels.<name> or engine.labels.<name>, the prefix in any case;
// nodes without the label form one group, value "") and returns the fit
// nodes of the group that holds the fewest of the service's tasks on all
// its nodes, among the groups with a fit node; ties go to the group seen
// first in node order. Another descriptor is ignored, as swarm does.
func fewestInGroup(all, fit []*node, ofSvc map[*node]int, descriptor string) []*node {
	if _, ok := nodeLabel(fit[0], descriptor); !ok {
		return fit
	}
	value := func(n *node) string { v, _ := nodeLabel(n, descriptor); return v }
	load := map[string]int{}
	for _, n := range all {
		load[value(n)] += ofSvc[n]
	}
	var order []string
	groups := map[string][]*node{}
	for _, n := range fit {
		v := value(n)
		if _, ok := groups[v]; !ok {
			order = append(order, v)
		}
		groups[v] = append(groups[v], n)
	}
	best := order[0]
	for _, v := range order[1:] {
		if load[v] < load[best] {
			best = v
		}
	}
	return groups[best]
}

// assign moves a pending task to its node, or leaves it pending with
// the scheduler's explanation until something changes.
func (s *Sim) assign(t *task) {
	n, why := s.schedule(t)
	if n == nil {
		if t.err != why { // swarm writes only a change, with a new timestamp
			t.err, t.stamp = why, s.now()
			s.writeTask(t, "update")
		}
		if !t.waiting {
			t.waiting = true
			s.pending = append(s.pending, t)
		}
		return
	}
	msg := "scheduler assigned task to node"
	if t.pinned != nil {
		msg = "scheduler confirmed task can run on preassigned node"
	}
	t.node, t.err = n, ""
	s.setState(t, swarm.TaskStateAssigned, msg)
	s.step(t, delayAccept, s.advance)
}

// scheduleDebounce is how long the scheduler waits for the store to go
// quiet before it tries the pending tasks again (swarmkit's commit
// debounce gap).
const scheduleDebounce = 50 * time.Millisecond

// reschedule tries the pending tasks again, in the order they began to
// wait, once something that could let them fit has changed.
func (s *Sim) reschedule() {
	if len(s.pending) == 0 || s.rescheduling {
		return
	}
	s.rescheduling = true
	s.after(scheduleDebounce, func() {
		s.rescheduling = false
		waiting := s.pending
		s.pending = nil
		for _, t := range waiting {
			t.waiting = false
			if t.state == swarm.TaskStatePending && rank(t.desired) <= runningRank && s.services[t.svc.name] == t.svc {
				s.assign(t)
			}
		}
	})
}
