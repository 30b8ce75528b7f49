package engine

import "time"

// Shaper is the capability of an engine that cannot run images and so is
// told what the swarm's nodes and containers are like: the simulator.
// Builtins ask an engine for it (a type assertion on Shaper) instead of
// knowing which engine they have; an engine without it runs real
// containers on real nodes.
type Shaper interface {
	// AddNode adds a node with memory bytes; without any, the engine has
	// one large node.
	AddNode(name string, memory int64)
	// SetHostLoad sets the background memory use of each node, drawn per
	// run between min and max.
	SetHostLoad(min, max int64)
	// SetBehaviour sets how the containers of service (full name,
	// <stack>_<service>) behave, for tasks created afterwards.
	SetBehaviour(service string, b Behaviour)
	// AddNetwork creates a swarm-scoped network outside any stack (the
	// engine starts with "proxy", as a Co-op Cloud server does);
	// RemoveNetwork removes one.
	AddNetwork(name string) error
	RemoveNetwork(name string) error
	// SetRace pins one of the races a real swarm leaves to timing (name
	// and outcomes as docs/swarm-semantics.md §15 lists them); "seed"
	// leaves it to the run's seed again.
	SetRace(name, outcome string) error
	// UpdateNode changes a node added with AddNode (or the default
	// node-1): its role, labels, engine labels, CPUs and availability, as
	// `docker node update` and the daemon's configuration would. Nil or
	// empty fields of u keep what the node has.
	UpdateNode(name string, u NodeUpdate) error
	// NodeDown takes the node down after d, as a stopped daemon or a lost
	// host does, and brings it back after duration (0: never).
	NodeDown(name string, after, duration time.Duration) error
}

// NodeUpdate is a change to a node (Shaper.UpdateNode).
type NodeUpdate struct {
	// Role is "manager" or "worker" ("": unchanged).
	Role string
	// Availability is "active", "pause" or "drain" ("": unchanged).
	Availability string
	// Labels are the node's labels (node.labels.*); nil: unchanged.
	Labels map[string]string
	// EngineLabels are the daemon's labels (engine.labels.*); nil: unchanged.
	EngineLabels map[string]string
	// NanoCPUs is the node's CPU capacity in billionths of a CPU (0: unchanged).
	NanoCPUs int64
}

// Behaviour is how the containers of one service behave, which the
// simulator cannot learn from the image (an engine that runs the image
// learns it from the container). Zero fields take the defaults
// noted on each field.
type Behaviour struct {
	// Boot is the time from `starting` until the container is up: until its
	// first health probe would pass (with a healthcheck) or until the task is
	// running (without one). Default 1s. BootJitter adds a uniform random
	// [0, BootJitter] per task.
	Boot, BootJitter time.Duration
	// Memory is the container's memory footprint in bytes, held on its node
	// from `starting` until it exits. Default 64 MiB. MemoryJitter adds a
	// uniform random [0, MemoryJitter] per task.
	Memory, MemoryJitter int64
	// MemoryRamp spreads the growth to Memory over this long after the
	// container starts, in four equal steps (a Rails asset precompile, say);
	// 0 means the container holds all of it from the start.
	MemoryRamp time.Duration
	// Unhealthy makes every health probe fail, so the task never leaves
	// `starting` and fails once the healthcheck declares it unhealthy. A
	// service without a healthcheck then gets the probe chaosrun's docker
	// engine installs for an unhealthy fault (interval 2s, retries 2).
	Unhealthy bool
	// ProbeFailTime is how long a failing health probe runs before it
	// fails (default 0: at once), at most the healthcheck's timeout: a probe
	// that hangs until its timeout delays the next one (moby runs the next
	// probe interval after the previous one ended).
	ProbeFailTime time.Duration
	// CrashAfter makes the container exit with ExitCode this long after the
	// task is running (0: never).
	CrashAfter time.Duration
	// ExitCode of a crash; 0 means 1. Set Complete for a clean exit.
	ExitCode int
	// Complete makes the CrashAfter exit a clean one (exit 0, task complete).
	Complete bool
	// StopExitCode is the container's exit code when it stops on SIGTERM (a
	// shutdown, or an unhealthy container); default 143.
	StopExitCode int
	// StopTime is how long the container takes to exit on SIGTERM; default
	// 100ms. Past the spec's StopGracePeriod (default 10s) it is killed (137).
	StopTime time.Duration
}
