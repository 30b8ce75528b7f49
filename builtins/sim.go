package builtins

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "sim.host_load", Args: "min, max", Fn: simHostLoad, Engines: "sim (ignored with a warning elsewhere)",
			Summary: "Background memory use on each node, drawn once per run between min and max from the seed.",
			Detail:  `This is the "host load" that made the journal's rollback intermittent; chaosrun explore varies it across seeds.`,
			Example: `sim.host_load("0GiB", "1.5GiB")`},
		Builtin{Name: "sim.service", Args: "app, service=\"app\", boot=\"1s\", boot_jitter=\"0s\", memory=\"64MiB\", memory_jitter=0, memory_ramp=\"0s\", healthy=True, crash_after=None, exit_code=1, stop_exit_code=143", Fn: simService,
			Engines: "sim (ignored with a warning elsewhere)",
			Summary: "Sets how the simulated containers of one service behave, since the simulator cannot run the image.",
			Detail: `boot is the time from start until the app would answer its healthcheck (with
seeded jitter up to boot_jitter); memory its footprint (with seeded jitter),
reached in steps over memory_ramp (0: all at start); healthy=False makes every
health probe fail; crash_after makes the container exit with exit_code that
long after the task is running. stop_exit_code is the container's exit code
when it stops on SIGTERM, a shutdown or an unhealthy container (143 for a
shell that does not trap it; the test app exits 2). A stop waits 2s first
(docs/swarm-semantics.md §14). service must be one that the app's compose
files (as checked out now) define: any other name is refused, on every
engine, with the names they do define.`,
			Example: `sim.service(app, boot = "4m", boot_jitter = "1m", memory = "2GiB")`},
		Builtin{Name: "sim.network", Args: "name", Fn: simNetwork, Engines: "sim (ignored with a warning elsewhere)",
			Summary: "Creates a swarm-scoped overlay network outside any stack, as an operator does by hand.",
			Detail: `A stack that declares a network as external needs it to exist: the deploy
is refused otherwise, in docker's words (docs/refusals.md). The simulated
swarm starts as a Co-op Cloud server does, with the "proxy" network.`,
			Example: `sim.network("backups")`},
		Builtin{Name: "sim.remove_network", Args: "name", Fn: simRemoveNetwork, Engines: "sim (ignored with a warning elsewhere)",
			Summary: "Removes a network that no stack created, such as the simulated swarm's \"proxy\".",
			Detail:  `Deploying a recipe that joins it as external is then refused, as on a server without it.`,
			Example: `sim.remove_network("proxy")`},
		Builtin{Name: "sim.race", Args: "name, outcome", Fn: simRace, Engines: "sim (ignored with a warning elsewhere)",
			Summary: "Pins the outcome of a race a real swarm leaves to timing, which the simulator otherwise draws from the seed.",
			Detail: `"restart_rollback": when a task the updater created fails and the failure
triggers a rollback, "restart" (the restart supervisor runs first and builds
the replacement from the failed spec, about 4 runs in 5) or "rollback" (the
rollback restores the old spec first, so the slot is clean and the rollback
completes at once). "slot_order": the order an update takes its slots,
"random" or "ascending". "next_slot": when a new task fails while an update
still has slots to hand out, "failure" (the updater reads the failure first,
about 10 runs in 11) or "next_slot" (the worker moves on and the next slot
gets a new task before the failure is read, so a rollback touches two slots
with parallelism 1). "seed" draws the race from the seed again, the
default. See docs/swarm-semantics.md §15.`,
			Example: `sim.race("restart_rollback", "rollback")`},
	)
}

// simOf returns the case's engine as a Shaper, or nil (after a transcript
// warning) when the engine runs real containers or there is none
// (--engine none): simulator setup is ignored elsewhere, so one script
// runs on every engine.
func simOf(thread *starlark.Thread, fn *starlark.Builtin) engine.Shaper {
	c := interp.CaseOf(thread)
	e, _ := c.Value(engineKey).(engine.Engine)
	if e == nil {
		c.Record(thread, "warning", fn.Name()+" ignored: no swarm in this run (--engine none)", nil)
		return nil
	}
	s, ok := e.(engine.Shaper)
	if !ok {
		c.Record(thread, "warning", fn.Name()+" ignored on the "+e.Name()+" engine", nil)
	}
	return s
}

func simHostLoad(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var lo, hi Size
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "min", &lo, "max", &hi); err != nil {
		return nil, err
	}
	if hi < lo {
		return nil, fmt.Errorf("%s: max %d is below min %d", fn.Name(), hi, lo)
	}
	if err := simBounds(fn, nil, map[string]Size{"min": lo, "max": hi}); err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		s.SetHostLoad(int64(lo), int64(hi))
	}
	return starlark.None, nil
}

func simService(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var appV starlark.Value
	service := "app"
	boot, jitter := Duration(time.Second), Duration(0)
	memory, memJitter := Size(64<<20), Size(0)
	var ramp Duration
	healthy := true
	var crash starlark.Value = starlark.None
	exitCode, stopCode := 1, 143
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "app", &appV, "service?", &service, "boot?", &boot,
		"boot_jitter?", &jitter, "memory?", &memory, "memory_jitter?", &memJitter, "memory_ramp?", &ramp, "healthy?", &healthy,
		"crash_after?", &crash, "exit_code?", &exitCode, "stop_exit_code?", &stopCode); err != nil {
		return nil, err
	}
	a, err := unpackApp(fn, appV)
	if err != nil {
		return nil, err
	}
	if err := hasService(fn, a, service); err != nil {
		return nil, err
	}
	var crashAfter Duration
	if crash != starlark.None {
		if err := crashAfter.Unpack(crash); err != nil {
			return nil, fmt.Errorf("%s: for parameter crash_after: %v", fn.Name(), err)
		}
	}
	if err := simBounds(fn, map[string]Duration{"boot": boot, "boot_jitter": jitter, "memory_ramp": ramp, "crash_after": crashAfter},
		map[string]Size{"memory": memory, "memory_jitter": memJitter}); err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		s.SetBehaviour(a.app.StackName()+"_"+service, engine.Behaviour{
			Boot: time.Duration(boot), BootJitter: time.Duration(jitter),
			Memory: int64(memory), MemoryJitter: int64(memJitter), MemoryRamp: time.Duration(ramp),
			Unhealthy: !healthy, CrashAfter: time.Duration(crashAfter), ExitCode: exitCode, StopExitCode: stopCode,
		})
	}
	return starlark.None, nil
}

// hasService refuses a service name the app's compose files (as checked
// out now) do not define, naming those they do: a typo would otherwise set
// the behaviour of a service that never runs.
func hasService(fn *starlark.Builtin, a *App, service string) error {
	var names []string
	err := a.Repo().Do(func(*gitcache.Repo) (err error) { names, err = a.RecipeApp().ServiceNames(); return })
	if err != nil {
		return fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if slices.Contains(names, service) {
		return nil
	}
	return fmt.Errorf("%s: for parameter service: app %s has no service %q%s; its compose files define %s",
		fn.Name(), a.app.Domain, service, interp.Suggest(service, names), strings.Join(names, ", "))
}

func simNetwork(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return networkCall(thread, fn, args, kwargs, engine.Shaper.AddNetwork)
}

func simRemoveNetwork(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return networkCall(thread, fn, args, kwargs, engine.Shaper.RemoveNetwork)
}

// networkCall is sim.network and sim.remove_network: call on the named
// network.
func networkCall(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple,
	call func(engine.Shaper, string) error) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name); err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		if err := call(s, name); err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	return starlark.None, nil
}

func simRace(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, outcome string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "outcome", &outcome); err != nil {
		return nil, err
	}
	if s := simOf(thread, fn); s != nil {
		if err := s.SetRace(name, outcome); err != nil {
			return nil, fmt.Errorf("%s: %s", fn.Name(), cut.Text(err.Error()))
		}
	}
	return starlark.None, nil
}

// The simulator's bounds (README, Limits): each duration and size it is
// given stays far enough below the int64 limit that its sums and products (boot plus
// jitter, a memory ramp's steps, a node's memory plus every task's) cannot overflow.
const (
	simMaxDuration = 50 * 365 * 24 * time.Hour
	simMaxBytes    = 1 << 50
)

// simBounds refuses a duration or size beyond the simulator's bounds,
// naming its parameter.
func simBounds(fn *starlark.Builtin, ds map[string]Duration, ss map[string]Size) error {
	for _, name := range slices.Sorted(maps.Keys(ds)) {
		if d := time.Duration(ds[name]); d > simMaxDuration {
			return fmt.Errorf("%s: for parameter %s: %v is out of range for the simulator (at most 50 years)", fn.Name(), name, d)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ss)) {
		if n := ss[name]; n > simMaxBytes {
			return fmt.Errorf("%s: for parameter %s: %d bytes is out of range for the simulator (at most 1PiB)", fn.Name(), name, n)
		}
	}
	return nil
}
