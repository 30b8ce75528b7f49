package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/builtins"
)

func docCommand() *cli.Command {
	return &cli.Command{
		Name:      "doc",
		Usage:     "print the builtin reference (generated from the registry)",
		ArgsUsage: "[NAME or FAMILY]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "markdown", Usage: "print the Markdown reference committed as docs/builtins.md"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("markdown") {
				fmt.Fprint(c.App.Writer, builtins.Markdown())
				return nil
			}
			text, err := builtins.Text(c.Args().First())
			if err != nil {
				return usageError(fmt.Errorf("doc: %v", err))
			}
			fmt.Fprint(c.App.Writer, text)
			return nil
		},
	}
}
