package runner

import (
	"fmt"
	"maps"

	"github.com/coop-cloud/chaosrun/cut"
)

// SeedRange is a share of a sweep's seeds: of First, First+1, ...,
// First+Count-1, those whose index i (seed-First) has i%Shards == Shard-1.
type SeedRange struct {
	First  int64 `json:"first"`
	Count  int   `json:"count"`
	Shard  int   `json:"shard"`
	Shards int   `json:"shards"`
}

// maxShards bounds a range's share count, which bounds the work of overlaps.
const maxShards = 1 << 20

func (r SeedRange) String() string {
	return fmt.Sprintf("seeds %d..%d (shard %d/%d)", r.First, r.First+int64(r.Count)-1, r.Shard, r.Shards)
}

// size is how many seeds the range holds.
func (r SeedRange) size() int {
	if r.Count < r.Shard {
		return 0
	}
	return (r.Count-r.Shard)/r.Shards + 1
}

// contains reports whether seed is one of the range's.
func (r SeedRange) contains(seed int64) bool {
	i := seed - r.First
	return i >= 0 && i < int64(r.Count) && i%int64(r.Shards) == int64(r.Shard-1)
}

// overlaps reports whether two ranges share a seed. It walks r's seeds in
// the stretch both cover, for at most o.Shards steps: after that their
// positions modulo o.Shards repeat.
func (r SeedRange) overlaps(o SeedRange) bool {
	if r.size() == 0 || o.size() == 0 {
		return false
	}
	lo, hi := max(r.First, o.First), min(r.First+int64(r.Count), o.First+int64(o.Count))
	seed := r.First + int64(r.Shard-1)
	if seed < lo {
		seed += (lo - seed + int64(r.Shards) - 1) / int64(r.Shards) * int64(r.Shards)
	}
	for steps := 0; seed < hi && steps < o.Shards; steps++ {
		if o.contains(seed) {
			return true
		}
		seed += int64(r.Shards)
	}
	return false
}

// Check reports a summary whose counts cannot be: what a file given to
// Merge must pass.
func (s *ExploreSummary) Check() error {
	if len(s.SeedRanges) == 0 {
		return fmt.Errorf("no seed_ranges (want the --json summary of a chaosrun explore run)")
	}
	seeds := 0
	for i, r := range s.SeedRanges {
		if r.Count < 0 || r.Shards < 1 || r.Shards > maxShards || r.Shard < 1 || r.Shard > r.Shards {
			return fmt.Errorf("seed range %+v: want count >= 0 and 1 <= shard <= shards <= %d", r, maxShards)
		}
		for _, o := range s.SeedRanges[:i] {
			if r.overlaps(o) {
				return fmt.Errorf("%s overlap %s", r, o)
			}
		}
		seeds += r.size()
	}
	if s.Runs < 0 || s.Runs > seeds {
		return fmt.Errorf("runs %d: want 0 to %d, the seeds of its seed_ranges", s.Runs, seeds)
	}
	for i, cs := range s.Cases {
		if cs == nil || cs.Name == "" {
			return fmt.Errorf("case %d: want an object with a name", i)
		}
		if err := s.checkCase(cs); err != nil {
			return fmt.Errorf("case %s: %v", cut.Raw(cs.Name), err)
		}
	}
	return nil
}

func (s *ExploreSummary) checkCase(cs *CaseStats) error {
	if cs.Runs < 0 || cs.Passed < 0 || cs.Failed < 0 || cs.Errors < 0 || cs.Interrupted < 0 {
		return fmt.Errorf("negative count")
	}
	if cs.Passed+cs.Failed+cs.Interrupted != cs.Runs || cs.Runs > s.Runs {
		return fmt.Errorf("passed %d + failed %d + interrupted %d: want runs %d, at most the summary's %d",
			cs.Passed, cs.Failed, cs.Interrupted, cs.Runs, s.Runs)
	}
	if cs.Errors > cs.Failed {
		return fmt.Errorf("errors %d: want at most failed %d", cs.Errors, cs.Failed)
	}
	n := 0
	for msg, k := range cs.Failures {
		if k < 1 {
			return fmt.Errorf("failure %s counted %d times: want at least 1", cut.Quote(msg), k)
		}
		n += k
	}
	if n != cs.Failed {
		return fmt.Errorf("failures add up to %d: want failed %d", n, cs.Failed)
	}
	if err := s.checkFailureSeeds(cs); err != nil {
		return err
	}
	if (cs.FirstFailingSeed == nil) != (cs.Failed == 0) {
		return fmt.Errorf("first_failing_seed: want one exactly when a run failed")
	}
	if cs.FirstFailingSeed != nil && !s.covers(*cs.FirstFailingSeed) {
		return fmt.Errorf("first_failing_seed %d: not one of its seed_ranges", *cs.FirstFailingSeed)
	}
	if len(cs.Draws) > cs.Runs {
		return fmt.Errorf("draws of %d runs: want at most runs %d", len(cs.Draws), cs.Runs)
	}
	for _, d := range cs.Draws {
		if !s.covers(d.Seed) {
			return fmt.Errorf("draws of seed %d: not one of its seed_ranges", d.Seed)
		}
	}
	return nil
}

// checkFailureSeeds checks that the seeds listed per failure (optional:
// summaries written before they were kept have none) match its count
// and lie in the seed ranges.
func (s *ExploreSummary) checkFailureSeeds(cs *CaseStats) error {
	if len(cs.FailureSeeds) == 0 {
		return nil
	}
	for msg, seeds := range cs.FailureSeeds {
		if len(seeds) != cs.Failures[msg] {
			return fmt.Errorf("failure %s: %d seeds listed, want its count %d", cut.Quote(msg), len(seeds), cs.Failures[msg])
		}
		for _, seed := range seeds {
			if !s.covers(seed) {
				return fmt.Errorf("failure %s: seed %d not one of its seed_ranges", cut.Quote(msg), seed)
			}
		}
	}
	return nil
}

func (s *ExploreSummary) covers(seed int64) bool {
	for _, r := range s.SeedRanges {
		if r.contains(seed) {
			return true
		}
	}
	return false
}

// Merge adds another shard's summary of the same sweep: same scenario,
// vars and root, and no seed in common.
func (s *ExploreSummary) Merge(o *ExploreSummary) error {
	if err := o.Check(); err != nil {
		return err
	}
	if s.File == "" && len(s.SeedRanges) == 0 {
		s.File, s.Vars, s.Root = o.File, o.Vars, o.Root
	}
	switch {
	case o.File != s.File:
		return fmt.Errorf("a summary of %s, not of %s", cut.Raw(o.File), cut.Raw(s.File))
	case !maps.Equal(o.Vars, s.Vars) || o.Root != s.Root:
		return fmt.Errorf("run with other --var or --root values than the summaries before it")
	}
	for _, r := range o.SeedRanges {
		for _, q := range s.SeedRanges {
			if r.overlaps(q) {
				return fmt.Errorf("its %s overlap the %s merged already", r, q)
			}
		}
	}
	for _, oc := range o.Cases {
		cs := s.stats(oc.Name)
		cs.Runs += oc.Runs
		cs.Passed += oc.Passed
		cs.Failed += oc.Failed
		cs.Errors += oc.Errors
		cs.Interrupted += oc.Interrupted
		for k, n := range oc.Failures {
			cs.Failures[k] += n
		}
		if cs.FailureSeeds == nil {
			cs.FailureSeeds = map[string][]int64{}
		}
		for k, seeds := range oc.FailureSeeds {
			cs.FailureSeeds[k] = append(cs.FailureSeeds[k], seeds...)
		}
		cs.FirstFailingSeed = minSeed(cs.FirstFailingSeed, oc.FirstFailingSeed)
		cs.Draws = append(cs.Draws, oc.Draws...)
	}
	s.SeedRanges = append(s.SeedRanges, o.SeedRanges...)
	s.Runs += o.Runs
	s.Interrupted = s.Interrupted || o.Interrupted
	s.sort()
	return nil
}

// minSeed is the smaller of two seeds, either of which may be missing.
func minSeed(a, b *int64) *int64 {
	switch {
	case a == nil:
		return b
	case b == nil || *a <= *b:
		return a
	}
	return b
}

// NotRun is how many seeds of the summary's ranges did not run.
func (s *ExploreSummary) NotRun() int {
	n := 0
	for _, r := range s.SeedRanges {
		n += r.size()
	}
	return n - s.Runs
}
