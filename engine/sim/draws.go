package sim

import (
	"fmt"
	"time"
)

// Draw is one random value the simulator drew that decides something a
// reader may want to see against a run's outcome: a node's host load, a
// task's boot and memory jitter, a race's outcome, when the managers
// noticed a node down. (The small per-step delays of the task ladder are
// drawn too but not recorded.) Value is in seconds for durations, bytes
// for memory, and 1 or 0 for a race.
type Draw struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Draws lists the recorded draws of the run so far, in the order drawn.
// Names are unique within a run: a repeated one gets " #2", " #3"...
func (s *Sim) Draws() []Draw {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Draw(nil), s.draws...)
}

// record notes a draw under name.
func (s *Sim) record(name string, value float64) {
	if s.drawNames == nil {
		s.drawNames = map[string]int{}
	}
	s.drawNames[name]++
	if n := s.drawNames[name]; n > 1 {
		name = fmt.Sprintf("%s #%d", name, n)
	}
	s.draws = append(s.draws, Draw{Name: name, Value: value})
}

// recordDuration notes a drawn duration, in seconds.
func (s *Sim) recordDuration(name string, d time.Duration) { s.record(name, d.Seconds()) }

// recordRace notes a race's draw: 1 when the outcome named won.
func (s *Sim) recordRace(name string, won bool) {
	v := 0.0
	if won {
		v = 1
	}
	s.record(name, v)
}
