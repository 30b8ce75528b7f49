package runner

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
)

// shippedScenarios lists the scenarios under scenarios/ and examples/,
// relative to the repository root (the test's working directory).
func shippedScenarios(t testing.TB) []string {
	files, err := ScenarioFiles(ScenarioDirs())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no shipped scenarios found")
	}
	return files
}

// TestDeterminism runs every shipped scenario twice per seed on the
// simulator and compares the transcripts byte for byte.
func TestDeterminism(t *testing.T) {
	t.Chdir("..")
	for _, file := range shippedScenarios(t) {
		for _, seed := range []int64{1, 2, 7} {
			first, second := GoldenRun(file, Config{Seed: seed}), GoldenRun(file, Config{Seed: seed})
			if first != second {
				t.Errorf("%s seed %d: transcripts differ between two runs:\n%s", file, seed, Diff("first", first, "second", second))
			}
		}
	}
}

// BenchmarkScenarios runs each shipped scenario once per iteration, module
// code (git fixtures) included.
func BenchmarkScenarios(b *testing.B) {
	b.Chdir("..")
	for _, file := range shippedScenarios(b) {
		b.Run(filepath.Base(file), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				RunFile(context.Background(), file, Config{Engine: EngineSim, Seed: int64(i)})
			}
		})
	}
}

// BenchmarkExploreDiscourse is one explore run of the discourse scenario:
// every case once, with a new seed, the module loaded once (as explore's
// workers do). Run with -cpu 1 for the per-core figure.
func BenchmarkExploreDiscourse(b *testing.B) {
	b.Chdir("..")
	cfg := Config{Engine: EngineSim}
	m, err := interp.LoadModule(context.Background(), "scenarios/discourse_upgrade.star", Options(cfg))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := cfg
		c.Seed = int64(i)
		for _, name := range m.Cases() {
			if r := m.RunCase(context.Background(), name, startCase(c)); r.Err != nil && name != "test_assert_converged_names_the_rollback" {
				b.Fatalf("%s seed %d: %v", name, i, interp.Describe(r.Err))
			}
		}
	}
}

// BenchmarkExploreTwoJobs is `chaosrun explore scenarios/discourse_upgrade.star`
// on two jobs, b.N seeds (four case runs each), with explore's GOGC of 400;
// it reports seeds/s and case-runs/s. Run with -benchtime 1000x.
func BenchmarkExploreTwoJobs(b *testing.B) {
	b.Chdir("..")
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	b.ResetTimer()
	sum, err := Explore(context.Background(), "scenarios/discourse_upgrade.star", Config{Engine: EngineSim},
		ExploreOptions{Runs: b.N, Jobs: 2})
	if err != nil {
		b.Fatal(err)
	}
	runs := 0
	for _, c := range sum.Cases {
		runs += c.Runs
		if c.Failed > 0 {
			b.Fatalf("%s failed %d times", c.Name, c.Failed)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(sum.Runs)/secs, "seeds/s")
	b.ReportMetric(float64(runs)/secs, "case-runs/s")
}
