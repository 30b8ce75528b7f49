package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// newApp builds the command line. Actions return errors; main maps them to
// exit codes in one place.
func newApp(stdout, stderr io.Writer) *cli.App {
	// The cli reads its --version flag and printer from package variables.
	cli.VersionFlag, cli.VersionPrinter = versionFlag, printVersion
	app := &cli.App{
		Name:      "chaosrun",
		Version:   releaseVersion(), // --help shows it; --version prints versionText
		Usage:     "run Starlark scenarios that reproduce deploy problems on Docker Swarm",
		UsageText: "chaosrun [flags] FILE.star [FILE...]\n   chaosrun COMMAND [flags] [args]",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     runFlags(),
		Action:    runAction,
		// A --var value may hold commas (--var recipes=a,b,c); every
		// repeatable flag is repeated, never comma-split.
		DisableSliceFlagSeparator: true,
		Commands: []*cli.Command{
			runCommand(),
			testCommand(),
			docCommand(),
			checkCommand(),
			exploreCommand(),
			replCommand(),
			simCommand(),
			cleanupCommand(),
		},
		EnableBashCompletion: true,
		ExitErrHandler:       func(*cli.Context, error) {}, // main decides how to exit
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError(fmt.Errorf("%v (see chaosrun --help)", err))
		},
	}
	return app
}
