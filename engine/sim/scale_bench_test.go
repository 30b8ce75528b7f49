package sim

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
)

// scaleServices is how many services the scale benchmarks spread their
// tasks over.
const scaleServices = 10

// scaleStack is a stack of scaleServices services of replicas each, at
// release v: start-first, parallelism 1, a 2 s healthcheck.
func scaleStack(n uint64, v string) engine.Stack {
	st := engine.Stack{Namespace: stack, Services: map[string]swarm.ServiceSpec{}}
	for i := range scaleServices {
		sp := spec(fmt.Sprintf("s%d", i), env("V="+v), replicas(n), health(2*time.Second, 3, 0), update(startFirst))
		st.Services[sp.Name] = sp
	}
	return st
}

// scaleUpgrade installs the stack at v1 and rolls it to v2, waiting for
// every service to converge each time as assert_converged does, one
// service after another. It returns how long the upgrade took on the wall
// clock.
func scaleUpgrade(tb testing.TB, replicas uint64) time.Duration {
	tb.Helper()
	clk := clock.NewVirtual(epoch)
	s := New(1, clk)
	ctx := context.Background()
	s.AddNode("node-1", 1<<50)
	waitAll := func(st engine.Stack, before map[string]*swarm.Service) {
		for name := range st.Services {
			v, err := converge.Wait(ctx, s, name, converge.Options{Since: before[name], Timeout: 24 * time.Hour})
			if err != nil || !v.Converged {
				tb.Fatalf("%s: %+v, %v", name, v, err)
			}
		}
	}
	install := scaleStack(replicas, "1")
	if err := s.Deploy(ctx, install); err != nil {
		tb.Fatal(err)
	}
	waitAll(install, nil)
	start := time.Now()
	before := map[string]*swarm.Service{}
	for name := range install.Services {
		svc, err := s.Service(ctx, name)
		if err != nil {
			tb.Fatal(err)
		}
		before[name] = &svc
	}
	upgrade := scaleStack(replicas, "2")
	if err := s.Deploy(ctx, upgrade); err != nil {
		tb.Fatal(err)
	}
	waitAll(upgrade, before)
	return time.Since(start)
}

// BenchmarkScale installs and rolls a stack of 10 services to a new
// release at 1k, 10k and 100k tasks in all (docs/scale.md). It reports
// the whole run per task (ns/task, and B/task allocated) and the rolling
// upgrade alone (upgrade-ms).
func BenchmarkScale(b *testing.B) {
	for _, tasks := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			b.ReportAllocs()
			var upgrade time.Duration
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				upgrade += scaleUpgrade(b, uint64(tasks/scaleServices))
			}
			runtime.ReadMemStats(&after)
			per := float64(b.N) * float64(tasks)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/task")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/task")
			b.ReportMetric(float64(upgrade.Milliseconds())/float64(b.N), "upgrade-ms")
		})
	}
}
