package sim

import (
	"slices"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// DefaultNodeMemory is the memory of the node a simulator gets when the
// program adds none.
const DefaultNodeMemory = 16 << 30

// DefaultNodeCPUs is the CPU capacity (NanoCPUs) of a node unless the
// program sets one: a 16-core machine.
const DefaultNodeCPUs = 16e9

// node is a swarm node: its description (docs/swarm-semantics.md §17), its
// memory and what the tasks on it hold and reserve.
type node struct {
	id, name     string // name is also the node's hostname
	role         string // "manager" or "worker"
	labels       map[string]string
	engineLabels map[string]string
	availability swarm.NodeAvailability
	down         bool // the managers marked it down (heartbeats expired)
	stopped      bool // its daemon is stopped (down follows)
	nanoCPUs     int64
	reservedCPU  int64 // reservations of the active tasks assigned here
	reservedMem  int64
	capacity     int64
	background   int64   // memory used outside swarm tasks (host load, faults)
	live         []*task // tasks whose container exists, in start order (and some that left: onNode)
	left         int     // tasks in live that left the node
	held         int64   // memory the containers on the node hold
	active       int     // active tasks assigned to the node, of every service (index.go)
}

// used is the memory in use on the node.
func (n *node) used() int64 { return n.background + n.held }

// AddNode adds a node with memory bytes of capacity. Without any AddNode
// the swarm has one node, node-1, of DefaultNodeMemory.
func (s *Sim) AddNode(name string, memory int64) {
	s.lock()
	defer s.unlock()
	n := s.newNode(name, memory)
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
	s.record("host_load "+n.name, float64(n.background))
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
		s.nodes = append(s.nodes, s.newNode("node-1", DefaultNodeMemory))
	}
	if s.hostLoad != nil {
		for _, n := range s.nodes {
			s.drawLoad(n)
		}
	}
}

// newNode is a ready, active node: the swarm's first is its manager (a
// single-node swarm's node is one), later ones workers.
func (s *Sim) newNode(name string, memory int64) *node {
	role := "worker"
	if len(s.nodes) == 0 {
		role = "manager"
	}
	return &node{id: s.newID(), name: name, role: role, capacity: memory, nanoCPUs: DefaultNodeCPUs,
		availability: swarm.NodeAvailabilityActive, labels: map[string]string{}, engineLabels: map[string]string{}}
}

// memorySteps is how many steps a MemoryRamp grows in.
const memorySteps = 4

// holdMemory puts t's container on its node, holding its memory (all of
// it, or the first ramp step), and OOM-kills as needed.
func (s *Sim) holdMemory(t *task) {
	t.node.live = append(t.node.live, t)
	t.onNode = true
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
	if t.onNode {
		t.node.held += bytes - t.memory
	}
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
	n := t.node
	if !t.onNode {
		return
	}
	t.onNode = false
	n.held -= t.memory
	if n.left++; n.left*2 > len(n.live) {
		n.live = slices.DeleteFunc(n.live, func(t *task) bool { return !t.onNode })
		n.left = 0
	}
}

// newest is the container that came to n last and is still there, or nil.
func (n *node) newest() *task {
	for i := len(n.live) - 1; i >= 0; i-- {
		if n.live[i].onNode {
			return n.live[i]
		}
	}
	return nil
}

// checkMemory OOM-kills the newest container on n until the node's memory in
// use fits its capacity.
func (s *Sim) checkMemory(n *node) {
	for n.used() > n.capacity {
		victim := n.newest()
		if victim == nil {
			return
		}
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
