package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

// The swarm's nodes on either engine: what `docker node ls` and `docker
// node update` see and do (docs/swarm-semantics.md §17).

func init() {
	register(
		Builtin{Name: "nodes", Engines: "sim, docker", Family: "swarm", Fn: listNodes,
			Summary: "Lists the swarm's nodes like `docker node inspect`, managers first, with Docker's JSON field names.",
			Detail: `Each node has ID, Spec (Role, Availability, Labels), Description (Hostname,
Engine.Labels, Resources) and Status.State ("ready", "down"). A task's NodeID
(service_tasks) names its node. On the simulator, nodes() before any sim.node
shows (and keeps) the default node-1.`,
			Example: `zones = {n.ID: n.Spec.Labels.get("zone", "") for n in nodes()}`},
		Builtin{Name: "node_update", Engines: "sim, docker", Family: "swarm", Args: "node, availability=None, labels=None", Fn: nodeUpdateFn,
			Summary: "Changes a node as `docker node update` does: availability (\"active\", \"pause\", \"drain\") and labels (a dict that replaces them).",
			Detail: `node is an ID (from nodes()) or a hostname that names one node. On a real swarm
this changes a real node: restore what you change with defer. What a change
does to tasks is swarm's (sim.node_update describes it); sim.node_update also
sets what only the simulator can change (engine labels, CPUs, role).`,
			Example: `chaos_deploy(app)
node = nodes()[0].ID
node_update(node, availability = "drain")
defer(node_update, node, availability = "active")`},
	)
}

// nodeAdmin is the case's engine as an engine.NodeAdmin.
func nodeAdmin(thread *starlark.Thread, fn *starlark.Builtin) (engine.NodeAdmin, error) {
	e, err := engineOf(thread, fn)
	if err != nil {
		return nil, err
	}
	a, ok := e.(engine.NodeAdmin)
	if !ok {
		return nil, fmt.Errorf("%s: the %s engine has no nodes to list or change", fn.Name(), e.Name())
	}
	return a, nil
}

func listNodes(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	a, err := nodeAdmin(thread, fn)
	if err != nil {
		return nil, err
	}
	list, err := a.Nodes(interp.Context(thread))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return fromGo(list), nil
}

func nodeUpdateFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ref string
	var avail starlark.Value = starlark.None
	var labels *starlark.Dict
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "node", &ref, "availability?", &avail, "labels?", &labels); err != nil {
		return nil, err
	}
	u, err := nodeUpdate(fn, avail, labels, nil, starlark.None, starlark.None)
	if err != nil {
		return nil, err
	}
	switch u.Availability {
	case "", "active", "pause", "drain":
	default:
		return nil, fmt.Errorf("%s: for parameter availability: %q: want active, pause or drain", fn.Name(), u.Availability)
	}
	a, err := nodeAdmin(thread, fn)
	if err != nil {
		return nil, err
	}
	interp.CaseOf(thread).Record(thread, "node", fmt.Sprintf("update %s%s%s", ref, kv(" availability", u.Availability), labelsText(u.Labels)), nil)
	if err := a.SetNode(interp.Context(thread), ref, u.Availability, u.Labels); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return starlark.None, nil
}

func kv(k, v string) string {
	if v == "" {
		return ""
	}
	return k + "=" + v
}

func labelsText(l map[string]string) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf(" labels=%v", l)
}
