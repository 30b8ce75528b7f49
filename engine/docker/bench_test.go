package docker

import (
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// BenchmarkVerdictLatency measures how long after swarm writes a terminal
// UpdateStatus (CompletedAt) a waiter following Subscribe has inspected it.
// Each iteration is a real start-first upgrade (about 5 s), so run it with
// a count: go test ./engine/docker -run '^$' -bench VerdictLatency -benchtime 5x
func BenchmarkVerdictLatency(b *testing.B) {
	e, ns := newTestEngine(b, Options{})
	name := ns + "_app"
	sub := e.Subscribe(b.Context())
	v := app{failureAction: "rollback", order: "start-first"}
	deploy(b, e, testStack(ns, v))
	waitRunning(b, e, sub, name, 1, time.Minute)
	var total, worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.env = []string{fmt.Sprintf("VERSION=%d", i+2)}
		start := deploy(b, e, testStack(ns, v))
		svc, _, latency := waitUpdate(b, e, sub, name, start, 2*time.Minute, swarm.UpdateStateCompleted,
			swarm.UpdateStatePaused, swarm.UpdateStateRollbackStarted)
		if svc.UpdateStatus.State != swarm.UpdateStateCompleted {
			b.Fatalf("upgrade %d: %+v", i, svc.UpdateStatus)
		}
		total += latency
		worst = max(worst, latency)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-verdict-latency/op")
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-worst-latency")
}
