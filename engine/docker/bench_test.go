package docker

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
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

// BenchmarkFailureVerdictLatency measures how long after swarm's first
// event that makes a failure certain (the service update event announcing
// rollback_started) converge.Wait has returned its verdict (goal: under
// 250 ms). Each iteration installs the test app and upgrades it to a
// release whose task is unhealthy (about 15 s):
//
//	go test ./engine/docker -run '^$' -bench FailureVerdictLatency -benchtime 5x
func BenchmarkFailureVerdictLatency(b *testing.B) {
	e, ns := newTestEngine(b, Options{})
	name := ns + "_app"
	ctx := b.Context()
	var total, worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		good := app{failureAction: "rollback", order: "start-first", env: []string{fmt.Sprintf("VERSION=%d", 2*i)}}
		deploy(b, e, testStack(ns, good))
		if v, err := converge.Wait(ctx, e, name, converge.Options{}); err != nil || !v.Converged {
			b.Fatalf("install %d: %+v %v", i, v, err)
		}
		before, err := e.Service(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		watch := e.Subscribe(ctx)
		bad := good
		bad.env, bad.faults = []string{fmt.Sprintf("VERSION=%d", 2*i+1)}, []engine.Fault{{Kind: engine.FaultUnhealthy}}
		deploy(b, e, testStack(ns, bad))
		v, err := converge.Wait(ctx, e, name, converge.Options{Since: &before})
		returned := time.Now()
		if err != nil || v.State != string(swarm.UpdateStateRollbackStarted) {
			b.Fatalf("upgrade %d: %+v %v, want rollback_started", i, v, err)
		}
		latency := returned.Sub(firstUpdateState(b, e, watch, name, "rollback_started"))
		watch.Close()
		total += latency
		worst = max(worst, latency)
		settle := e.Subscribe(ctx)
		waitUpdate(b, e, settle, name, returned, 2*time.Minute, swarm.UpdateStateRollbackCompleted)
		settle.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-failure-verdict-latency/op")
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-worst-latency")
}

// firstUpdateState is the local time of the first service event of name
// on sub announcing state.
func firstUpdateState(b *testing.B, e *Engine, sub engine.Subscription, name, state string) time.Time {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ev, err := sub.Next(b.Context(), deadline)
		if err != nil {
			b.Fatalf("no %s event for %s: %v", state, name, err)
		}
		if ev.Type == "service" && ev.Service == name && ev.Attributes["updatestate.new"] == state {
			return e.localTime(ev.Time)
		}
	}
}

// countingEngine counts the Engine API calls converge.Wait makes through
// it: one inspection per Service, one task list per Tasks.
type countingEngine struct {
	engine.Engine
	calls atomic.Int64
}

func (c *countingEngine) Service(ctx context.Context, name string) (swarm.Service, error) {
	c.calls.Add(1)
	return c.Engine.Service(ctx, name)
}

func (c *countingEngine) Tasks(ctx context.Context, service string, upToDate bool) ([]swarm.Task, error) {
	c.calls.Add(1)
	return c.Engine.Tasks(ctx, service, upToDate)
}

// BenchmarkWaitCalls measures the Engine API calls one convergence wait
// makes per event of its service it reads, and per wait, for a rolling upgrade of 1, 10
// and 50 replicas (parallelism 5) on the real swarm (docs/scale.md): the
// calls per event must not grow with the tasks. About a minute in all:
//
//	go test ./engine/docker -run '^$' -bench WaitCalls -benchtime 1x
func BenchmarkWaitCalls(b *testing.B) {
	for _, replicas := range []uint64{1, 10, 50} {
		b.Run(fmt.Sprintf("replicas=%d", replicas), func(b *testing.B) {
			e, ns := newTestEngine(b, Options{})
			name := ns + "_app"
			ctx := b.Context()
			a := app{order: "start-first", replicas: replicas, parallelism: 5}
			deploy(b, e, testStack(ns, a))
			if v, err := converge.Wait(ctx, e, name, converge.Options{}); err != nil || !v.Converged {
				b.Fatalf("install: %+v %v", v, err)
			}
			var calls, events int64
			for i := 0; b.Loop(); i++ {
				before, err := e.Service(ctx, name)
				if err != nil {
					b.Fatal(err)
				}
				a.env = []string{fmt.Sprintf("VERSION=%d", i+2)}
				deploy(b, e, testStack(ns, a))
				c := &countingEngine{Engine: e}
				var seen atomic.Int64
				v, err := converge.Wait(ctx, c, name, converge.Options{Since: &before,
					Event: func(ev engine.Event) {
						if ev.Service == name {
							seen.Add(1)
						}
					}})
				if err != nil || !v.Converged {
					b.Fatalf("upgrade %d: %+v %v", i, v, err)
				}
				calls += c.calls.Load()
				events += seen.Load()
			}
			b.ReportMetric(float64(calls)/float64(b.N), "calls/wait")
			b.ReportMetric(float64(events)/float64(b.N), "events/wait")
			b.ReportMetric(float64(calls)/float64(max(events, 1)), "calls/event")
		})
	}
}
