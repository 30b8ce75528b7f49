// Package builtins is chaosrun's scenario vocabulary. Each builtin is
// registered once, with its documentation, in a family file (assert.go,
// core.go, git.go, deploy.go, ...); the predeclared names of a scenario and
// the `chaosrun doc` reference are both generated from that registry.
//
// Builtins keep per-case state on the interp.Case of their thread, never in
// package globals.
package builtins

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// Func is the Go implementation of a builtin.
type Func = func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// Builtin is one registered name with its documentation.
type Builtin struct {
	// Name is the Starlark name: "sleep", or "assert.eq" for a member of the
	// module assert.
	Name string
	// Args is the parameter list as shown in docs: `fn, pattern=None`.
	Args string
	// Summary is one line; Detail is any number of paragraphs.
	Summary string
	Detail  string
	// Example is a short Starlark snippet.
	Example string
	// Engines says where it works: "any" (default: sim, docker and none),
	// or engines from sim, docker, none joined by ", ", optionally followed
	// by " (ignored with a warning elsewhere)". go test ./builtins runs the
	// Example on each engine to hold it to that (examples_test.go).
	Engines string
	// Family is the doc section of a top-level builtin (checkout with git,
	// chaos_deploy with deploy); a dotted name's is its module, and a
	// builtin with neither is in "core".
	Family string
	// Fn implements it; nil for names the interpreter itself provides
	// (print, vars), which are registered for their documentation only.
	Fn Func
	// Method says Name is "type.method", a method of a value (repo.write
	// of a git.repo): it is found by attribute lookup on the value, not
	// predeclared. The registry is the one list of a type's methods.
	Method bool
}

// Signature renders `name(args)`.
func (b Builtin) Signature() string {
	if b.Fn == nil && b.Args == "" && !strings.Contains(b.Name, ".") {
		return b.Name // a value, such as vars
	}
	return fmt.Sprintf("%s(%s)", b.Name, b.Args)
}

var registry = map[string]Builtin{}

// register adds builtins; a name registered twice is a programming error.
func register(bs ...Builtin) {
	for _, b := range bs {
		if _, dup := registry[b.Name]; dup {
			panic("builtins: " + b.Name + " registered twice")
		}
		if b.Summary == "" {
			panic("builtins: " + b.Name + " has no summary")
		}
		if b.Method && (b.Fn == nil || !strings.Contains(b.Name, ".")) {
			panic("builtins: method " + b.Name + " needs a type.method name and an Fn")
		}
		if b.Engines == "" {
			b.Engines = "any"
		}
		registry[b.Name] = b
	}
}

// All returns every registered builtin, sorted by name.
func All() []Builtin {
	out := make([]Builtin, 0, len(registry))
	for _, b := range registry {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the builtin with the given name.
func Lookup(name string) (Builtin, bool) {
	b, ok := registry[name]
	return b, ok
}

// methods returns the registered methods of a value type, keyed by method
// name: methods("repo") holds "write" for repo.write.
func methods(typ string) map[string]Builtin {
	out := map[string]Builtin{}
	for name, b := range registry {
		if t, m, ok := strings.Cut(name, "."); ok && b.Method && t == typ {
			out[m] = b
		}
	}
	return out
}

// Predeclared returns the names a scenario sees: top-level builtins, and a
// module value for each dotted family ("assert" holding assert.eq, ...).
func Predeclared() starlark.StringDict {
	d := starlark.StringDict{}
	modules := map[string]starlark.StringDict{}
	for _, b := range All() {
		if b.Fn == nil || b.Method {
			continue
		}
		if mod, member, ok := strings.Cut(b.Name, "."); ok {
			if modules[mod] == nil {
				modules[mod] = starlark.StringDict{}
			}
			modules[mod][member] = starlark.NewBuiltin(b.Name, b.Fn)
			continue
		}
		d[b.Name] = starlark.NewBuiltin(b.Name, b.Fn)
	}
	for name, members := range modules {
		d[name] = &starlarkstruct.Module{Name: name, Members: members}
	}
	d.Freeze()
	return d
}
