package sim

import (
	"time"

	"github.com/coop-cloud/chaosrun/engine"
)

// Behaviour is engine.Behaviour: the simulator is the engine that reads it.
type Behaviour = engine.Behaviour

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
func withDefaults(b Behaviour) Behaviour {
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
	return withDefaults(s.behaviour[service])
}

// jitter is a uniform random duration in [0, d].
func (s *Sim) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(s.rng.Uint64N(uint64(d) + 1)) // d+1 would overflow an int64
}

// jitterBytes is a uniform random amount in [0, n].
func (s *Sim) jitterBytes(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(s.rng.Uint64N(uint64(n) + 1))
}
