package sim

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/enginetest"
)

// TestContract runs engine.Engine's contract (engine/enginetest) on the
// simulator; engine/docker runs the same cases on a real swarm.
func TestContract(t *testing.T) {
	enginetest.Run(t, func(t *testing.T) enginetest.Target {
		s := New(1, clock.NewVirtual(epoch))
		n := 0
		return enginetest.Target{
			Engine: s,
			Namespace: func() string {
				n++
				return fmt.Sprintf("ct%d", n)
			},
			Stack:     contractStack,
			Leftovers: s.leftovers,
			Limit:     time.Minute,
		}
	})
}

// contractStack is enginetest.Target.Stack's stack on the simulator.
func contractStack(ns string, env []string, extras bool) engine.Stack {
	nsLabel := map[string]string{engine.NamespaceLabel: ns}
	name := ns + "_app"
	sp := swarm.ServiceSpec{Annotations: swarm.Annotations{Name: name, Labels: nsLabel},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: "example/app:1", Env: env, Labels: nsLabel}},
		UpdateConfig: &swarm.UpdateConfig{Parallelism: 1, Monitor: 3 * time.Second}}
	st := engine.Stack{Namespace: ns, Services: map[string]swarm.ServiceSpec{name: sp}}
	if extras {
		st.Networks = map[string]network.CreateOptions{ns + "_default": {Driver: "overlay", Labels: nsLabel}}
		st.Secrets = []swarm.SecretSpec{{Annotations: swarm.Annotations{Name: ns + "_token", Labels: nsLabel}}}
		st.Configs = []swarm.ConfigSpec{{Annotations: swarm.Annotations{Name: ns + "_conf", Labels: nsLabel}}}
	}
	return st
}

// leftovers lists the services and the networks, secrets and configs of
// stack ns (Remove shuts a service's tasks down as it deletes it).
func (s *Sim) leftovers(_ context.Context, ns string) ([]string, error) {
	s.lock()
	defer s.unlock()
	var out []string
	for _, svc := range s.sortedServices() {
		if svc.spec.spec.Labels[engine.NamespaceLabel] == ns {
			out = append(out, "service "+svc.name)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.objects)) {
		if s.objects[key].namespace == ns {
			out = append(out, key)
		}
	}
	return out, nil
}
