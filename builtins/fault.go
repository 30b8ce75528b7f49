package builtins

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/engine"
)

func init() {
	for _, f := range []struct{ kind, args, summary, example string }{
		{engine.FaultUnhealthy, `service="app"`, "A fault for chaos_deploy/deploy: the new task's healthcheck never passes.",
			`chaos_deploy(app, faults = [fault.unhealthy()])`},
		{engine.FaultCrash, `service="app", after="0s"`, "A fault: the new task exits non-zero `after` it starts running.",
			`chaos_deploy(app, faults = [fault.crash(after = "3s")])`},
		{engine.FaultKill, `service="app", after="0s"`, "A fault: the new task's container is killed `after` it is running (on a real swarm, on the manager's node and on the nodes whose daemons CHAOSRUN_NODE_DAEMONS names).",
			`chaos_deploy(app, faults = [fault.kill()])`},
		{engine.FaultMemory, `size, after="0s"`, "A fault: memory pressure of `size` (\"1.5GiB\") on every simulated node, starting `after` the deploy; on a real swarm, on the daemon's own node (a service of the chaosrun-testapp:dev image holding it).",
			`chaos_deploy(app, faults = [fault.memory_pressure("2GiB")])`},
	} {
		register(Builtin{Name: "fault." + f.kind, Args: f.args, Fn: makeFault(f.kind), Summary: f.summary,
			Example: f.example, Engines: "sim, docker"})
	}
}

// faultValue is a fault for a service of the app being deployed.
type faultValue struct {
	service string // short name ("app"); "" for node-wide faults
	f       engine.Fault
}

// String is the call that makes the fault, with every parameter it takes.
func (f faultValue) String() string {
	switch f.f.Kind {
	case engine.FaultMemory:
		return fmt.Sprintf("fault.%s(size=%q, after=%q)", f.f.Kind, sizeText(f.f.Bytes), f.f.After)
	case engine.FaultUnhealthy:
		return fmt.Sprintf("fault.%s(service=%q)", f.f.Kind, f.service)
	}
	return fmt.Sprintf("fault.%s(service=%q, after=%q)", f.f.Kind, f.service, f.f.After)
}

// sizeText renders bytes in the largest binary unit that holds them
// exactly ("1536MiB"), as a size argument accepts it back.
func sizeText(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", n)
}
func (f faultValue) Type() string          { return "fault" }
func (f faultValue) Freeze()               {}
func (f faultValue) Truth() starlark.Bool  { return true }
func (f faultValue) Hash() (uint32, error) { return starlark.String(f.String()).Hash() }

func makeFault(kind string) Func {
	return func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		service := "app"
		var after Duration
		if kind == engine.FaultMemory {
			var size Size
			if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "size", &size, "after?", &after); err != nil {
				return nil, err
			}
			return faultValue{f: engine.Fault{Kind: kind, Bytes: int64(size), After: time.Duration(after)}}, nil
		}
		pairs := []any{"service?", &service}
		if kind != engine.FaultUnhealthy {
			pairs = append(pairs, "after?", &after)
		}
		if err := starlark.UnpackArgs(fn.Name(), args, kwargs, pairs...); err != nil {
			return nil, err
		}
		return faultValue{service: service, f: engine.Fault{Kind: kind, After: time.Duration(after)}}, nil
	}
}

// unpackFaults turns a list of fault values into engine.Stack.Faults, keyed
// by full service name ("" for node-wide faults).
func unpackFaults(fn *starlark.Builtin, namespace string, list *starlark.List) (map[string][]engine.Fault, error) {
	if list == nil || list.Len() == 0 {
		return nil, nil
	}
	out := map[string][]engine.Fault{}
	for i := 0; i < list.Len(); i++ {
		fv, ok := list.Index(i).(faultValue)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter faults: element %d is %s, want fault (from fault.*)", fn.Name(), i, list.Index(i).Type())
		}
		key := ""
		if fv.service != "" {
			key = namespace + "_" + fv.service
		}
		out[key] = append(out[key], fv.f)
	}
	return out, nil
}
