package runner

import (
	"context"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/interp"
)

// BenchmarkRollbackOverhead runs a start-first upgrade that a real swarm
// rolls back and reports what chaosrun adds to swarm's own update: the time
// from the end of the deploy call to the verdict, minus swarm's CompletedAt
// - StartedAt, as a share of the latter (goal: under 5%).
//
//	go test ./runner -run '^$' -bench RollbackOverhead -benchtime 3x
func BenchmarkRollbackOverhead(b *testing.B) {
	needDocker(b)
	b.Chdir("..")
	var added, swarmTook time.Duration
	for i := 0; i < b.N; i++ {
		res := RunFile(context.Background(), "runner/testdata/rollback_overhead.star",
			Config{Engine: EngineDocker, RunID: "bench-overhead", Root: "."})
		if res.Err != nil || len(res.Cases) == 0 || res.Cases[0].Err != nil {
			b.Fatalf("run failed: %v %+v", res.Err, res.Cases)
		}
		deployAt, verdict := lastDeployAndVerdict(res.Cases[0].Transcript.Events())
		took, _ := time.ParseDuration(verdict.Fields["update-took"])
		if took == 0 {
			b.Fatalf("no update-took in the verdict %+v", verdict)
		}
		swarmTook += took
		added += verdict.At - deployAt - took
	}
	b.ReportMetric(swarmTook.Seconds()/float64(b.N), "swarm-update-s")
	b.ReportMetric(added.Seconds()/float64(b.N), "chaosrun-added-s")
	b.ReportMetric(100*added.Seconds()/swarmTook.Seconds(), "added-%")
}

// lastDeployAndVerdict finds the last deploy event and the verdict after it.
func lastDeployAndVerdict(events []interp.Event) (time.Duration, interp.Event) {
	var deployAt time.Duration
	var verdict interp.Event
	for _, e := range events {
		switch e.Kind {
		case "deploy":
			deployAt = e.At
		case "verdict":
			verdict = e
		}
	}
	return deployAt, verdict
}
