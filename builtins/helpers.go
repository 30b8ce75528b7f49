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

// plural renders "1 service" or "3 services".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
