package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/runner"
)

func cleanupCommand() *cli.Command {
	return &cli.Command{
		Name:  "cleanup",
		Usage: "list, then with --yes remove, what earlier runs left on the swarm of DOCKER_HOST",
		Description: "Finds services, secrets, configs and networks labelled chaosrun.run (left behind by\n" +
			"runs that were killed outright, or ran with --keep) and lists them by run, each marked\n" +
			"remove or keep with the reason; --yes removes those marked remove and waits until they\n" +
			"are gone. A run whose process still runs on this host is always kept; one from another\n" +
			"host (which cannot be checked from here) only goes with --include-other-hosts, and objects\n" +
			"with no owner labels (made by an older chaosrun) only with --include-unowned. Nothing\n" +
			"without the chaosrun.run label is touched.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Usage: "remove what is marked remove"},
			&cli.StringFlag{Name: "run", Aliases: []string{"run-id"}, Usage: "only the objects of the run `ID` (their chaosrun.run label, set by --run-id on a run)"},
			&cli.StringFlag{Name: "stack", Usage: "only the objects of the stack `NAME` (their com.docker.stack.namespace label)"},
			&cli.BoolFlag{Name: "include-other-hosts", Usage: "also remove objects of runs on other hosts, whose liveness cannot be checked from here"},
			&cli.BoolFlag{Name: "include-unowned", Usage: "also remove objects with no owner labels (made by a chaosrun from before them)"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError(fmt.Errorf("cleanup: no arguments expected, got %q; narrow it with --run ID or --stack NAME", c.Args().First()))
			}
			return runner.Cleanup(c.Context, c.App.Writer, runner.CleanupOptions{
				Yes: c.Bool("yes"), Run: c.String("run"), Stack: c.String("stack"),
				OtherHosts: c.Bool("include-other-hosts"), Unowned: c.Bool("include-unowned")})
		},
	}
}
