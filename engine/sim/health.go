package sim

import (
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The probe chaosrun's docker engine installs for an unhealthy fault on a
// service without a healthcheck. (Healthcheck defaults, docs/swarm-semantics.md §2, are
// engine.DefaultHealth*.)
const (
	faultInterval = 2 * time.Second
	faultTimeout  = time.Second
	faultRetries  = 2
)

// probe is a container's healthcheck with defaults filled in, and how long
// its failing probes take.
type probe struct {
	interval, startPeriod time.Duration
	retries               int
	fail                  time.Duration // a failing probe's run time (≤ timeout)
}

// probeOf is t's healthcheck, or false when its container has none (no
// Healthcheck, an empty Test, or Test ["NONE"]). Healthchecks baked into
// images are not known to the simulator.
func probeOf(t *task) (probe, bool) {
	cs := t.rec.spec.TaskTemplate.ContainerSpec
	if cs == nil || !engine.HasHealthcheck(cs.Healthcheck) {
		if t.unhealthy || t.sickAfter != nil {
			return probe{interval: faultInterval, retries: faultRetries, fail: min(t.probeFail, faultTimeout)}, true
		}
		return probe{}, false
	}
	h := cs.Healthcheck
	p := probe{interval: h.Interval, startPeriod: h.StartPeriod, retries: h.Retries}
	if p.interval <= 0 {
		p.interval = engine.DefaultHealthInterval
	}
	if p.retries <= 0 {
		p.retries = engine.DefaultHealthRetries
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = engine.DefaultHealthTimeout
	}
	p.fail = min(t.probeFail, timeout)
	return p, true
}

// outcome says when the health monitor decides about a container that is
// up boot after it started (moby daemon/health.go, docs/swarm-semantics.md §2). Probes start
// interval after the container started and interval after the previous
// probe ended; a probe that starts once the app is up passes at once, one
// before fails after p.fail. Failures count once their result comes at or
// after start_period, and retries of them in a row make the container
// unhealthy. (start_interval, engines ≥ 25, is not modelled.)
func (p probe) outcome(boot time.Duration, unhealthy bool) (healthy bool, at time.Duration) {
	step := p.interval + p.fail // from one failing probe's start to the next one's
	firstCounted := max(1, ceilDiv(p.startPeriod, step))
	lastFail := firstCounted + int64(p.retries) - 1
	if !unhealthy {
		// probe k starts at k×interval + (k−1)×fail
		if ok := max(1, ceilDiv(boot+p.fail, step)); ok <= lastFail {
			return true, time.Duration(ok)*p.interval + time.Duration(ok-1)*p.fail
		}
	}
	return false, time.Duration(lastFail) * step
}

func ceilDiv(a, b time.Duration) int64 {
	if a <= 0 {
		return 0
	}
	return int64((a + b - 1) / b)
}

// scheduleHealth arms what happens to a starting container: running once
// up (no healthcheck) or once its first probe passes; with a failing
// healthcheck, the executor shuts the container down and the task fails
// with "dockerexec: unhealthy container" and the container's exit code
// (docs/swarm-semantics.md §2). Only the decisive probe is scheduled, not every tick.
func (s *Sim) scheduleHealth(t *task) {
	p, ok := probeOf(t)
	if !ok {
		s.timer(t, t.boot, func() { s.toRunning(t) })
		return
	}
	healthy, at := p.outcome(t.boot, t.unhealthy)
	if healthy {
		s.timer(t, at, func() { s.toRunning(t) })
		return
	}
	s.timer(t, at, func() {
		if t.state == swarm.TaskStateStarting {
			s.shutdown(t, stopDelay(t, 0), "dockerexec: unhealthy container")
		}
	})
}

// scheduleSickness arms a running container that turns unhealthy
// (unhealthy fault with After): probes, passing every interval since it
// became healthy, fail from After on, and retries failures in a row make
// the executor's Wait shut it down (docs/swarm-semantics.md §2).
func (s *Sim) scheduleSickness(t *task) {
	if t.sickAfter == nil {
		return
	}
	p, _ := probeOf(t)
	firstFail := max(1, ceilDiv(*t.sickAfter, p.interval))
	at := time.Duration(firstFail+int64(p.retries)-1)*p.interval + time.Duration(p.retries)*p.fail
	s.timer(t, at, func() {
		if t.state == swarm.TaskStateRunning {
			s.shutdown(t, stopDelay(t, 0), "dockerexec: unhealthy container")
		}
	})
}
