package serve

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/errdefs"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/sim"
)

// taskStates are the states a desired-state filter may name.
var taskStates = []string{"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting",
	"running", "complete", "shutdown", "failed", "rejected", "remove", "orphaned"}

// GetTasks lists tasks as dockerd does: its service filter takes IDs or
// names, its node filter IDs or hostnames, _up-to-date keeps the tasks
// whose spec matches their service's current one.
func (b swarmBackend) GetTasks(opts swarm.TaskListOptions) ([]swarm.Task, error) {
	f := opts.Filters
	if err := validate(f, taskFilters); err != nil {
		return nil, err
	}
	for _, st := range f.Get("desired-state") {
		if !oneOf(taskStates, strings.ToLower(st)) {
			return nil, badValue("desired-state", st)
		}
	}
	out := []swarm.Task{}
	err := b.do(false, func(s *sim.Sim) error {
		ctx := context.Background()
		services, err := s.ListServices(ctx)
		if err != nil {
			return err
		}
		nodes, err := s.Nodes(ctx)
		if err != nil {
			return err
		}
		wantServices, err := serviceIDs(s, f.Get("service"))
		if err != nil {
			return err
		}
		wantNodes := nodeIDs(nodes, f.Get("node"))
		upToDate := f.Contains("_up-to-date")
		for _, svc := range services {
			if len(wantServices) > 0 && !wantServices[svc.ID] {
				continue
			}
			tasks, err := s.Tasks(ctx, svc.Spec.Name, upToDate)
			if err != nil {
				return err
			}
			for _, t := range tasks {
				name := fmt.Sprintf("%s.%d", svc.Spec.Name, t.Slot)
				if t.Slot == 0 {
					name = svc.Spec.Name + "." + t.NodeID
				}
				// swarmkit matches a task's labels filter on its
				// service's labels (ServiceAnnotations).
				if common(f, name, t.ID, svc.Spec.Labels) && (len(wantNodes) == 0 || wantNodes[t.NodeID]) &&
					desiredIn(f.Get("desired-state"), t.DesiredState) && oneOf(f.Get("runtime"), "container") {
					out = append(out, t)
				}
			}
		}
		return nil
	})
	return out, err
}

func desiredIn(wanted []string, st swarm.TaskState) bool {
	for _, w := range wanted {
		if strings.EqualFold(w, string(st)) {
			return true
		}
	}
	return len(wanted) == 0
}

// serviceIDs resolves a service filter's names and IDs to IDs; a name no
// service has matches nothing, as on dockerd.
func serviceIDs(s *sim.Sim, refs []string) (map[string]bool, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	ids := map[string]bool{}
	for _, ref := range refs {
		svc, err := s.ServiceByRef(context.Background(), ref, false)
		if err != nil {
			ids["\x00none"] = true // keeps the filter from matching everything
			continue
		}
		ids[svc.ID] = true
	}
	return ids, nil
}

// nodeIDs resolves a node filter's hostnames and IDs to IDs.
func nodeIDs(nodes []swarm.Node, refs []string) map[string]bool {
	if len(refs) == 0 {
		return nil
	}
	ids := map[string]bool{"\x00none": true}
	for _, ref := range refs {
		for _, n := range nodes {
			if n.ID == ref || n.Description.Hostname == ref {
				ids[n.ID] = true
			}
		}
	}
	return ids
}

func (b swarmBackend) GetTask(id string) (swarm.Task, error) {
	var found *swarm.Task
	err := b.do(false, func(s *sim.Sim) error {
		tasks, err := s.AllTasks(context.Background())
		for i := range tasks {
			if tasks[i].ID == id || strings.HasPrefix(tasks[i].ID, id) && found == nil {
				found = &tasks[i]
			}
		}
		return err
	})
	if err != nil {
		return swarm.Task{}, err
	}
	if found == nil {
		return swarm.Task{}, errdefs.NotFound(fmt.Errorf("task %s not found", id))
	}
	return *found, nil
}

func (b swarmBackend) GetNodes(opts swarm.NodeListOptions) ([]swarm.Node, error) {
	f := opts.Filters
	if err := validate(f, nodeFilters); err != nil {
		return nil, err
	}
	var nodes []swarm.Node
	if err := b.do(false, func(s *sim.Sim) (err error) { nodes, err = s.Nodes(context.Background()); return }); err != nil {
		return nil, err
	}
	out := []swarm.Node{}
	for _, n := range nodes {
		if common(f, n.Description.Hostname, n.ID, n.Spec.Labels) && labelsMatch(f.Get("node.label"), n.Spec.Labels) &&
			oneOf(f.Get("role"), string(n.Spec.Role)) && oneOf(f.Get("membership"), "accepted") {
			out = append(out, n)
		}
	}
	return out, nil
}

func (b swarmBackend) GetNode(ref string) (swarm.Node, error) {
	nodes, err := b.GetNodes(swarm.NodeListOptions{})
	if err != nil {
		return swarm.Node{}, err
	}
	for _, n := range nodes {
		if n.ID == ref || n.Description.Hostname == ref {
			return n, nil
		}
	}
	for _, n := range nodes {
		if strings.HasPrefix(n.ID, ref) {
			return n, nil
		}
	}
	return swarm.Node{}, errdefs.NotFound(fmt.Errorf("node %s not found: %w", ref, engine.ErrNotFound))
}

// UpdateNode changes a node's availability and labels (`docker node
// update`); the version is not checked, and a role change is refused.
func (b swarmBackend) UpdateNode(ref string, _ uint64, spec swarm.NodeSpec) error {
	n, err := b.GetNode(ref)
	if err != nil {
		return err
	}
	if spec.Role != "" && spec.Role != n.Spec.Role {
		return errdefs.NotImplemented(fmt.Errorf("node %s: the simulator does not change a node's role", ref))
	}
	labels := spec.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return b.do(true, func(s *sim.Sim) error {
		return s.SetNode(context.Background(), n.ID, string(spec.Availability), labels)
	})
}

func (swarmBackend) RemoveNode(ref string, _ bool) error {
	return errdefs.NotImplemented(fmt.Errorf("node %s: the simulator does not remove nodes (sim serve's setup makes them)", ref))
}
