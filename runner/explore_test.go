package runner

import (
	"context"
	"reflect"
	"testing"
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
	res := RunFile(ctx, "testdata/flaky.star", Config{Engine: EngineSim, Seed: flaky.FirstFailingSeed, Only: "test_flaky"})
	if len(res.Cases) == 0 || res.Cases[0].Passed() {
		t.Errorf("seed %d did not replay the failure", flaky.FirstFailingSeed)
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
