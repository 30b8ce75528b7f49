package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/interp"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "parse and resolve scenarios without running them (exit 2 on a problem)",
		ArgsUsage: "FILE.star [FILE...]",
		Flags:     []cli.Flag{rootFlag("folder that load() may not leave")},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError(errors.New("check: no scenario file given"))
			}
			predeclared := builtins.Predeclared()
			bad := 0
			for _, path := range c.Args().Slice() {
				for _, err := range interp.Check(path, predeclared, c.String(flagRoot)) {
					fmt.Fprintln(c.App.ErrWriter, err)
					bad++
				}
			}
			if bad > 0 {
				return &exitError{code: exitUsage, silent: true}
			}
			return nil
		},
	}
}
