package engine

import "time"

// Swarm's defaults (docs/swarm-semantics.md §2 and §12), shared by the simulator
// and the convergence checker. Each user applies its own rule for when a
// spec's value gives way to the default.
const (
	// DefaultHealthInterval, DefaultHealthTimeout and DefaultHealthRetries
	// are a healthcheck's interval, probe timeout and retries when the spec
	// leaves them zero (moby daemon/health.go).
	DefaultHealthInterval = 30 * time.Second
	DefaultHealthTimeout  = 30 * time.Second
	DefaultHealthRetries  = 3
	// DefaultMonitor is the update and rollback monitor window when the
	// spec leaves it zero.
	DefaultMonitor = 5 * time.Second
	// OldTaskStopWait is how long a stop-first update waits for the old
	// task to stop before it starts the new one (docs/swarm-semantics.md §5).
	OldTaskStopWait = time.Minute
)
