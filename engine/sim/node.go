package sim

import (
	"slices"
	"time"
)

// DefaultNodeMemory is the memory of the node a simulator gets when the
// program adds none.
const DefaultNodeMemory = 16 << 30

// node is a swarm node with a memory capacity.
type node struct {
	id, name   string
	capacity   int64
	background int64   // memory used outside swarm tasks (host load, faults)
	live       []*task // tasks whose container exists, in start order
}

// used is the memory in use on the node.
func (n *node) used() int64 {
	u := n.background
	for _, t := range n.live {
		u += t.memory
	}
	return u
}

// AddNode adds a node with memory bytes of capacity. Without any AddNode
// the swarm has one node, node-1, of DefaultNodeMemory.
func (s *Sim) AddNode(name string, memory int64) {
	s.lock()
	defer s.unlock()
	n := &node{id: s.newID(), name: name, capacity: memory}
	s.nodes = append(s.nodes, n)
	if s.nodesReady && s.hostLoad != nil {
		s.drawLoad(n)
	}
}

// SetHostLoad gives every node a background memory load drawn once, at
// random in [min, max], from the run's seed: the host load that makes a
// memory-heavy start-first update fail on some seeds and not others.
func (s *Sim) SetHostLoad(min, max int64) {
	s.lock()
	defer s.unlock()
	if max < min {
		min, max = max, min
	}
	s.hostLoad = &[2]int64{min, max}
	if s.nodesReady {
		for _, n := range s.nodes {
			s.drawLoad(n)
		}
	}
}

// drawLoad sets n's background load from the host load range.
func (s *Sim) drawLoad(n *node) {
	n.background = s.hostLoad[0] + s.jitterBytes(s.hostLoad[1]-s.hostLoad[0])
	s.checkMemory(n)
}

// ensureNodes creates the default node if none was added and draws the
// host load, once, before the first deploy.
func (s *Sim) ensureNodes() {
	if s.nodesReady {
		return
	}
	s.nodesReady = true
	if len(s.nodes) == 0 {
		s.nodes = append(s.nodes, &node{id: s.newID(), name: "node-1", capacity: DefaultNodeMemory})
	}
	if s.hostLoad != nil {
		for _, n := range s.nodes {
			s.drawLoad(n)
		}
	}
}

// pickNode chooses a node for a task of svc the way swarm's scheduler
// spreads: fewest tasks of the service, then fewest tasks, then node order.
// Global tasks are pinned to their node.
func (s *Sim) pickNode(t *task) *node {
	if t.pinned != nil {
		return t.pinned
	}
	ofSvc, all := map[*node]int{}, map[*node]int{}
	for _, svc := range s.sortedServices() {
		for _, o := range svc.tasks {
			if o.node != nil && o.active() {
				all[o.node]++
				if svc == t.svc {
					ofSvc[o.node]++
				}
			}
		}
	}
	best := s.nodes[0]
	for _, n := range s.nodes[1:] {
		if ofSvc[n] < ofSvc[best] || (ofSvc[n] == ofSvc[best] && all[n] < all[best]) {
			best = n
		}
	}
	return best
}

// memorySteps is how many steps a MemoryRamp grows in.
const memorySteps = 4

// holdMemory puts t's container on its node, holding its memory (all of
// it, or the first ramp step), and OOM-kills as needed.
func (s *Sim) holdMemory(t *task) {
	t.node.live = append(t.node.live, t)
	if t.ramp <= 0 {
		s.growMemory(t, t.fullMem)
		return
	}
	s.growMemory(t, t.fullMem/memorySteps)
	for k := int64(2); k <= memorySteps && !t.terminal(); k++ {
		s.timer(t, time.Duration(k-1)*t.ramp/memorySteps, func() { s.growMemory(t, t.fullMem*k/memorySteps) })
	}
}

// growMemory sets the memory t's container holds. Past the task's memory
// limit its own cgroup kills it; past the node's capacity the newest
// container on the node is OOM-killed.
func (s *Sim) growMemory(t *task, bytes int64) {
	t.memory = bytes
	if r := t.rec.spec.TaskTemplate.Resources; r != nil && r.Limits != nil &&
		r.Limits.MemoryBytes > 0 && bytes > r.Limits.MemoryBytes {
		s.exitContainer(t, killExitCode, "")
		return
	}
	s.checkMemory(t.node)
}

// releaseMemory takes t's container off its node.
func (s *Sim) releaseMemory(t *task) {
	if t.node == nil {
		return
	}
	if i := slices.Index(t.node.live, t); i >= 0 {
		t.node.live = slices.Delete(t.node.live, i, i+1)
	}
}

// checkMemory OOM-kills the newest container on n until the node's memory in
// use fits its capacity.
func (s *Sim) checkMemory(n *node) {
	for len(n.live) > 0 && n.used() > n.capacity {
		victim := n.live[len(n.live)-1]
		s.exitContainer(victim, killExitCode, "")
	}
}

// raiseLoad adds bytes of background memory to every node.
func (s *Sim) raiseLoad(bytes int64) {
	for _, n := range s.nodes {
		n.background += bytes
		s.checkMemory(n)
	}
}
