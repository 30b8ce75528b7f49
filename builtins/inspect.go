package builtins

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "inspect_service", Engines: "sim, docker", Family: "swarm", Args: "app, service=\"app\"", Fn: inspectService,
			Summary: "Returns the service shaped like `docker service inspect`, with Docker's JSON field names.",
			Detail: `svc.Spec.Labels is a dict; svc.UpdateStatus and svc.PreviousSpec are None when swarm
reports none; times are RFC 3339 strings and durations nanoseconds. Nested
objects are read-only structs whose type() is Docker's type name
(ServiceSpec, UpdateStatus, ...), converted as they are read. Pass the
result as since= to wait_converged or assert_converged to wait for the update
that starts after it.`,
			Example: `chaos_deploy(app)
svc = inspect_service(app)
print(svc.Spec.Labels["coop-cloud.%s.chaos-version" % app.stack])`},
		Builtin{Name: "service_tasks", Engines: "sim, docker", Family: "swarm", Args: "app, service=\"app\", up_to_date=False", Fn: serviceTasks,
			Summary: "Lists the service's tasks (like `docker service ps`), newest first; up_to_date keeps only tasks of the current spec.",
			Example: `chaos_deploy(app)
assert_converged(app)
tasks = service_tasks(app, up_to_date = True)
assert.eq(tasks[0].Status.State, "running")`},
		Builtin{Name: "wait_converged", Engines: "sim, docker", Family: "swarm", Args: "app, service=\"app\", since=None, timeout=None", Fn: waitConverged,
			Summary: "Waits for the service's deploy to reach a verdict and returns it; never fails by itself.",
			Detail: `A deploy has converged only when the live spec is the one this thread's last
deploy of the service sent (its labels, chaos-version first, its image, env and
replicas), every slot runs an up-to-date task (zero slots need none), and no
such task fails or exits in the stability window (the update monitor) after
the update finished; see docs/verdicts.md. Any other ending is reported as soon
as it is certain: a rollback as it starts. The verdict has state: a converged
one is "created" (a new service, which has no UpdateStatus), "no_update" (the
deploy changed no task) or "completed" (swarm's update); the others are
swarm's "rollback_started", "rollback_completed", "rollback_paused" and
"paused", "not_deployed" (the live spec is not this deploy's), "unstable" (a
task of it failed after the update) and "timeout" (docs/verdicts.md has the
table). It also has message
(swarm's; after a rollback the one that said why), converged, labels (the live
spec's), chaos_version, deployed_chaos_version, mismatch (how the live spec
differs from the deployed one), states (the UpdateStatus states seen),
rollback_finished, running and desired, took (seconds on the engine's clock),
update_took (swarm's own CompletedAt minus StartedAt, in seconds), task_error,
awaited and timeout. Task IDs in it are the transcript's aliases (x1, x2...).
With since (an earlier inspect_service result) only an update that started
after it counts, so a status left over from an earlier deploy cannot pass for
this one. Without timeout the bound is the recipe's own deploy timeout, as abra
waits: the coop-cloud.<stack>.timeout label (seconds, from TIMEOUT in the
recipes) on the app service this case deployed; without that label it comes
from the service's own spec: healthcheck start period, interval × retries,
update delay and monitor per batch of slots, plus a margin. The verdict's
transcript line names a bound that did not come from the spec.`,
			Example: `chaos_deploy(app)
v = wait_converged(app)
assert.eq([v.state, v.converged, v.chaos_version], ["created", True, chaos_version(repo)])`},
		Builtin{Name: "assert_converged", Engines: "sim, docker", Family: "swarm", Args: "app, service=\"app\", since=None, timeout=None", Fn: assertConverged,
			Summary: "Fails the case unless the deploy converged: its spec is live, every slot runs it and none of its tasks failed after the update.",
			Detail: `Like wait_converged, but every verdict other than converged fails the case with a
message naming the service, the state, swarm's message, the live and the
deployed chaos-version, whether a rollback had finished, the states seen and
the last task error. It passes on the converged states only: "created" for a
new service, "no_update" for a redeploy that changes no task (once every slot
runs an up-to-date task) and "completed" for an update. Returns the verdict.`,
			Example: `chaos_deploy(app)
assert.eq(assert_converged(app).state, "created")  # a new service
before = inspect_service(app)
repo.write("compose.yml", repo.read("compose.yml").replace("start_period: 5m", "start_period: 20m"))
chaos_deploy(app)
assert.eq(assert_converged(app, since = before).state, "completed")  # this update`},
	)
}

// serviceType is the type of inspect_service's result: a goStruct of a
// swarm.Service, which since= accepts.
const serviceType = "service"

// serviceName is the full name of an app's service.
func serviceName(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, extra ...any) (engine.Engine, string, error) {
	var appV starlark.Value
	service := "app"
	pairs := append([]any{"app", &appV, "service?", &service}, extra...)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, pairs...); err != nil {
		return nil, "", err
	}
	a, e, err := appAndEngine(thread, fn, appV)
	if err != nil {
		return nil, "", err
	}
	name := a.app.StackName() + "_" + service
	touchService(interp.CaseOf(thread), name)
	return e, name, nil
}

func inspectService(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	e, name, err := serviceName(thread, fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	svc, err := e.Service(interp.Context(thread), name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	st := newGoStruct(reflect.ValueOf(svc))
	st.typeName = serviceType
	return st, nil
}

func serviceTasks(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	upToDate := false
	e, name, err := serviceName(thread, fn, args, kwargs, "up_to_date?", &upToDate)
	if err != nil {
		return nil, err
	}
	tasks, err := e.Tasks(interp.Context(thread), name, upToDate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return fromGo(tasks), nil
}

func waitConverged(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	v, err := wait(thread, fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	return verdictValue(v), nil
}

func assertConverged(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	v, err := wait(thread, fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if !v.Converged {
		return nil, interp.Failf("%s: %s", fn.Name(), explain(v))
	}
	return verdictValue(v), nil
}

const progressKey = "builtins.progress"

// Progress receives the state of a convergence wait after every check: the
// waiting thread's name and the verdict so far (State is the update state
// while in flight; Took and Timeout say how long against what bound).
type Progress func(thread string, v converge.Verdict)

// SetProgress makes p see every convergence wait of case c.
func SetProgress(c *interp.Case, p Progress) { c.SetValue(progressKey, p) }

const verboseKey = "builtins.verbose"

// SetVerbose makes convergence waits of case c record the engine events
// they see (task states, update states) in the transcript (-v).
func SetVerbose(c *interp.Case) { c.SetValue(verboseKey, true) }

// seeEvent gives the IDs of the tasks a convergence wait sees their
// aliases in order, so that the aliases are the same with and without -v,
// and with verbose records the event in the transcript.
func seeEvent(thread *starlark.Thread, c *interp.Case, ev engine.Event, verbose bool) {
	if ev.Type == "task" {
		aliasID(c, ev.ID)
	}
	if !verbose {
		return
	}
	var msg string
	switch ev.Type {
	case "task":
		msg = fmt.Sprintf("%s task %s %s (desired %s)", ev.Service, ev.ID, ev.Attributes["state"], ev.Attributes["desired"])
	default:
		msg = fmt.Sprintf("%s %s", ev.Service, ev.Action)
		for _, k := range slices.Sorted(maps.Keys(ev.Attributes)) {
			if strings.HasPrefix(k, "updatestate.") || strings.HasPrefix(k, "image.") {
				msg += fmt.Sprintf(" %s=%s", k, ev.Attributes[k])
			}
		}
	}
	c.Record(thread, "event", scrubIDs(c, msg), nil)
}
