package docker

import (
	"context"
	"fmt"
	"sort"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

var _ engine.NodeAdmin = (*Engine)(nil)

// Nodes lists the swarm's nodes: managers first, then by when they joined.
func (e *Engine) Nodes(ctx context.Context) ([]swarm.Node, error) {
	nodes, err := e.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := &nodes[i], &nodes[j]
		if (a.Spec.Role == swarm.NodeRoleManager) != (b.Spec.Role == swarm.NodeRoleManager) {
			return a.Spec.Role == swarm.NodeRoleManager
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	return nodes, nil
}

// SetNode is `docker node update --availability` and label changes, at
// the node's current version; the daemon resolves ref (an ID or an
// unambiguous hostname) and refuses in its own words.
func (e *Engine) SetNode(ctx context.Context, ref, availability string, labels map[string]string) error {
	n, _, err := e.cli.NodeInspectWithRaw(ctx, ref)
	if err != nil {
		return fmt.Errorf("node %s: %w", ref, err)
	}
	spec := n.Spec
	if availability != "" {
		spec.Availability = swarm.NodeAvailability(availability)
	}
	if labels != nil {
		spec.Labels = labels
	}
	if err := e.cli.NodeUpdate(ctx, n.ID, n.Version, spec); err != nil {
		return fmt.Errorf("update node %s: %w", ref, err)
	}
	return nil
}
