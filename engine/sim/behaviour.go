package sim

import "time"

// Behaviour is how the containers of one service behave, which the
// simulator cannot learn from the image. Zero fields take the defaults
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

// Behaviour defaults.
const (
	DefaultBoot     = time.Second
	DefaultMemory   = 64 << 20
	DefaultStopTime = 100 * time.Millisecond
	defaultExitCode = 1
	defaultStopCode = 143
	killExitCode    = 137
)

// withDefaults fills the zero fields of b.
func (b Behaviour) withDefaults() Behaviour {
	if b.Boot <= 0 {
		b.Boot = DefaultBoot
	}
	if b.Memory <= 0 {
		b.Memory = DefaultMemory
	}
	if b.ExitCode == 0 {
		b.ExitCode = defaultExitCode
	}
	if b.StopExitCode == 0 {
		b.StopExitCode = defaultStopCode
	}
	if b.StopTime <= 0 {
		b.StopTime = DefaultStopTime
	}
	return b
}

// SetBehaviour sets how the containers of service (full name,
// <stack>_<service>) behave. It applies to tasks created afterwards.
func (s *Sim) SetBehaviour(service string, b Behaviour) {
	s.lock()
	defer s.unlock()
	s.behaviour[service] = b
}

// behaviourOf is the behaviour of service's containers, defaults filled.
func (s *Sim) behaviourOf(service string) Behaviour {
	return s.behaviour[service].withDefaults()
}

// jitter is a uniform random duration in [0, d].
func (s *Sim) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(s.rng.Int64N(int64(d) + 1))
}

// jitterBytes is a uniform random amount in [0, n].
func (s *Sim) jitterBytes(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return s.rng.Int64N(n + 1)
}
