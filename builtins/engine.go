package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

const engineKey = "builtins.engine"

// Attach makes e the engine of case c and c's clock the engine's clock.
func Attach(c *interp.Case, e engine.Engine) {
	c.Clock = e.Clock()
	c.SetValue(engineKey, e)
}

// engineOf returns the engine of the thread's case.
func engineOf(thread *starlark.Thread, fn *starlark.Builtin) (engine.Engine, error) {
	e, _ := interp.CaseOf(thread).Value(engineKey).(engine.Engine)
	if e == nil {
		return nil, fmt.Errorf("%s: no swarm engine in this run", fn.Name())
	}
	return e, nil
}

// shaperOf returns the case's engine as a Shaper (the simulator, which is
// told what nodes and containers are like), or nil when the case has no
// engine or one that runs real containers.
func shaperOf(thread *starlark.Thread) engine.Shaper {
	s, _ := interp.CaseOf(thread).Value(engineKey).(engine.Shaper)
	return s
}
