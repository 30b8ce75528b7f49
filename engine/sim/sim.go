// Package sim is chaosrun's deterministic simulated swarm, the default
// engine. It implements engine.Engine on a clock.Virtual: nothing in it runs
// on its own goroutine; every step of the simulated world is a callback the
// virtual clock runs (AfterFunc) or work done in the thread that called an
// Engine method. All randomness comes from one math/rand/v2 source seeded by
// New, so the same program and seed give the same run, byte for byte.
//
// What is modelled follows swarmkit's replicated orchestrator, restart
// supervisor and updater as docs/swarm-semantics.md describes them (cited
// below and in this package as docs/swarm-semantics.md §n):
//
//   - controlapi's service update: PreviousSpec ← Spec, UpdateStatus ← nil,
//     Version bumped on every store write (§4);
//   - the updater: dirty slots, parallelism, delay, monitor, failure actions,
//     max_failure_ratio, stop-first/start-first, automatic rollback with the
//     restored spec's RollbackConfig, the exact status messages (§4–§11);
//   - the restart supervisor: replacements from the current spec, restart
//     delay, condition and max attempts, history retention 5 (§3);
//   - tasks: the state ladder new → … → running → terminal with small step
//     delays (§1), healthchecks (§2), the stop delay and exit code (§14),
//     memory use on nodes and OOM kills (§13);
//   - the races a real swarm leaves to timing, drawn from the seed (§15);
//   - nodes and the scheduler: placement constraints, spread preferences,
//     max_replicas_per_node, reservations, availability, the constraint
//     enforcer, nodes going down and coming back (§17).
//
// The simulator cannot run images, so how a service's containers behave
// (boot time, memory, crashes) is set per service with SetBehaviour, and
// nodes and their memory with AddNode and SetHostLoad:
//
//	clk := clock.NewVirtual(start)
//	s := sim.New(seed, clk)
//	s.AddNode("ci", 5<<30)      // optional: else node-1 with 16 GiB
//	s.SetHostLoad(0, 2<<30)     // optional: background memory per node, from the seed
//	s.SetBehaviour("discourse_app", sim.Behaviour{Boot: 8 * time.Minute, Memory: 3 << 30})
//
// Not modelled: healthchecks baked into images (only the spec's count),
// start_interval, the scheduler's plugin, platform and host-port filters,
// leader failover, jobs, orphaned tasks, and the PullOptions/placement
// exceptions of IsTaskDirty.
// A probe's timeout only caps Behaviour.ProbeFailTime. Slots left without
// a runnable task are re-created from the current spec when the
// orchestrator next reconciles (close to the dead slots of §9). Remove is
// immediate: tasks are shut down at the moment of the call.
package sim

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Sim is a simulated swarm. Its methods may be called from any thread of
// its virtual clock; they never block except Subscription.Next.
type Sim struct {
	mu  sync.Mutex
	clk *clock.Virtual
	rng *rand.Rand

	raft uint64 // store version: bumped by every write to a service or task

	nodes      []*node
	nodesReady bool
	hostLoad   *[2]int64 // min, max background memory per node
	behaviour  map[string]Behaviour

	services map[string]*service // by full name
	objects  map[string]*object  // networks, secrets and configs by kind/name

	pinned map[string]string // races a scenario pinned (races.go)

	draws     []Draw         // what the run drew, by name (draws.go)
	drawNames map[string]int // how often each name was drawn

	pending      []*task // tasks waiting for a node that fits (scheduler.go)
	rescheduling bool    // a retry of the pending tasks is queued

	subs []*subscription
	// watchers see every write (Observe, observe.go).
	watchers []*watcher
	// idKey, when set, keys the IDs of named objects (KeyIDs, api.go).
	idKey *int64
	work  []reaction // reactions queued while the world is being changed
}

// reaction is a queued reaction: fn, or the managers' reaction to a write
// that left task t in state (onTask), kept without a closure since every
// task write queues one.
type reaction struct {
	fn    func()
	t     *task
	state swarm.TaskState
}

var (
	_ engine.Engine = (*Sim)(nil)
	_ engine.Shaper = (*Sim)(nil)
)

// New returns a simulated swarm whose randomness comes from seed and whose
// time is clk's. It starts as a Co-op Cloud server does, with the
// DefaultNetwork overlay network.
func New(seed int64, clk *clock.Virtual) *Sim {
	s := &Sim{
		clk:       clk,
		rng:       rand.New(rand.NewPCG(uint64(seed), 0x636861_6f7372756e)),
		behaviour: map[string]Behaviour{},
		services:  map[string]*service{},
		objects:   map[string]*object{},
	}
	_ = s.addNetwork(DefaultNetwork) // a valid name, on an empty swarm
	return s
}

// Name is "sim".
func (s *Sim) Name() string { return "sim" }

// Clock is the simulator's virtual clock.
func (s *Sim) Clock() clock.Clock { return s.clk }

// now is the virtual time.
func (s *Sim) now() time.Time { return s.clk.Now() }

// lock takes the simulator's lock; unlock runs every queued reaction, wakes
// subscribers that got events, and releases it.
func (s *Sim) lock() { s.mu.Lock() }

func (s *Sim) unlock() {
	s.settle()
	s.mu.Unlock()
}

// settle runs queued reactions in order until none is left, then wakes the
// subscribers that received events.
func (s *Sim) settle() {
	// Reactions may post more, appending to s.work while it is drained.
	for i := 0; i < len(s.work); i++ {
		r := s.work[i]
		s.work[i] = reaction{}
		if r.t != nil {
			s.onTask(r.t, r.state)
		} else {
			r.fn()
		}
	}
	s.work = s.work[:0]
	for _, sub := range s.subs {
		if sub.dirty {
			sub.dirty = false
			sub.sig.Notify()
		}
	}
}

// post queues a reaction to run once the current change is done, at the
// same virtual time. Reactions run in the order they were posted.
func (s *Sim) post(fn func()) { s.work = append(s.work, reaction{fn: fn}) }

// after runs fn under the lock after d of virtual time.
func (s *Sim) after(d time.Duration, fn func()) *clock.Timer {
	return s.clk.AfterFunc(d, func() {
		s.lock()
		defer s.unlock()
		fn()
	})
}

// checkCtx is the error of a context that is already done.
func checkCtx(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
