package converge

import (
	"fmt"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The bound's own allowances; swarm's defaults are engine's (reference
// docs/swarm-semantics.md §2 and §12).
const (
	timeoutMargin      = 2 * time.Minute
	perSlotStartupBase = 30 * time.Second
)

// DefaultTimeout derives a wait's bound from the service's own spec: per
// batch of slots, the healthcheck's start period plus interval×retries
// (plus the probe timeout), for stop-first swarm's one-minute wait for the
// old task to stop (engine.OldTaskStopWait), the update delay and the
// monitor window; then the final monitor window and a margin. A 20-minute
// discourse boot and a 2-second test app thus get bounds that fit them. It
// returns the bound and how it was derived.
func DefaultTimeout(spec swarm.ServiceSpec) (time.Duration, string) {
	slot := perSlotStartupBase
	parts := fmt.Sprintf("%s start", perSlotStartupBase)
	if hc := healthcheck(spec); hc != nil {
		interval := orDefault(hc.Interval, engine.DefaultHealthInterval)
		retries := hc.Retries
		if retries == 0 {
			retries = engine.DefaultHealthRetries
		}
		probe := orDefault(hc.Timeout, engine.DefaultHealthTimeout)
		slot += hc.StartPeriod + time.Duration(retries)*(interval+probe)
		parts += fmt.Sprintf(" + start_period %s + %d×(interval %s + timeout %s)", hc.StartPeriod, retries, interval, probe)
	}
	uc := spec.UpdateConfig
	mon := monitor(spec)
	if uc != nil {
		slot += uc.Delay
		if uc.Order != swarm.UpdateOrderStartFirst {
			slot += engine.OldTaskStopWait
			parts += fmt.Sprintf(" + stop-first %s", engine.OldTaskStopWait)
		}
	}
	slot += mon
	batches := batches(spec)
	total := time.Duration(batches)*slot + mon + timeoutMargin
	return total, fmt.Sprintf("%d batch(es) × (%s + monitor %s) + monitor + margin %s", batches, parts, mon, timeoutMargin)
}

// healthcheck is the spec's healthcheck, or nil when it runs none.
func healthcheck(spec swarm.ServiceSpec) *container.HealthConfig {
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil || !engine.HasHealthcheck(cs.Healthcheck) {
		return nil
	}
	return cs.Healthcheck
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// monitor is the update monitor window (default 5s).
func monitor(spec swarm.ServiceSpec) time.Duration {
	if spec.UpdateConfig != nil && spec.UpdateConfig.Monitor > 0 {
		return spec.UpdateConfig.Monitor
	}
	return engine.DefaultMonitor
}

// batches is how many rounds of parallel slot updates an update takes.
func batches(spec swarm.ServiceSpec) int {
	n := replicas(spec)
	par := uint64(1)
	if spec.UpdateConfig != nil {
		par = spec.UpdateConfig.Parallelism
	}
	if par == 0 || par >= uint64(n) {
		return 1
	}
	return int((uint64(n) + par - 1) / par)
}

func replicas(spec swarm.ServiceSpec) int {
	if spec.Mode.Replicated != nil && spec.Mode.Replicated.Replicas != nil {
		return int(*spec.Mode.Replicated.Replicas)
	}
	return 1
}

// desired is the number of slots that must run.
func desired(svc swarm.Service) int {
	if svc.Spec.Mode.Global != nil {
		return -1 // global: decided from tasks (see running)
	}
	return replicas(svc.Spec)
}
