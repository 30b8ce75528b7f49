package builtins

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/converge"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

// wait is the shared part of wait_converged and assert_converged. The
// verdict it returns has its task IDs replaced by the case's aliases, as
// in the transcript.
func wait(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (converge.Verdict, error) {
	var since starlark.Value = starlark.None
	var timeout Duration
	e, name, err := serviceName(thread, fn, args, kwargs, "since?", &since, "timeout?", &timeout)
	if err != nil {
		return converge.Verdict{}, err
	}
	c := interp.CaseOf(thread)
	opts := converge.Options{Timeout: time.Duration(timeout),
		Deployed: func() *swarm.ServiceSpec { return deployedOf(c).spec(thread, name) }}
	if timeout == 0 {
		if opts.Timeout, opts.TimeoutFrom, err = recipeTimeout(deployedOf(c), thread, name); err != nil {
			return converge.Verdict{}, fmt.Errorf("%s: %v", fn.Name(), err)
		}
	}
	if since != starlark.None {
		s, ok := since.(*goStruct)
		if !ok || s.Type() != serviceType {
			return converge.Verdict{}, fmt.Errorf("%s: for parameter since: got %s, want service (from inspect_service)", fn.Name(), since.Type())
		}
		svc := s.v.Interface().(swarm.Service)
		opts.Since = &svc
	}
	if p, ok := c.Value(progressKey).(Progress); ok {
		opts.Progress = func(v converge.Verdict) { p(thread.Name, v) }
	}
	verbose, _ := c.Value(verboseKey).(bool)
	opts.Event = func(ev engine.Event) { seeEvent(thread, c, ev, verbose) }
	v, err := converge.Wait(interp.Context(thread), e, name, opts)
	if err != nil {
		return v, fmt.Errorf("%s: %s: %w", fn.Name(), name, err)
	}
	v.Message, v.TaskError, v.Mismatch = scrubIDs(c, v.Message), scrubIDs(c, v.TaskError), scrubIDs(c, v.Mismatch)
	line := summary(v)
	if timeout != 0 || opts.Timeout != 0 {
		line += fmt.Sprintf(" (bound %s: %s)", interp.FormatOffset(v.Timeout), v.Reason)
	}
	c.Record(thread, "verdict", line, map[string]string{
		"service": v.Service, "state": v.State, "chaos-version": converge.ChaosVersion(v.Labels),
		"deployed": v.Deployed, "took": v.Took.String(), "update-took": v.UpdateTook.String(),
		"bound": v.Timeout.String(), "bound-from": v.Reason})
	return v, nil
}

// recipeTimeout is the deploy timeout the recipe sets for the stack of
// service, as abra waits for it: the coop-cloud.<stack>.timeout label (in
// seconds, from TIMEOUT in the recipes) on the spec of the stack's app
// service that this case deployed, else on service's own. It is 0 when no
// deployed spec carries one.
func recipeTimeout(d *deployed, thread *starlark.Thread, service string) (time.Duration, string, error) {
	spec := d.spec(thread, service)
	if spec == nil {
		return 0, "", nil
	}
	stack := spec.Labels[engine.NamespaceLabel]
	for _, s := range []*swarm.ServiceSpec{d.spec(thread, stack+"_"+recipe.AppService), spec} {
		if s == nil {
			continue
		}
		key := recipe.LabelKey(stack, "timeout")
		v, ok := s.Labels[key]
		if !ok || v == "" {
			continue
		}
		secs, err := strconv.Atoi(v)
		if err != nil || secs <= 0 || int64(secs) > int64(math.MaxInt64/time.Second) {
			if len(v) > 40 {
				v = v[:40] + "..."
			}
			return 0, "", fmt.Errorf("label %s=%q: want a number of seconds above 0", key, v)
		}
		return time.Duration(secs) * time.Second, fmt.Sprintf("the recipe's %s=%s", key, v), nil
	}
	return 0, "", nil
}

// summary is the transcript line of a verdict.
func summary(v converge.Verdict) string {
	s := fmt.Sprintf("%s %s", v.Service, v.State)
	if v.Message != "" {
		s += fmt.Sprintf(" %q", v.Message)
	}
	if cv := converge.ChaosVersion(v.Labels); cv != "" {
		s += " chaos-version=" + cv
	}
	if v.Mismatch != "" && v.Deployed != "" && v.Deployed != converge.ChaosVersion(v.Labels) {
		s += " (this deploy sent " + v.Deployed + ")"
	}
	return s + fmt.Sprintf(" after %s", interp.FormatOffset(v.Took))
}

// explain is the failure message of a verdict that is not converged.
func explain(v converge.Verdict) string {
	ctx := verdictContext(v)
	switch v.State {
	case string(swarm.UpdateStateRollbackCompleted), string(swarm.UpdateStateRollbackStarted):
		return fmt.Sprintf("service %s rolled back: %s%s", v.Service, v.Message, ctx)
	case string(swarm.UpdateStatePaused):
		return fmt.Sprintf("service %s update paused: %s%s", v.Service, v.Message, ctx)
	case string(swarm.UpdateStateRollbackPaused):
		return fmt.Sprintf("service %s rollback paused: %s%s", v.Service, v.Message, ctx)
	case converge.StateNotDeployed:
		v.Labels, v.Deployed = nil, "" // the mismatch says it
		return fmt.Sprintf("service %s does not run this deploy: %s%s", v.Service, v.Mismatch, verdictContext(v))
	case converge.StateUnstable:
		return fmt.Sprintf("service %s is unstable: %s%s", v.Service, v.Message, ctx)
	case converge.StateTimeout:
		return fmt.Sprintf("service %s did not converge within %s (timeout: %s): waiting for %s; %d of %d slots run an up-to-date task%s",
			v.Service, interp.FormatOffset(v.Timeout), v.Reason, v.Awaited, v.Running, v.Desired, ctx)
	}
	return fmt.Sprintf("service %s ended %s: %s%s", v.Service, v.State, v.Message, ctx)
}

// verdictContext is the parenthesis and tail of a failure message: the
// live and the deployed chaos-version, whether a rollback had finished,
// the update states seen, and the task error.
func verdictContext(v converge.Verdict) string {
	var parts []string
	live := converge.ChaosVersion(v.Labels)
	switch {
	case live != "" && v.Deployed != "" && v.Deployed != live:
		parts = append(parts, fmt.Sprintf("live spec chaos-version %s, this deploy sent %s", live, v.Deployed))
	case live != "":
		parts = append(parts, "live spec chaos-version "+live)
	}
	switch v.State {
	case string(swarm.UpdateStateRollbackStarted), string(swarm.UpdateStateRollbackCompleted), string(swarm.UpdateStateRollbackPaused):
		if v.RollbackFinished {
			parts = append(parts, "the rollback had finished")
		} else {
			parts = append(parts, "the rollback had not finished")
		}
	}
	if len(v.States) > 0 {
		parts = append(parts, "states "+strings.Join(v.States, " → "))
	}
	out := ""
	if len(parts) > 0 {
		out = " (" + strings.Join(parts, "; ") + ")"
	}
	if v.TaskError != "" {
		out += "; last task error: " + v.TaskError
	}
	return out
}

// verdictValue converts a verdict for scripts.
func verdictValue(v converge.Verdict) starlark.Value {
	states := make([]starlark.Value, len(v.States))
	for i, s := range v.States {
		states[i] = starlark.String(s)
	}
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"service":                starlark.String(v.Service),
		"state":                  starlark.String(v.State),
		"message":                starlark.String(v.Message),
		"converged":              starlark.Bool(v.Converged),
		"labels":                 stringDict(v.Labels),
		"chaos_version":          starlark.String(converge.ChaosVersion(v.Labels)),
		"deployed_chaos_version": starlark.String(v.Deployed),
		"mismatch":               starlark.String(v.Mismatch),
		"states":                 starlark.NewList(states),
		"rollback_finished":      starlark.Bool(v.RollbackFinished),
		"running":                starlark.MakeInt(v.Running),
		"desired":                starlark.MakeInt(v.Desired),
		"took":                   starlark.Float(v.Took.Seconds()),
		"awaited":                starlark.String(v.Awaited),
		"timeout":                starlark.Float(v.Timeout.Seconds()),
		"task_error":             starlark.String(v.TaskError),
		"update_took":            starlark.Float(v.UpdateTook.Seconds()),
	})
}
