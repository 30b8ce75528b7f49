package runner

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExploreShardsMergeToTheWholeSweep(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Engine: EngineSim}
	whole, err := Explore(ctx, "testdata/flaky.star", cfg, ExploreOptions{Runs: 40, Seed: 1, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Cases) != 2 || whole.Cases[0].Name != "test_flaky" || whole.Cases[1].Name != "test_steady" {
		t.Fatalf("cases %+v, want test_flaky then test_steady", whole.Cases)
	}
	flaky := whole.Cases[0]
	if flaky.Runs != 40 || flaky.Passed == 0 || flaky.Failed == 0 {
		t.Fatalf("test_flaky: %+v, want 40 runs with both passes and failures", flaky)
	}
	if whole.Cases[1].Failed != 0 {
		t.Errorf("test_steady failed: %+v", whole.Cases[1])
	}
	merged := &ExploreSummary{}
	for i := 1; i <= 3; i++ {
		part, err := Explore(ctx, "testdata/flaky.star", cfg, ExploreOptions{Runs: 40, Seed: 1, Jobs: 1, Shard: i, Shards: 3})
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(part); err != nil {
			t.Fatal(err)
		}
	}
	for i := range whole.Cases {
		w, m := whole.Cases[i], merged.Cases[i]
		if !reflect.DeepEqual(w, m) {
			t.Errorf("case %s: whole sweep %+v, merged shards %+v", w.Name, w, m)
		}
	}
	// The first failing seed replays the failure.
	res := RunFile(ctx, "testdata/flaky.star", Config{Engine: EngineSim, Seed: *flaky.FirstFailingSeed, Only: "test_flaky"})
	if len(res.Cases) == 0 || res.Cases[0].Passed() {
		t.Errorf("seed %d did not replay the failure", *flaky.FirstFailingSeed)
	}
}

// TestVerboseRecordsEngineEvents: -v adds the engine events a wait sees to
// the transcript, and only -v does.
func TestVerboseRecordsEngineEvents(t *testing.T) {
	count := func(verbose bool) int {
		res := RunFile(context.Background(), "testdata/flaky.star", Config{Engine: EngineSim, Seed: 1, Only: "test_flaky", Verbose: verbose})
		n := 0
		for _, e := range res.Cases[0].Transcript.Events() {
			if e.Kind == "event" {
				n++
			}
		}
		return n
	}
	if n := count(false); n != 0 {
		t.Errorf("without -v: %d engine events in the transcript, want none", n)
	}
	if n := count(true); n < 3 {
		t.Errorf("with -v: %d engine events, want the task's states", n)
	}
}

// TestExploreFirstFailingSeedOfNegativeSeeds: seeds run from --seed up,
// negative ones included, and the first failing seed is the smallest
// that failed, not a "none" marker.
func TestExploreFirstFailingSeedOfNegativeSeeds(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Engine: EngineSim, Only: "test_flaky"}
	sum, err := Explore(ctx, "testdata/flaky.star", cfg, ExploreOptions{Runs: 30, Seed: -25, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	first := sum.Cases[0].FirstFailingSeed
	if first == nil {
		t.Fatalf("no failing seed in %+v", sum.Cases[0])
	}
	for seed := int64(-25); seed <= *first; seed++ {
		cfg.Seed = seed
		res := RunFile(ctx, "testdata/flaky.star", cfg)
		if failed := !res.Cases[0].Passed(); failed != (seed == *first) {
			t.Errorf("seed %d failed: %v; first failing seed %d", seed, failed, *first)
		}
	}
}

// TestExploreInterruptIsNotFailure: case runs an interrupt cuts off count
// as interrupted, the summary says it was interrupted and how many seeds
// did not run, and its counts still add up.
func TestExploreInterruptIsNotFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	sum, err := Explore(ctx, "testdata/flaky.star", Config{Engine: EngineSim}, ExploreOptions{Runs: 1000000, Seed: 1, Jobs: 2})
	if err == nil || !sum.Interrupted || sum.NotRun() <= 0 {
		t.Fatalf("err %v, interrupted %v, %d not run: want the interruption", err, sum.Interrupted, sum.NotRun())
	}
	for _, cs := range sum.Cases {
		for msg := range cs.Failures {
			if strings.Contains(msg, "interrupted") || strings.Contains(msg, "timed out") {
				t.Errorf("case %s: an interrupted run counted as a failure: %s", cs.Name, msg)
			}
		}
	}
	if err := sum.Check(); err != nil {
		t.Errorf("the interrupted summary does not add up: %v", err)
	}
}

func TestSeedRangesOverlap(t *testing.T) {
	tests := []struct {
		a, b SeedRange
		want bool
	}{
		{SeedRange{1, 10, 1, 2}, SeedRange{1, 10, 2, 2}, false},
		{SeedRange{1, 10, 1, 2}, SeedRange{1, 10, 1, 2}, true},
		{SeedRange{1, 10, 1, 1}, SeedRange{11, 10, 1, 1}, false},
		{SeedRange{1, 10, 1, 1}, SeedRange{10, 10, 1, 1}, true},
		{SeedRange{-5, 10, 1, 3}, SeedRange{0, 10, 1, 2}, true}, // -5, -2, 1, 4 and 0, 2, 4
		{SeedRange{0, 6, 1, 2}, SeedRange{1, 6, 2, 2}, true},    // 0, 2, 4 and 2, 4, 6
		{SeedRange{0, 6, 1, 2}, SeedRange{1, 6, 1, 2}, false},   // 0, 2, 4 and 1, 3, 5
		{SeedRange{1, 0, 1, 1}, SeedRange{1, 10, 1, 1}, false},
	}
	for _, tt := range tests {
		if got := tt.a.overlaps(tt.b); got != tt.want {
			t.Errorf("%s overlaps %s: %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.overlaps(tt.a); got != tt.want {
			t.Errorf("%s overlaps %s: %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestExploreRecordsDraws: explore keeps, per run, what the simulator drew
// by name, in seed order, with the run's outcome: the discourse upgrade's
// host load is what decides it (docs/swarm-semantics.md §13), and the
// lightest loads pass, the heaviest fail.
func TestExploreRecordsDraws(t *testing.T) {
	sum, err := Explore(context.Background(), "../scenarios/discourse_rollback_rate.star", Config{Engine: EngineSim, Only: "test_start_first_upgrade"},
		ExploreOptions{Runs: 60, Seed: 1, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	cs := sum.Cases[0]
	if len(cs.Draws) != cs.Runs {
		t.Fatalf("draws of %d runs, want all %d", len(cs.Draws), cs.Runs)
	}
	var lightest, heaviest RunDraws
	for i, d := range cs.Draws {
		if d.Seed != int64(i+1) {
			t.Fatalf("draw %d is of seed %d, want seeds in order", i, d.Seed)
		}
		load, ok := d.Values["host_load node-1"]
		if !ok {
			t.Fatalf("seed %d: no host_load node-1 in %v", d.Seed, d.Values)
		}
		if i == 0 || load < lightest.Values["host_load node-1"] {
			lightest = d
		}
		if i == 0 || load > heaviest.Values["host_load node-1"] {
			heaviest = d
		}
	}
	if !lightest.Passed || heaviest.Passed {
		t.Errorf("the lightest host load (seed %d) passed %v, the heaviest (seed %d) %v: want the light to pass, the heavy to fail",
			lightest.Seed, lightest.Passed, heaviest.Seed, heaviest.Passed)
	}
}

// TestExploreListsEachFailuresSeeds: every failing seed is listed once,
// under the failure it ended with, and replaying it fails so; a summary
// whose lists disagree with its counts is refused.
func TestExploreListsEachFailuresSeeds(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Engine: EngineSim, Only: "test_flaky"}
	sum, err := Explore(ctx, "testdata/flaky.star", cfg, ExploreOptions{Runs: 40, Seed: 1, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	cs := sum.Cases[0]
	listed := 0
	for msg, seeds := range cs.FailureSeeds {
		listed += len(seeds)
		for _, seed := range seeds {
			cfg.Seed = seed
			r := RunFile(ctx, "testdata/flaky.star", cfg).Cases[0]
			if r.Passed() || failureKey(r.Err) != msg {
				t.Errorf("seed %d listed under %q: replayed it ended %v", seed, msg, r.Err)
			}
		}
	}
	if listed != cs.Failed || cs.Failed == 0 {
		t.Fatalf("%d seeds listed for %d failures, want as many and some", listed, cs.Failed)
	}
	for msg := range cs.FailureSeeds {
		cs.FailureSeeds[msg] = cs.FailureSeeds[msg][1:]
		break
	}
	if err := sum.Check(); err == nil || !strings.Contains(err.Error(), "seeds listed, want its count") {
		t.Errorf("Check of a summary missing a failing seed: %v, want a refusal", err)
	}
}
