package timeline

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

// BenchmarkWriteExplore: the report of a 10,000-run sweep with ten named
// draws per run and two failure messages; its size is reported as
// bytes/page and does not grow with the runs.
func BenchmarkWriteExplore(b *testing.B) {
	for _, runs := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("runs=%d", runs), func(b *testing.B) {
			e := sweep(runs)
			var size int64
			b.ReportAllocs()
			for b.Loop() {
				w := &countingWriter{}
				if err := WriteExplore(w, e); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// BenchmarkBuildCase: building and drawing the timeline of a case with
// 100 slots, each updated once start-first (about 1,000 changes).
func BenchmarkBuildCase(b *testing.B) {
	var changes []engine.Change
	for slot := 1; slot <= 100; slot++ {
		old, new := fmt.Sprintf("old%d", slot), fmt.Sprintf("new%d", slot)
		s := float64(slot)
		changes = append(changes, task(0, old, slot, "new", "running"), task(1, old, slot, "running", "running"),
			task(10+s, new, slot, "new", "running"), task(10+s, new, slot, "starting", "running"),
			task(12+s, new, slot, "running", "running"), task(12+s, old, slot, "running", "shutdown"),
			task(14+s, old, slot, "shutdown", "shutdown"))
	}
	changes = append(changes, update(10, "updating"), update(120, "completed"))
	in := Input{Start: t0, Changes: changes, Result: interp.CaseResult{Name: "test_x", Elapsed: 130 * time.Second}}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCases(io.Discard, "bench", []Case{Build(in)}); err != nil {
			b.Fatal(err)
		}
	}
}

func sweep(runs int) Explore {
	r := rand.New(rand.NewPCG(1, 2))
	c := ExploreCase{Name: "test_x", Runs: runs, Passing: -1}
	var seedsA, seedsB []int64
	for i := range runs {
		load := r.Float64() * 3 * (1 << 30)
		passed := load < 1.2*(1<<30)
		values := map[string]float64{"host_load node-1": load}
		for k := range 9 {
			values[fmt.Sprintf("boot_jitter app slot %d", k)] = r.Float64() * 60
		}
		c.Draws = append(c.Draws, RunDraws{Seed: int64(i), Passed: passed, Values: values})
		switch {
		case passed:
			c.Passed++
		case i%3 == 0:
			seedsB = append(seedsB, int64(i))
		default:
			seedsA = append(seedsA, int64(i))
		}
	}
	c.Failed = len(seedsA) + len(seedsB)
	c.Failures = []Failure{{Message: "rolled back", Seeds: seedsA, Replay: "chaosrun x.star --seed {seed}", Timeline: -1},
		{Message: "timed out", Seeds: seedsB, Replay: "chaosrun x.star --seed {seed}", Timeline: -1}}
	return Explore{File: "x.star", Runs: runs, Seeds: "seeds", Cases: []ExploreCase{c}}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
