package builtins

import (
	"sync"

	"github.com/docker/docker/api/types/swarm"
	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/deepcopy"
	"github.com/coop-cloud/chaosrun/interp"
)

const deployedKey = "builtins.deployed"

// deployed remembers, per case, the service specs each thread's deploys
// sent, so that a convergence wait judges the deploy its own thread made
// (or, from a thread that deployed nothing, the newest deploy).
type deployed struct {
	mu       sync.Mutex
	byThread map[*starlark.Thread]map[string]*swarm.ServiceSpec
	newest   map[string]*swarm.ServiceSpec
}

func deployedOf(c *interp.Case) *deployed {
	c.SetValueOnce(deployedKey, func() any {
		return &deployed{byThread: map[*starlark.Thread]map[string]*swarm.ServiceSpec{}, newest: map[string]*swarm.ServiceSpec{}}
	})
	return c.Value(deployedKey).(*deployed)
}

// record notes the specs a deploy of thread sent.
func (d *deployed) record(thread *starlark.Thread, specs map[string]swarm.ServiceSpec) {
	d.mu.Lock()
	defer d.mu.Unlock()
	mine := d.byThread[thread]
	if mine == nil {
		mine = map[string]*swarm.ServiceSpec{}
		d.byThread[thread] = mine
	}
	for name, spec := range specs {
		mine[name] = &spec
		d.newest[name] = &spec
	}
}

// spec is the spec the wait of thread on service judges, or nil when no
// deploy of this case sent one. It is read-only, and the same pointer
// until the next deploy of the service.
func (d *deployed) spec(thread *starlark.Thread, service string) *swarm.ServiceSpec {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.byThread[thread][service]; ok {
		return s
	}
	return d.newest[service]
}

// changesNoTask reports whether sending spec for service after the last
// spec this case sent for it starts no task: the task template and the
// endpoint are the same (swarm's test for a rolling update), so only
// labels change, or nothing.
func (d *deployed) changesNoTask(service string, spec swarm.ServiceSpec) bool {
	d.mu.Lock()
	prev, ok := d.newest[service]
	d.mu.Unlock()
	return ok && deepcopy.Equal(prev.TaskTemplate, spec.TaskTemplate) && deepcopy.Equal(prev.EndpointSpec, spec.EndpointSpec)
}
