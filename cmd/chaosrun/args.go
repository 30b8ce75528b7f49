package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves flags that follow positional arguments in front of
// them, so `chaosrun x.star --seed 3` works like `chaosrun --seed 3 x.star`
// (urfave/cli v2 stops parsing flags at the first positional argument).
func permuteArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	head, rest, flags := args[:1], args[1:], app.Flags
	for cmds := app.Commands; len(rest) > 0; {
		i := slices.IndexFunc(cmds, func(c *cli.Command) bool { return c.HasName(rest[0]) })
		if i < 0 {
			break
		}
		n := len(head) + 1 // the command, then its subcommands (sim serve)
		head, rest, flags, cmds = args[:n], args[n:], cmds[i].Flags, cmds[i].Subcommands
	}
	takesValue := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var opts, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		opts = append(opts, a)
		if takesValue[name] && !strings.Contains(name, "=") && i+1 < len(rest) {
			opts = append(opts, rest[i+1])
			i++
		}
	}
	out := append(append([]string{}, head...), opts...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}
