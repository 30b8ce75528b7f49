package docker

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// pressureImage runs the memory pressure: the test app holding HOLD_MIB.
const pressureImage = TestAppImage + ":dev"

// pressureCount numbers pressure services so that each has its own name.
var pressureCount atomic.Int64

// checkPressureImage fails with ErrUnsupported when the daemon's node has
// no test app image to hold memory with.
func (e *Engine) checkPressureImage(ctx context.Context) error {
	if _, err := e.cli.ImageInspect(ctx, pressureImage); err != nil {
		return fmt.Errorf("memory_pressure fault: %w: the node has no %s image to hold memory with "+
			"(build it with examples/testapp/build.sh): %v", engine.ErrUnsupported, pressureImage, err)
	}
	return nil
}

// pressureSpec is a service that holds bytes on the daemon's own node, in
// the stack ns, labelled as the run's.
func (e *Engine) pressureSpec(ns string, bytes int64) swarm.ServiceSpec {
	replicas := uint64(1)
	name := fmt.Sprintf("%s_chaosrun-memory-%d", ns, pressureCount.Add(1))
	labels := e.runLabels(map[string]string{engine.NamespaceLabel: ns})
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: name, Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: pressureImage, Labels: labels,
				Env:         []string{fmt.Sprintf("HOLD_MIB=%d", (bytes+1<<20-1)>>20)},
				Healthcheck: &container.HealthConfig{Test: []string{"NONE"}}},
			Placement:     &swarm.Placement{Constraints: []string{"node.id==" + e.nodeID}},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
	}
}

// startPressure creates a pressure service for f After the deploy (at
// once when After is zero), unless the engine is closed first.
func (e *Engine) startPressure(ctx context.Context, ns string, f engine.Fault) error {
	spec := e.pressureSpec(ns, f.Bytes)
	create := func(ctx context.Context) error {
		if _, err := e.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{}); err != nil {
			return fmt.Errorf("memory_pressure fault: create service %s: %w", spec.Name, err)
		}
		e.logf("memory_pressure fault: %s holds %d bytes on node %s", spec.Name, f.Bytes, e.nodeID)
		return nil
	}
	if f.After <= 0 {
		return create(ctx)
	}
	e.later(f.After, func() {
		if err := create(e.ctx); err != nil {
			e.logf("%v", err)
		}
	})
	return nil
}
