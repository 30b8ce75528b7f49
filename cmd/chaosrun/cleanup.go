package main

import (
	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/runner"
)

func cleanupCommand() *cli.Command {
	return &cli.Command{
		Name:  "cleanup",
		Usage: "list, then with --yes remove, what earlier runs left on the swarm of DOCKER_HOST",
		Description: "Finds services, secrets, configs and networks labelled chaosrun.run (left behind by\n" +
			"runs that were killed outright) and lists them; --yes removes them and waits until\n" +
			"they are gone. Nothing without the chaosrun.run label is touched.",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "yes", Usage: "remove what is listed"}},
		Action: func(c *cli.Context) error {
			return runner.Cleanup(c.Context, c.App.Writer, c.Bool("yes"))
		},
	}
}
