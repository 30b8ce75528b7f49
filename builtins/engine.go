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

// onSimulator reports whether the thread's case runs on the simulator.
func onSimulator(thread *starlark.Thread) bool {
	e, _ := interp.CaseOf(thread).Value(engineKey).(engine.Engine)
	return e != nil && e.Name() == "sim"
}
