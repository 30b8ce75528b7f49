package builtins

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"
)

// Duration is a builtin argument that accepts "5s", "20m", "1h30m" (Go
// duration syntax) or a number of seconds.
type Duration time.Duration

var _ starlark.Unpacker = (*Duration)(nil)

// Unpack implements starlark.Unpacker.
func (d *Duration) Unpack(v starlark.Value) error {
	switch v := v.(type) {
	case starlark.String:
		p, err := time.ParseDuration(string(v))
		if err != nil || p < 0 {
			return fmt.Errorf("got %s, want a duration like \"5s\", \"20m\" or \"1h30m\"", v.String())
		}
		*d = Duration(p)
		return nil
	case starlark.Int, starlark.Float:
		f, _ := starlark.AsFloat(v)
		if f < 0 {
			return fmt.Errorf("got %s, want a duration that is not negative", v.String())
		}
		*d = Duration(time.Duration(f * float64(time.Second)))
		return nil
	}
	return fmt.Errorf("got %s, want a duration like \"5s\"", v.Type())
}

// Callable is a builtin argument that must be callable.
type Callable struct{ starlark.Callable }

// Unpack implements starlark.Unpacker.
func (c *Callable) Unpack(v starlark.Value) error {
	fn, ok := v.(starlark.Callable)
	if !ok {
		return fmt.Errorf("got %s, want callable", v.Type())
	}
	c.Callable = fn
	return nil
}

// errorMessage is the message of an error raised by Starlark code, without
// its backtrace.
func errorMessage(err error) string {
	if ee, ok := err.(*starlark.EvalError); ok {
		return ee.Msg
	}
	return err.Error()
}
