package sim

import (
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// rank is swarmkit's order of task states (engine.TaskStateRank).
func rank(s swarm.TaskState) int { return engine.TaskStateRank(s) }

var runningRank = rank(swarm.TaskStateRunning)

// Step delays of the task ladder: each step takes base plus a random
// [0, base] drawn from the seed.
const (
	delayAllocate = 5 * time.Millisecond   // new → pending
	delaySchedule = 20 * time.Millisecond  // pending → assigned
	delayAccept   = 10 * time.Millisecond  // assigned → accepted
	delayPrepare  = 10 * time.Millisecond  // accepted → preparing
	delayCreate   = 150 * time.Millisecond // preparing → ready (image present, container created)
	delayStart    = 20 * time.Millisecond  // ready (desired running) → starting
	delayDiscard  = 10 * time.Millisecond  // shutdown of a task with no container yet
)

// The stop delay (docs/swarm-semantics.md §14): moby's container
// controller sleeps defaultGossipConvergeDelay before it stops a task on a
// network; a stop the orchestrator asks for takes longer still, as
// measured on a real swarm, whether or not the task had run.
const (
	gossipDelay  = 2 * time.Second
	orderLatency = 1400 * time.Millisecond
)

// task is the store's task object plus its simulated container.
type task struct {
	id      string
	svc     *service
	rec     *specRec
	slot    uint64
	pinned  *node // global service: the task's node
	node    *node
	state   swarm.TaskState
	desired swarm.TaskState
	msg     string
	err     string
	exit    int
	created time.Time
	updated time.Time
	stamp   time.Time // Status.Timestamp
	version uint64

	container string
	memory    int64 // held on the node now
	fullMem   int64 // what it grows to
	ramp      time.Duration
	boot      time.Duration
	unhealthy bool
	probeFail time.Duration
	sickAfter *time.Duration // healthy first, failing probes this long after running
	crash     *time.Duration // exit after running this long
	crashCode int
	kill      *time.Duration // SIGKILL after running this long
	stopCode  int
	stopTime  time.Duration
	stopping  bool

	timers      []*clock.Timer
	gen         int        // bumped when timers are cancelled
	stopWaiters []*delayed // delayed starts waiting for this task to stop

	counted  bool  // counts in its service's running places (index.go)
	activeOn *node // the node whose active count includes it (index.go)
	holdsOn  *node // the node whose reservations include it (index.go)
	reaped   bool  // dropped by the task reaper
	onNode   bool  // its container is in its node's live list
	waiting  bool  // pending in Sim.pending: no node fits it yet
	lost     bool  // on a node whose daemon stopped: reports nothing
}

func (t *task) terminal() bool { return rank(t.state) > runningRank }

// active is a task that holds (or will hold) a place on its node.
func (t *task) active() bool { return !t.terminal() && rank(t.desired) <= runningRank }

// newTask creates a task of svc from rec in slot, with the given desired
// state, and starts it down the ladder.
func (s *Sim) newTask(svc *service, rec *specRec, slot uint64, desired swarm.TaskState) *task {
	now := s.now()
	b := s.behaviourOf(svc.name)
	id := s.newID() // the draws in this order: an ID, memory, then boot jitter
	memJitter := s.jitterBytes(b.MemoryJitter)
	bootJitter := s.jitter(b.BootJitter)
	if b.MemoryJitter > 0 || b.BootJitter > 0 {
		where := fmt.Sprintf(" %s slot %d", svc.name, slot)
		if b.BootJitter > 0 {
			s.recordDuration("boot_jitter"+where, bootJitter)
		}
		if b.MemoryJitter > 0 {
			s.record("memory_jitter"+where, float64(memJitter))
		}
	}
	t := &task{id: id, svc: svc, rec: rec, slot: slot, state: swarm.TaskStateNew, desired: desired,
		msg: "created", created: now, stamp: now,
		fullMem: b.Memory + memJitter, ramp: b.MemoryRamp, boot: b.Boot + bootJitter,
		unhealthy: b.Unhealthy, probeFail: b.ProbeFailTime, stopCode: b.StopExitCode, stopTime: b.StopTime}
	if b.CrashAfter > 0 {
		d := b.CrashAfter
		t.crash, t.crashCode = &d, b.ExitCode
		if b.Complete {
			t.crashCode = 0
		}
	}
	if svc.spec.spec.Mode.Global != nil && int(slot) <= len(s.nodes) {
		t.pinned = s.nodes[slot-1]
	}
	s.applyFaults(t)
	svc.addTask(t)
	s.writeTask(t, "create")
	s.step(t, delayAllocate, s.advance)
	return t
}

// applyFaults injects the faults of the spec the task is made from.
func (s *Sim) applyFaults(t *task) {
	for _, f := range t.rec.faults {
		switch f.Kind {
		case engine.FaultUnhealthy:
			if f.After > 0 {
				d := f.After
				t.sickAfter = &d
			} else {
				t.unhealthy = true
			}
		case engine.FaultCrash:
			d := f.After
			t.crash, t.crashCode = &d, defaultExitCode
		case engine.FaultKill:
			if !t.rec.killed[t.slot] { // the first task per slot, as the docker engine does
				t.rec.killed[t.slot] = true
				d := f.After
				t.kill = &d
			}
		}
	}
}

// writeTask records a write to t: version, UpdatedAt, a task event, and
// the orchestrator's reaction to it.
func (s *Sim) writeTask(t *task, action string) {
	s.raft++
	t.version = s.raft
	t.updated = s.now()
	s.recount(t)
	s.emit(engine.Event{Time: t.updated, Type: "task", Action: action, Service: t.svc.name, ID: t.id,
		Attributes: taskAttrs(t.state, t.desired)})
	s.observeTask(t)
	s.work = append(s.work, reaction{t: t, state: t.state})
}

// taskAttrsOf holds one Attributes map per pair of task states, shared by
// every task event with that pair: event attributes are read-only
// (engine.Event), and a map per event was most of a task's allocations.
var (
	taskAttrsMu sync.Mutex
	taskAttrsOf = map[[2]swarm.TaskState]map[string]string{}
)

// taskAttrs is a task event's Attributes for state and desired.
func taskAttrs(state, desired swarm.TaskState) map[string]string {
	taskAttrsMu.Lock()
	defer taskAttrsMu.Unlock()
	k := [2]swarm.TaskState{state, desired}
	m, ok := taskAttrsOf[k]
	if !ok {
		m = map[string]string{"state": string(state), "desired": string(desired)}
		taskAttrsOf[k] = m
	}
	return m
}

// setState moves t to state with swarm's message for it.
func (s *Sim) setState(t *task, state swarm.TaskState, msg string) {
	t.state, t.msg, t.stamp = state, msg, s.now()
	s.writeTask(t, "update")
}

// step runs fn(t) after base plus jitter, unless t's timers are cancelled.
func (s *Sim) step(t *task, base time.Duration, fn func(*task)) {
	s.taskTimer(t, base+s.jitter(base), fn)
}

// timer runs fn after d unless t's timers are cancelled first.
func (s *Sim) timer(t *task, d time.Duration, fn func()) {
	s.taskTimer(t, d, func(*task) { fn() })
}

// taskTimer runs fn(t) under the lock after d unless t's timers are
// cancelled first: one closure and one clock event per timer, since the
// task ladder arms several per task.
func (s *Sim) taskTimer(t *task, d time.Duration, fn func(*task)) {
	gen := t.gen
	t.timers = append(t.timers, s.clk.AfterFunc(d, func() {
		s.lock()
		defer s.unlock()
		if t.gen == gen {
			fn(t)
		}
	}))
}

// cancelTimers stops everything scheduled for t.
func (t *task) cancelTimers() {
	for _, tm := range t.timers {
		tm.Stop()
	}
	t.timers = t.timers[:0]
	t.gen++
}

// advance takes t one step up the ladder towards ready (docs/swarm-semantics.md §1 messages).
func (s *Sim) advance(t *task) {
	if t.terminal() || rank(t.desired) > runningRank {
		return
	}
	if t.node != nil && t.node.stopped {
		t.lost = true // assigned to a node whose daemon is gone: never accepted
		return
	}
	switch t.state {
	case swarm.TaskStateNew:
		s.setState(t, swarm.TaskStatePending, "pending task scheduling")
		s.step(t, delaySchedule, s.advance)
	case swarm.TaskStatePending:
		s.assign(t)
	case swarm.TaskStateAssigned:
		s.setState(t, swarm.TaskStateAccepted, "accepted")
		s.step(t, delayPrepare, s.advance)
	case swarm.TaskStateAccepted:
		s.setState(t, swarm.TaskStatePreparing, "preparing")
		s.step(t, delayCreate, s.advance)
	case swarm.TaskStatePreparing:
		s.setState(t, swarm.TaskStateReady, "prepared")
		if t.desired == swarm.TaskStateRunning {
			s.step(t, delayStart, s.startContainer)
		}
	}
}

// setDesired changes t's desired state; the agent reacts to it.
func (s *Sim) setDesired(t *task, d swarm.TaskState) {
	if t.desired == d {
		return
	}
	t.desired = d
	s.writeTask(t, "update")
	if t.lost {
		return // its node's agent is not there to act on it
	}
	switch {
	case d == swarm.TaskStateRunning && t.state == swarm.TaskStateReady:
		s.step(t, delayStart, s.startContainer)
	case rank(d) > runningRank:
		s.stopTask(t)
	}
}

// stopTask shuts t down for the orchestrator: a task without a container
// is discarded, a container is stopped, both after the stop delay.
func (s *Sim) stopTask(t *task) {
	if t.terminal() || t.stopping {
		return
	}
	delay := stopDelay(t, orderLatency)
	if rank(t.state) < rank(swarm.TaskStateStarting) {
		t.stopping = true
		t.cancelTimers()
		s.timer(t, delay+delayDiscard+s.jitter(delayDiscard), func() {
			s.setState(t, swarm.TaskStateShutdown, "shutdown")
		})
		return
	}
	s.shutdown(t, delay, "")
}

// shutdown is the executor's Shutdown of t's container after delay, for
// a stop the orchestrator asked for or for an unhealthy container (cause):
// then SIGTERM.
func (s *Sim) shutdown(t *task, delay time.Duration, cause string) {
	if t.stopping && cause != "" {
		return
	}
	t.stopping = true
	t.cancelTimers()
	s.timer(t, delay, func() { s.sigterm(t, cause) })
}

// stopDelay is how long a stop takes before the stop signal: for a task on
// a network, the gossip delay plus extra (the orchestrator's round trip
// for a stop it asked for, none for the executor's own unhealthy stop).
func stopDelay(t *task, extra time.Duration) time.Duration {
	if len(t.rec.spec.TaskTemplate.Networks) == 0 {
		return 0
	}
	return gossipDelay + extra
}

// sigterm stops t's container: it exits with its stop code after its stop
// time, or with 137 at the stop grace period.
func (s *Sim) sigterm(t *task, cause string) {
	grace := stopGrace(&t.rec.spec.TaskTemplate)
	d, code := t.stopTime, t.stopCode
	if d > grace {
		d, code = grace, killExitCode
	}
	s.timer(t, d, func() { s.exitContainer(t, code, cause) })
}

// startContainer starts t's container: the task is starting, holds its
// memory, and becomes running when up (after its first healthy probe when
// it has a healthcheck, docs/swarm-semantics.md §2).
func (s *Sim) startContainer(t *task) {
	if t.state != swarm.TaskStateReady || t.desired != swarm.TaskStateRunning {
		return
	}
	t.container = s.newContainerID()
	s.setState(t, swarm.TaskStateStarting, "starting")
	if s.holdMemory(t); t.terminal() { // OOM-killed on arrival
		return
	}
	s.scheduleHealth(t)
}

// toRunning marks t running and arms its crash and kill.
func (s *Sim) toRunning(t *task) {
	if t.state != swarm.TaskStateStarting {
		return
	}
	s.setState(t, swarm.TaskStateRunning, "started")
	if t.crash != nil {
		s.timer(t, *t.crash, func() { s.exitContainer(t, t.crashCode, "") })
	}
	if t.kill != nil {
		s.timer(t, *t.kill, func() { s.exitContainer(t, killExitCode, "") })
	}
	s.scheduleSickness(t)
}

// exitContainer ends t's container with code. A task being shut down ends
// shutdown; otherwise exit 0 completes it and anything else fails it with
// the executor's error (docs/swarm-semantics.md §2), cause appended ("dockerexec: unhealthy
// container").
func (s *Sim) exitContainer(t *task, code int, cause string) {
	if t.terminal() {
		return
	}
	t.cancelTimers()
	s.releaseMemory(t)
	t.exit = code
	switch {
	case rank(t.desired) > runningRank:
		s.setState(t, swarm.TaskStateShutdown, "shutdown")
	case code == 0 && cause == "":
		s.setState(t, swarm.TaskStateComplete, "finished")
	default:
		t.err = fmt.Sprintf("task: non-zero exit (%d)", code)
		if cause != "" {
			t.err += ": " + cause
		}
		t.state, t.stamp = swarm.TaskStateFailed, s.now() // the message stays (agent fatal())
		s.writeTask(t, "update")
	}
}
