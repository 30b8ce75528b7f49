package serve

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/errdefs"
	units "github.com/docker/go-units"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/sim"
)

// Service labels that shape the simulation without changing the client
// (docs/serve.md): in a compose file, under deploy.labels. The behaviour
// labels apply to the service's tasks from then on; the fault labels to
// the tasks of the spec that carries them, so rolling back to a spec
// without them heals the service.
const (
	labelBoot      = "chaosrun.boot"        // duration: starting → up (default 1s)
	labelJitter    = "chaosrun.boot-jitter" // duration: a random part added per task
	labelMemory    = "chaosrun.memory"      // size: each container's memory (default 64MiB)
	labelStopTime  = "chaosrun.stop-time"   // duration: SIGTERM → exit (default 100ms)
	labelUnhealthy = "chaosrun.unhealthy"   // true, or a duration: health probes fail (after it)
	labelCrash     = "chaosrun.crash"       // duration: the container exits 1 this long after running
	labelKill      = "chaosrun.kill"        // duration: the first task per slot is killed (137) after it
)

var knownLabels = []string{labelBoot, labelJitter, labelMemory, labelStopTime, labelUnhealthy, labelCrash, labelKill}

// shaping is what a spec's chaosrun.* labels ask for.
type shaping struct {
	behaviour sim.Behaviour
	faults    []engine.Fault
}

// shapingOf reads a spec's chaosrun.* labels; an unknown one or a bad
// value is refused, naming the label.
func shapingOf(spec swarm.ServiceSpec) (shaping, error) {
	var sh shaping
	for _, k := range sortedKeys(spec.Labels) {
		if !strings.HasPrefix(k, "chaosrun.") || k == "chaosrun.run" || strings.HasPrefix(k, "chaosrun.owner.") {
			continue
		}
		v := spec.Labels[k]
		bad := func(want string) error {
			return errdefs.InvalidParameter(fmt.Errorf("service %s: label %s=%q: want %s", spec.Name, k, v, want))
		}
		var d time.Duration
		var err error
		switch k {
		case labelBoot, labelJitter, labelStopTime, labelCrash, labelKill:
			if d, err = time.ParseDuration(v); err != nil || d < 0 {
				return sh, bad("a duration such as 30s")
			}
		}
		switch k {
		case labelBoot:
			sh.behaviour.Boot = d
		case labelJitter:
			sh.behaviour.BootJitter = d
		case labelStopTime:
			sh.behaviour.StopTime = d
		case labelMemory:
			n, err := units.RAMInBytes(v)
			if err != nil || n <= 0 {
				return sh, bad("a size such as 512MiB")
			}
			sh.behaviour.Memory = n
		case labelUnhealthy:
			f := engine.Fault{Kind: engine.FaultUnhealthy}
			if on, err := strconv.ParseBool(v); err == nil {
				if !on {
					continue
				}
			} else if f.After, err = time.ParseDuration(v); err != nil || f.After < 0 {
				return sh, bad("true, or a duration after which the probes fail")
			}
			sh.faults = append(sh.faults, f)
		case labelCrash:
			sh.faults = append(sh.faults, engine.Fault{Kind: engine.FaultCrash, After: d})
		case labelKill:
			sh.faults = append(sh.faults, engine.Fault{Kind: engine.FaultKill, After: d})
		default:
			return sh, errdefs.InvalidParameter(fmt.Errorf("service %s: unknown label %s (sim serve knows %s)", spec.Name, k, strings.Join(knownLabels, ", ")))
		}
	}
	return sh, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
