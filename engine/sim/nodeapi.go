package sim

import (
	"context"
	"fmt"
	"maps"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

var _ engine.NodeAdmin = (*Sim)(nil)

// Nodes lists the simulated nodes as the Engine API shows them: the
// manager first, then in the order they were added.
func (s *Sim) Nodes(ctx context.Context) ([]swarm.Node, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	s.lock()
	defer s.unlock()
	if len(s.nodes) == 0 {
		s.ensureNodes() // the default node-1, which then stays
	}
	var managers, workers []swarm.Node
	for _, n := range s.nodes {
		out := swarm.Node{ID: n.id}
		out.Spec.Role = swarm.NodeRole(n.role)
		out.Spec.Availability = n.availability
		out.Spec.Labels = maps.Clone(n.labels)
		out.Description.Hostname = n.name
		out.Description.Platform = swarm.Platform{OS: "linux", Architecture: "x86_64"}
		out.Description.Resources = swarm.Resources{NanoCPUs: n.nanoCPUs, MemoryBytes: n.capacity}
		out.Description.Engine.Labels = maps.Clone(n.engineLabels)
		out.Status.State = swarm.NodeStateReady
		if n.down {
			out.Status.State, out.Status.Message = swarm.NodeStateDown, "heartbeat failure"
		}
		if n.role == "manager" {
			managers = append(managers, out)
		} else {
			workers = append(workers, out)
		}
	}
	return append(managers, workers...), nil
}

// SetNode is engine.NodeAdmin's: ref is a node's ID or name.
func (s *Sim) SetNode(ctx context.Context, ref, availability string, labels map[string]string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	s.lock()
	name := ""
	for _, n := range s.nodes {
		if n.id == ref || n.name == ref {
			name = n.name
		}
	}
	s.unlock()
	if name == "" {
		return fmt.Errorf("node %s: %w", ref, engine.ErrNotFound)
	}
	return s.UpdateNode(name, engine.NodeUpdate{Availability: availability, Labels: labels})
}
