package main

import (
	"fmt"
	"io"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/builtins"
)

// replHelpHint is what `help` alone shows, as Python's REPL does.
const replHelpHint = `type help() for every builtin, help("sim") for a family, help(sim.service) or help("sim.service") for one`

// withHelp returns predeclared with the REPL's own help added: help() lists
// every builtin, help(x) shows the reference of x (a builtin, a module, a
// value such as a git.repo or coop.app, or a name), and a function the
// session defined shows its docstring. It writes to out and returns None.
func withHelp(predeclared starlark.StringDict, out io.Writer) starlark.StringDict {
	d := starlark.StringDict{}
	for k, v := range predeclared {
		d[k] = v
	}
	d["help"] = helpValue{out: out}
	d.Freeze()
	return d
}

// helpValue is the REPL's help: callable, and shown as a hint when it is
// evaluated alone.
type helpValue struct{ out io.Writer }

var _ starlark.Callable = helpValue{}

func (h helpValue) String() string        { return replHelpHint }
func (h helpValue) Type() string          { return "builtin_function_or_method" }
func (h helpValue) Freeze()               {}
func (h helpValue) Truth() starlark.Bool  { return starlark.True }
func (h helpValue) Hash() (uint32, error) { return starlark.String("help").Hash() }
func (h helpValue) Name() string          { return "help" }

// CallInternal implements help(x=None).
func (h helpValue) CallInternal(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.None
	if err := starlark.UnpackArgs("help", args, kwargs, "x?", &x); err != nil {
		return nil, err
	}
	text, err := helpText(x)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(h.out, text)
	return starlark.None, nil
}

// helpText is the reference text help(x) prints.
func helpText(x starlark.Value) (string, error) {
	name := ""
	switch v := x.(type) {
	case starlark.NoneType:
	case starlark.String:
		name = string(v)
	case *starlark.Builtin:
		name = v.Name()
	case *starlarkstruct.Module:
		name = v.Name
	case *starlark.Function:
		doc := v.Doc()
		if doc == "" {
			doc = "(no docstring)"
		}
		return fmt.Sprintf("%s, defined at %s\n\n%s\n", v.Name(), v.Position(), doc), nil
	default:
		name = x.Type() // git.repo, coop.app: the builtin that makes one
		if _, ok := builtins.Lookup(name); !ok {
			return "", fmt.Errorf("help: no reference for a value of type %s (help() lists the builtins)", name)
		}
	}
	text, err := builtins.Text(name)
	if err != nil {
		return "", fmt.Errorf("help: %v", err)
	}
	if name == "" {
		text += replHelpHint + "\n"
	}
	return text, nil
}
