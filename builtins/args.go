package builtins

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/cut"
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
			return fmt.Errorf("got %s, want a duration like \"5s\", \"20m\" or \"1h30m\"", cut.Quote(string(v)))
		}
		*d = Duration(p)
		return nil
	case starlark.Int, starlark.Float:
		f, _ := starlark.AsFloat(v)
		switch {
		case math.IsNaN(f) || f < 0:
			return fmt.Errorf("got %s, want a duration that is not negative", cut.Raw(v.String()))
		case f*float64(time.Second) >= math.MaxInt64:
			return fmt.Errorf("%ss is out of range (at most 292 years)", cut.Raw(v.String()))
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

// callableArg checks the callable argument param of a builtin that
// unpacks its arguments itself, as those that pass the rest on to it do.
func callableArg(fn *starlark.Builtin, param string, v starlark.Value) (starlark.Callable, error) {
	var c Callable
	if err := c.Unpack(v); err != nil {
		return nil, fmt.Errorf("%s: for parameter %s: %v", fn.Name(), param, err)
	}
	return c.Callable, nil
}

// errorMessage is the message of an error raised by Starlark code, without
// its backtrace.
func errorMessage(err error) string {
	if ee, ok := err.(*starlark.EvalError); ok {
		return ee.Msg
	}
	return err.Error()
}

// Size is a builtin argument for a memory size: "512MiB", "1.5GiB", "2G"
// or a number of bytes.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   float64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}

// Unpack implements starlark.Unpacker.
func (s *Size) Unpack(v starlark.Value) error {
	if n, ok := v.(starlark.Int); ok {
		i, ok := n.Int64()
		switch {
		case n.Sign() < 0:
			return fmt.Errorf("got %s, want a size in bytes that is not negative", cut.Raw(n.String()))
		case !ok:
			return fmt.Errorf("%s is out of range (at most 8EiB)", cut.Raw(n.String()))
		}
		*s = Size(i)
		return nil
	}
	str, ok := starlark.AsString(v)
	if !ok {
		return fmt.Errorf("got %s, want a size like \"512MiB\" or \"1.5GiB\"", v.Type())
	}
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(str, u.suffix); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			switch {
			case err == nil && f*u.mult >= math.MaxInt64:
				return fmt.Errorf("%s is out of range (at most 8EiB)", cut.Quote(str))
			case err == nil && f >= 0: // NaN is neither
				*s = Size(f * u.mult)
				return nil
			}
		}
	}
	return fmt.Errorf("got %s, want a size like \"512MiB\" or \"1.5GiB\"", cut.Quote(str))
}
