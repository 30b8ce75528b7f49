package docker

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Faults on a real swarm.
//
// The swarm has no fault injection of its own, so a fault is either a change
// to the spec being deployed, so that the new tasks fail by themselves, an
// action on the new task's container through the Engine API, or a process
// on the node. "Running" below is when swarm marks the task running: at the
// first healthy probe when it has a healthcheck, else when it starts.
//
//	unhealthy        test app: FAIL_HEALTH=1, or with After
//	                 FAIL_HEALTH_AFTER=After (healthy, then failing After
//	                 running). Other images: the healthcheck test is replaced
//	                 by one that cannot run (["CMD", "/chaosrun-fault-unhealthy"]),
//	                 keeping the spec's interval, timeout and retries (2s, 1s, 2
//	                 when the spec has none); After is not supported there.
//	crash            test app: exits 1 After running (CRASH_AFTER=After, at
//	                 least 1ms, CRASH_AFTER_HEALTHY=1). Other images: the
//	                 container is killed After running, as for kill (exit 137).
//	kill             the new task's container is killed with SIGKILL After it
//	                 is running, when it runs on the daemon's own node.
//	memory_pressure  a service <stack>_chaosrun-memory-<n> on the daemon's own
//	                 node holds Bytes (the test app with HOLD_MIB, rounded up
//	                 to whole MiB), started After the deploy; it is removed
//	                 with the stack and on Close. Needs the chaosrun-testapp:dev
//	                 image on the node.
//
// Kill and crash act on the first new task of each slot only, like the
// simulator. Spec-changing faults are visible in the deployed Spec (Env,
// Healthcheck), as they would be on the swarm; they vanish with a rollback.

// TestAppImage is the repository name of the chaosrun test app image
// (examples/testapp), whose behaviour is set by environment.
const TestAppImage = "chaosrun-testapp"

// unhealthyTest is a healthcheck command that cannot run in any image.
var unhealthyTest = []string{"CMD", "/chaosrun-fault-unhealthy"}

// faultPlan is what one deploy does to inject one service's faults.
type faultPlan struct {
	env      map[string]string       // set on the container (test app)
	health   *container.HealthConfig // replaces the healthcheck
	kill     *time.Duration          // kill new tasks' containers this long after running
	pressure []engine.Fault          // memory pressure on the node
}

// testAppProbe is the test app's own healthcheck (its image's HEALTHCHECK).
var testAppProbe = container.HealthConfig{Test: []string{"CMD", "/testapp", "-health"},
	Interval: 2 * time.Second, Timeout: time.Second, Retries: 2}

// isTestApp reports whether image is the chaosrun test app, by repository name.
func isTestApp(image string) bool {
	ref, _, _ := strings.Cut(image, "@")
	name := ref[strings.LastIndex(ref, "/")+1:]
	name, _, _ = strings.Cut(name, ":")
	return name == TestAppImage
}

// planFaults checks a service's faults and says how to inject them.
func planFaults(service string, spec swarm.ServiceSpec, faults []engine.Fault) (faultPlan, error) {
	var p faultPlan
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil {
		return p, fmt.Errorf("fault on service %s: %w: only container services take faults", service, engine.ErrUnsupported)
	}
	testApp := isTestApp(cs.Image)
	for _, f := range faults {
		if err := p.add(f, cs, testApp); err != nil {
			return p, fmt.Errorf("%s fault on service %s (image %s): %w", f.Kind, service, cs.Image, err)
		}
	}
	return p, nil
}

// add plans one fault.
func (p *faultPlan) add(f engine.Fault, cs *swarm.ContainerSpec, testApp bool) error {
	switch f.Kind {
	case engine.FaultUnhealthy:
		if testApp && disabled(cs.Healthcheck) {
			probe := testAppProbe // FAIL_HEALTH needs a probe to fail
			p.health = &probe
		}
		switch {
		case testApp && f.After > 0:
			p.setEnv("FAIL_HEALTH_AFTER", f.After.String())
		case testApp:
			p.setEnv("FAIL_HEALTH", "1")
		case f.After > 0:
			return fmt.Errorf("%w: only the chaosrun test app can turn unhealthy after a delay", engine.ErrUnsupported)
		default:
			p.health = failingHealthcheck(cs.Healthcheck)
		}
	case engine.FaultCrash:
		if !testApp {
			p.setKill(f.After)
			return nil
		}
		p.setEnv("CRASH_AFTER", max(f.After, time.Millisecond).String())
		p.setEnv("CRASH_EXIT", "1")
		if !disabled(cs.Healthcheck) {
			p.setEnv("CRASH_AFTER_HEALTHY", "1")
		}
	case engine.FaultKill:
		p.setKill(f.After)
	case engine.FaultMemory:
		if f.Bytes <= 0 {
			return fmt.Errorf("got %d bytes, want a positive amount", f.Bytes)
		}
		p.pressure = append(p.pressure, f)
	default:
		return fmt.Errorf("unknown fault kind; want %s, %s, %s or %s",
			engine.FaultUnhealthy, engine.FaultCrash, engine.FaultKill, engine.FaultMemory)
	}
	return nil
}

func (p *faultPlan) setEnv(k, v string) {
	if p.env == nil {
		p.env = map[string]string{}
	}
	p.env[k] = v
}

func (p *faultPlan) setKill(after time.Duration) {
	if p.kill == nil || after < *p.kill {
		p.kill = &after
	}
}

// disabled reports whether a spec turns the healthcheck off. (A nil one
// keeps the image's; the test app image has one.)
func disabled(hc *container.HealthConfig) bool {
	return hc != nil && len(hc.Test) > 0 && hc.Test[0] == "NONE"
}

// failingHealthcheck keeps hc's timings but runs a command that cannot succeed.
func failingHealthcheck(hc *container.HealthConfig) *container.HealthConfig {
	out := container.HealthConfig{Interval: 2 * time.Second, Timeout: time.Second, Retries: 2}
	if engine.HasHealthcheck(hc) {
		out = *hc
	}
	out.Test = unhealthyTest
	return &out
}

// changesSpec reports whether the plan changes the deployed spec.
func (p faultPlan) changesSpec() bool { return len(p.env) > 0 || p.health != nil }

// apply returns spec with the plan's changes, leaving spec itself untouched.
func (p faultPlan) apply(spec swarm.ServiceSpec) swarm.ServiceSpec {
	if !p.changesSpec() {
		return spec
	}
	cs := *spec.TaskTemplate.ContainerSpec
	if len(p.env) > 0 {
		cs.Env = setEnv(cs.Env, p.env)
	}
	if p.health != nil {
		cs.Healthcheck = p.health
	}
	spec.TaskTemplate.ContainerSpec = &cs
	return spec
}

// setEnv returns env (KEY=VALUE entries) with the keys of set replaced or
// appended in sorted order; env itself is not changed.
func setEnv(env []string, set map[string]string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+set[k])
	}
	return out
}
