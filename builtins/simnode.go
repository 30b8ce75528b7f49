package builtins

import (
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/engine"
)

// The simulated swarm's nodes: what they are and what happens to them
// (docs/swarm-semantics.md §17).

const nodeEngines = "sim (ignored with a warning elsewhere)"

func init() {
	register(
		Builtin{Name: "sim.node", Args: "name, memory, cpus=16, role=None, labels={}, engine_labels={}", Fn: simNode, Engines: nodeEngines,
			Summary: "Adds a node to the simulated swarm; without any, one large node-1.",
			Detail: `memory ("4GiB") is what its containers can hold: when the tasks on a node use
more, the newest is OOM-killed (exit 137), which is how start-first's two
co-resident copies of a heavy app fail. cpus (a number, 0.5 allowed) and
memory are also what tasks' resource reservations are counted against. The
first node is the swarm's manager, later ones workers unless role says
otherwise. labels are the node's (node.labels.* in placement constraints and
spread preferences, as docker node update --label-add sets them);
engine_labels the daemon's (engine.labels.*). The node's hostname is its name.`,
			Example: `sim.node("db-1", memory = "8GiB", cpus = 4, labels = {"zone": "a"})`},
		Builtin{Name: "sim.node_update", Args: "name, availability=None, labels=None, engine_labels=None, role=None, cpus=None", Fn: simNodeUpdate, Engines: nodeEngines,
			Summary: "Changes a node as docker node update does: availability, labels, role; or its daemon's labels and CPUs.",
			Detail: `availability "drain" moves a replicated service's tasks off the node at once
and shuts a global service's task there down; "pause" keeps what runs there
but places nothing new; "active" lets the scheduler use it again (nothing
moves back by itself). Labels given replace the node's. A task whose node no
longer meets its service's constraints, or whose reservations no longer fit,
is rejected by swarm's constraint enforcer and replaced elsewhere. Tasks no
node fits stay pending with the scheduler's words ("no suitable node
(scheduling constraints not satisfied on 2 nodes)"), and an update waiting on
one stays updating: the verdict names it.`,
			Example: `sim.node_update("node-1", availability = "drain")`},
		Builtin{Name: "sim.node_down", Args: "name, after=\"0s\", duration=None", Fn: simNodeDown, Engines: nodeEngines,
			Summary: "Stops a node's daemon after a while, and brings it back after duration (None: never).",
			Detail: `Its containers stop and it reports nothing: its tasks keep the state they
last reported until the managers mark the node down, 8.5 to 16.5 s later
(missed heartbeats; drawn from the seed). Then a replicated service's tasks
there get replacements on other nodes after the restart delay, and a global
service's task is shut down. When the node comes back its agent reports the
old tasks shut down, and a global service gets a new task on it.`,
			Example: `sim.node_down("node-1", after = "30s", duration = "2m")`},
	)
}

func simNode(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var memory Size
	var cpus starlark.Value = starlark.MakeInt(16)
	var role starlark.Value = starlark.None
	var labels, engineLabels *starlark.Dict
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "memory", &memory, "cpus?", &cpus,
		"role?", &role, "labels?", &labels, "engine_labels?", &engineLabels); err != nil {
		return nil, err
	}
	if err := simBounds(fn, nil, map[string]Size{"memory": memory}); err != nil {
		return nil, err
	}
	u, err := nodeUpdate(fn, starlark.None, labels, engineLabels, role, cpus)
	if err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		s.AddNode(name, int64(memory))
		if err := s.UpdateNode(name, u); err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	return starlark.None, nil
}

func simNodeUpdate(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var avail, role, cpus starlark.Value = starlark.None, starlark.None, starlark.None
	var labels, engineLabels *starlark.Dict
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "availability?", &avail, "labels?", &labels,
		"engine_labels?", &engineLabels, "role?", &role, "cpus?", &cpus); err != nil {
		return nil, err
	}
	u, err := nodeUpdate(fn, avail, labels, engineLabels, role, cpus)
	if err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		if err := s.UpdateNode(name, u); err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	return starlark.None, nil
}

// nodeUpdate converts sim.node's and sim.node_update's arguments.
func nodeUpdate(fn *starlark.Builtin, avail starlark.Value, labels, engineLabels *starlark.Dict, role, cpus starlark.Value) (engine.NodeUpdate, error) {
	var u engine.NodeUpdate
	var err error
	if u.Availability, err = optString(fn, "availability", avail); err != nil {
		return u, err
	}
	if u.Role, err = optString(fn, "role", role); err != nil {
		return u, err
	}
	if u.Labels, err = stringMap(fn, "labels", labels); err != nil {
		return u, err
	}
	if u.EngineLabels, err = stringMap(fn, "engine_labels", engineLabels); err != nil {
		return u, err
	}
	if cpus != starlark.None {
		f, ok := starlark.AsFloat(cpus)
		if !ok || math.IsNaN(f) || f <= 0 || f > 1<<20 {
			return u, fmt.Errorf("%s: for parameter cpus: got %s, want a number of CPUs above 0", fn.Name(), cpus)
		}
		u.NanoCPUs = int64(math.Round(f * 1e9))
	}
	return u, nil
}

// optString is a string parameter that may be None ("").
func optString(fn *starlark.Builtin, param string, v starlark.Value) (string, error) {
	if v == starlark.None {
		return "", nil
	}
	s, ok := starlark.AsString(v)
	if !ok {
		return "", fmt.Errorf("%s: for parameter %s: got %s, want a string", fn.Name(), param, v.Type())
	}
	return s, nil
}

func simNodeDown(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var after Duration
	var duration starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "after?", &after, "duration?", &duration); err != nil {
		return nil, err
	}
	var d Duration
	if duration != starlark.None {
		if err := d.Unpack(duration); err != nil {
			return nil, fmt.Errorf("%s: for parameter duration: %v", fn.Name(), err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("%s: for parameter duration: %s: want more than 0 (None: the node never comes back)", fn.Name(), time.Duration(d))
		}
	}
	if err := simBounds(fn, map[string]Duration{"after": after, "duration": d}, nil); err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		if err := s.NodeDown(name, time.Duration(after), time.Duration(d)); err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	return starlark.None, nil
}
