package builtins

import (
	"fmt"
	"maps"
	"slices"

	"go.starlark.net/starlark"
)

// stringDict converts a map of strings (an env, labels) to a frozen dict
// with sorted keys.
func stringDict(m map[string]string) *starlark.Dict {
	d := starlark.NewDict(len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		d.SetKey(starlark.String(k), starlark.String(m[k]))
	}
	d.Freeze()
	return d
}

// stringMap converts a dict of strings to strings (an env, labels), nil
// for no dict.
func stringMap(fn *starlark.Builtin, param string, d *starlark.Dict) (map[string]string, error) {
	if d == nil {
		return nil, nil
	}
	out := make(map[string]string, d.Len())
	for _, kv := range d.Items() {
		k, kok := starlark.AsString(kv[0])
		v, vok := starlark.AsString(kv[1])
		if !kok || !vok {
			return nil, fmt.Errorf("%s: for parameter %s: got %s: %s, want string: string", fn.Name(), param, kv[0].Type(), kv[1].Type())
		}
		out[k] = v
	}
	return out, nil
}

// plural renders "1 service" or "3 services".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
