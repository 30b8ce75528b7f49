package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The races a real swarm leaves to timing, which the simulator draws from
// its seed unless a scenario pins them (docs/swarm-semantics.md §15).
const (
	// RaceRestartRollback: when an updater-created task fails and the
	// failure triggers a rollback, does the restart supervisor run before
	// the rollback ("restart") or after it ("rollback")?
	RaceRestartRollback = "restart_rollback"
	// RaceSlotOrder: the order in which an updater run takes its dirty
	// slots, "random" (swarmkit ranges over a map) or "ascending".
	RaceSlotOrder = "slot_order"
	// RaceNextSlot: when a new task a worker awaits fails while slots
	// remain to be handed out, does the updater read the failure first
	// ("failure") or does the worker's wait end with it and the next slot
	// start before the failure is read ("next_slot")?
	RaceNextSlot = "next_slot"
	// RaceSeed leaves a race to the seed.
	RaceSeed = "seed"
)

// rollbackFirst is how often the rollback won on a real swarm: 1 of 7
// start-first, 2 of 7 stop-first and 1 of 7 failed-rollback runs.
const rollbackFirst = 4.0 / 21

// nextSlotFirst is how often a worker's wait read a failing task first
// and the next slot started before the rollback: the worker and the
// updater's failure watch read the same task event on two goroutines, and
// a freed worker then meets a select between the next slot and the
// failure event (docs/swarm-semantics.md §15). Measured on the real swarm
// with two start-first replicas, parallelism 1, one case at a time: 1 run
// in 11.
const nextSlotFirst = 1.0 / 11

// raceOutcomes are each race's outcomes, "seed" first.
var raceOutcomes = map[string][]string{
	RaceRestartRollback: {RaceSeed, "restart", "rollback"},
	RaceSlotOrder:       {RaceSeed, "random", "ascending"},
	RaceNextSlot:        {RaceSeed, "failure", "next_slot"},
}

// raceNames lists the races and their outcomes, for error messages.
func raceNames() string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(raceOutcomes)) {
		out = append(out, name+" ("+strings.Join(raceOutcomes[name], ", ")+")")
	}
	return strings.Join(out, ", ")
}

// SetRace pins race name to outcome ("seed" draws it again).
func (s *Sim) SetRace(name, outcome string) error {
	outs, ok := raceOutcomes[name]
	if !ok {
		return fmt.Errorf("unknown race %q (races: %s)", name, raceNames())
	}
	if !slices.Contains(outs, outcome) {
		return fmt.Errorf("race %s has no outcome %q (want one of %s)", name, outcome, strings.Join(outs, ", "))
	}
	s.lock()
	defer s.unlock()
	if s.pinned == nil {
		s.pinned = map[string]string{}
	}
	s.pinned[name] = outcome
	return nil
}

// pin is the pinned outcome of race, or "seed".
func (s *Sim) pin(race string) string {
	if o, ok := s.pinned[race]; ok {
		return o
	}
	return RaceSeed
}

// rollbackWins draws the restart-versus-rollback race for one failure.
func (s *Sim) rollbackWins() bool { return s.drawRace(RaceRestartRollback, "rollback", rollbackFirst) }

// drawRace is whether outcome wins race: as pinned, or drawn from the
// seed with probability p (and recorded, draws.go).
func (s *Sim) drawRace(race, outcome string, p float64) bool {
	if pinned := s.pin(race); pinned != RaceSeed {
		return pinned == outcome
	}
	won := s.rng.Float64() < p
	s.recordRace("race "+race+" "+outcome, won)
	return won
}

// orderSlots puts an updater run's dirty slots in the order it takes
// them: shuffled from the seed, as ranging over swarmkit's slot map does,
// unless pinned ascending. One slot needs no draw.
func (s *Sim) orderSlots(slots []slot) {
	if len(slots) < 2 || s.pin(RaceSlotOrder) == "ascending" {
		return
	}
	s.rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	s.record("race "+RaceSlotOrder+" first slot", float64(slots[0].n))
}

// nextSlotWins draws the failure-versus-next-slot race for one failure.
func (s *Sim) nextSlotWins() bool { return s.drawRace(RaceNextSlot, "next_slot", nextSlotFirst) }
