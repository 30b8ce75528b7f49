package sim

import (
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Swarm's defaults (docs/swarm-semantics.md §12, swarmkit api/defaults/service.go).
const (
	defaultMonitor      = engine.DefaultMonitor
	defaultRestartDelay = 5 * time.Second
	defaultStopGrace    = 10 * time.Second
	historyRetention    = 5                      // task history per slot (docs/swarm-semantics.md §3)
	oldTaskTimeout      = engine.OldTaskStopWait // stop-first wait for the old task (docs/swarm-semantics.md §6)
)

// defaultUpdate is swarm's UpdateConfig and RollbackConfig when the spec
// has none (docs/swarm-semantics.md §12).
func defaultUpdate() swarm.UpdateConfig {
	return swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionPause,
		Monitor: defaultMonitor, Order: swarm.UpdateOrderStopFirst}
}

// effectiveUpdate is the config the updater uses: the defaults when the
// spec has none, else the spec's fields literally (Parallelism 0 means all)
// with an empty action/order meaning pause/stop-first and Monitor 0 the 5s
// default, as the Engine API's conversion does (docs/swarm-semantics.md §12).
func effectiveUpdate(c *swarm.UpdateConfig) swarm.UpdateConfig {
	if c == nil {
		return defaultUpdate()
	}
	out := *c
	if out.FailureAction == "" {
		out.FailureAction = swarm.UpdateFailureActionPause
	}
	if out.Order == "" {
		out.Order = swarm.UpdateOrderStopFirst
	}
	if out.Monitor <= 0 {
		out.Monitor = defaultMonitor
	}
	return out
}

// apiForm normalises a stored spec the way the Engine API's gRPC round
// trip shows it: empty failure actions and orders become their defaults,
// a container task has runtime "container" and isolation "default".
func apiForm(spec *swarm.ServiceSpec) *swarm.ServiceSpec {
	if cs := spec.TaskTemplate.ContainerSpec; cs != nil {
		if spec.TaskTemplate.Runtime == "" {
			spec.TaskTemplate.Runtime = swarm.RuntimeContainer
		}
		if cs.Isolation == "" {
			cs.Isolation = "default"
		}
	}
	for _, c := range []*swarm.UpdateConfig{spec.UpdateConfig, spec.RollbackConfig} {
		if c == nil {
			continue
		}
		if c.FailureAction == "" {
			c.FailureAction = swarm.UpdateFailureActionPause
		}
		if c.Order == "" {
			c.Order = swarm.UpdateOrderStopFirst
		}
	}
	return spec
}

// insertDefaults fills a spec copy with swarm's defaults like the Engine's
// insertDefaults=true inspect (swarmkit defaults.InterpolateService).
func insertDefaults(spec *swarm.ServiceSpec) *swarm.ServiceSpec {
	apiForm(spec)
	tt := &spec.TaskTemplate
	if cs := tt.ContainerSpec; cs != nil {
		if cs.StopGracePeriod == nil {
			d := defaultStopGrace
			cs.StopGracePeriod = &d
		}
		if cs.DNSConfig == nil {
			cs.DNSConfig = &swarm.DNSConfig{}
		}
	}
	if tt.Resources == nil {
		tt.Resources = &swarm.ResourceRequirements{}
	}
	if tt.RestartPolicy == nil {
		tt.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}
	}
	if tt.RestartPolicy.Delay == nil {
		d := defaultRestartDelay
		tt.RestartPolicy.Delay = &d
	}
	if tt.RestartPolicy.MaxAttempts == nil {
		var n uint64
		tt.RestartPolicy.MaxAttempts = &n
	}
	if tt.Placement == nil {
		tt.Placement = &swarm.Placement{}
	}
	for _, c := range []**swarm.UpdateConfig{&spec.UpdateConfig, &spec.RollbackConfig} {
		if *c == nil {
			d := defaultUpdate()
			*c = &d
		} else if (*c).Monitor == 0 {
			(*c).Monitor = defaultMonitor
		}
	}
	return spec
}

// restartPolicy is a task spec's restart policy with defaults (docs/swarm-semantics.md §3).
func restartPolicy(tt *swarm.TaskSpec) (cond swarm.RestartPolicyCondition, delay time.Duration, max uint64, window time.Duration) {
	cond, delay = swarm.RestartPolicyConditionAny, defaultRestartDelay
	if p := tt.RestartPolicy; p != nil {
		if p.Condition != "" {
			cond = p.Condition
		}
		if p.Delay != nil {
			delay = *p.Delay
		}
		if p.MaxAttempts != nil {
			max = *p.MaxAttempts
		}
		if p.Window != nil {
			window = *p.Window
		}
	}
	return cond, delay, max, window
}

// stopGrace is the container's stop grace period (default 10s).
func stopGrace(tt *swarm.TaskSpec) time.Duration {
	if cs := tt.ContainerSpec; cs != nil && cs.StopGracePeriod != nil {
		return *cs.StopGracePeriod
	}
	return defaultStopGrace
}
