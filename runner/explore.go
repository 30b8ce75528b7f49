package runner

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/coop-cloud/chaosrun/engine/sim"
	"github.com/coop-cloud/chaosrun/interp"
)

// ExploreOptions say which seeds an explore run covers.
type ExploreOptions struct {
	// Runs seeds starting at Seed: Seed, Seed+1, ..., Seed+Runs-1.
	Runs int
	Seed int64
	// Jobs run in parallel (at least 1).
	Jobs int
	// Shard (1-based) of Shards keeps the seeds whose index i has
	// i % Shards == Shard-1, so several CI jobs can share a sweep.
	Shard, Shards int
}

// CaseStats counts one case's outcomes over the seeds explored. Runs =
// Passed + Failed + Interrupted; Errors are among the Failed.
type CaseStats struct {
	Name   string `json:"name"`
	Runs   int    `json:"runs"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	// Errors counts the failed runs that ended in a script error (a bad
	// argument, say) rather than a failed check.
	Errors int `json:"errors"`
	// Interrupted counts the runs an interrupt cut off: neither passes
	// nor failures.
	Interrupted int `json:"interrupted"`
	// Failures counts each distinct failure message; FailureSeeds lists
	// the seeds that failed with each, in order.
	Failures     map[string]int     `json:"failures,omitempty"`
	FailureSeeds map[string][]int64 `json:"failure_seeds,omitempty"`
	// Draws are, per run, what the simulator drew and how the run ended
	// (sim.Draw), for plotting passing against failing seeds, by seed;
	// runs that drew nothing worth recording are left out.
	Draws []RunDraws `json:"draws,omitempty"`
	// FirstFailingSeed is the smallest failing seed; nil when none failed.
	FirstFailingSeed *int64 `json:"first_failing_seed"`
}

// RunDraws is what the simulator drew in one run of a case, by name, and
// whether the run passed.
type RunDraws struct {
	Seed   int64              `json:"seed"`
	Passed bool               `json:"passed"`
	Values map[string]float64 `json:"values"`
}

// ExploreSummary is the result of an explore run; summaries of the shards
// of one sweep merge into the summary of the whole sweep.
type ExploreSummary struct {
	File string `json:"file"`
	// Vars and Root are the run's --var values and --root, for replaying.
	Vars map[string]string `json:"vars,omitempty"`
	Root string            `json:"root,omitempty"`
	Runs int               `json:"runs"`
	// SeedRanges are the seeds the summary was asked to cover.
	SeedRanges []SeedRange `json:"seed_ranges"`
	// Interrupted is set when an interrupt cut the sweep short.
	Interrupted bool         `json:"interrupted,omitempty"`
	Cases       []*CaseStats `json:"cases"`
	order       []string     // case names in file order
}

// Explore runs every case of a scenario on the simulator under each seed.
func Explore(ctx context.Context, path string, cfg Config, opts ExploreOptions) (*ExploreSummary, error) {
	seeds := make(chan int64)
	go func() {
		defer close(seeds)
		for i := 0; i < opts.Runs; i++ {
			if opts.Shards > 1 && i%opts.Shards != opts.Shard-1 {
				continue
			}
			select {
			case seeds <- opts.Seed + int64(i):
			case <-ctx.Done():
				return
			}
		}
	}()
	sum := &ExploreSummary{File: path, Root: cfg.Root,
		SeedRanges: []SeedRange{{First: opts.Seed, Count: opts.Runs, Shard: max(opts.Shard, 1), Shards: max(opts.Shards, 1)}}}
	if len(cfg.Vars) > 0 {
		sum.Vars = cfg.Vars
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, max(opts.Jobs, 1))
	for j := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = exploreWorker(ctx, path, cfg, seeds, func(order []string) {
				mu.Lock()
				defer mu.Unlock()
				sum.order = order
			}, func(seed int64, r interp.CaseResult, draws []sim.Draw) {
				mu.Lock()
				defer mu.Unlock()
				sum.add(seed, r, draws)
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return sum, err
		}
	}
	if sum.Runs == 0 && ctx.Err() == nil {
		return sum, fmt.Errorf("explore: %s: no run (check --runs and --shard)", path)
	}
	sum.sort()
	sum.Interrupted = ctx.Err() != nil
	return sum, ctx.Err()
}

// exploreWorker loads the module once and runs every case per seed.
func exploreWorker(ctx context.Context, path string, cfg Config, seeds <-chan int64, cases func([]string),
	report func(int64, interp.CaseResult, []sim.Draw)) error {
	// Explore reports through its summary, not hooks, and applies cfg.Only
	// to the case list itself.
	opts := Options(cfg)
	opts.Only = ""
	m, err := interp.LoadModule(ctx, path, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	if m.Load.Err != nil {
		return fmt.Errorf("explore: %s: loading the module failed: %s", path, interp.Describe(m.Load.Err))
	}
	order := m.Cases()
	cases(order)
	names := order
	if cfg.Only != "" {
		names = nil
		for _, name := range order {
			if name == cfg.Only {
				names = append(names, name)
			}
		}
	}
	for seed := range seeds {
		for _, name := range names {
			if ctx.Err() != nil {
				return nil // what is left did not run: the summary says so
			}
			c := cfg
			c.Seed = seed
			var s *sim.Sim
			c.simStarted = func(x *sim.Sim) { s = x }
			r := m.RunCase(ctx, name, startCase(c))
			var draws []sim.Draw
			if s != nil {
				draws = s.Draws()
			}
			report(seed, r, draws)
		}
	}
	return nil
}

// stats returns the counts of the case named name, adding them if new.
func (s *ExploreSummary) stats(name string) *CaseStats {
	var cs *CaseStats
	for _, c := range s.Cases {
		if c.Name == name {
			cs = c
		}
	}
	if cs == nil {
		cs = &CaseStats{Name: name, Failures: map[string]int{}, FailureSeeds: map[string][]int64{}}
		s.Cases = append(s.Cases, cs)
	}
	return cs
}

func (s *ExploreSummary) add(seed int64, r interp.CaseResult, draws []sim.Draw) {
	cs := s.stats(r.Name)
	cs.Runs++
	if len(draws) > 0 && !r.Interrupted {
		values := make(map[string]float64, len(draws))
		for _, d := range draws {
			values[d.Name] = d.Value
		}
		cs.Draws = append(cs.Draws, RunDraws{Seed: seed, Passed: r.Passed(), Values: values})
	}
	switch {
	case r.Interrupted:
		cs.Interrupted++
	case r.Passed():
		cs.Passed++
	default:
		cs.Failed++
		if !interp.IsFailure(r.Err) {
			cs.Errors++
		}
		key := failureKey(r.Err)
		cs.Failures[key]++
		cs.FailureSeeds[key] = append(cs.FailureSeeds[key], seed)
		cs.FirstFailingSeed = minSeed(cs.FirstFailingSeed, &seed)
	}
	if cs.Runs > s.Runs {
		s.Runs = cs.Runs
	}
}

// taskAlias matches the case-local task aliases (x1, x2, ...) that
// transcripts give swarm IDs: their numbers depend on how many tasks a
// case saw before, which varies by seed.
var taskAlias = regexp.MustCompile(`\bx[0-9]+\b`)

// FailureKey is how explore names a failure: its message without
// positions, and with every task alias written xN, so equal failures at
// different seeds count together.
func FailureKey(err error) string { return failureKey(err) }

func failureKey(err error) string {
	msg := interp.Describe(err)
	msg, _, _ = strings.Cut(msg, "\n")
	if pos := interp.Position(err); pos != "" {
		msg = strings.TrimPrefix(msg, pos+": ")
	}
	return taskAlias.ReplaceAllString(msg, "xN")
}

// sort puts the cases in file order (when known), else by name.
func (s *ExploreSummary) sort() {
	rank := map[string]int{}
	for i, n := range s.order {
		rank[n] = i + 1
	}
	for _, cs := range s.Cases {
		slices.SortFunc(cs.Draws, func(a, b RunDraws) int { return cmp.Compare(a.Seed, b.Seed) })
		for _, seeds := range cs.FailureSeeds {
			slices.Sort(seeds)
		}
	}
	sort.SliceStable(s.Cases, func(i, j int) bool {
		ri, rj := rank[s.Cases[i].Name], rank[s.Cases[j].Name]
		if ri != rj {
			return ri < rj
		}
		return s.Cases[i].Name < s.Cases[j].Name
	})
}
