// Command chaosrun runs Starlark scenarios that reproduce deploy problems on
// Docker Swarm, on a simulated swarm (the default) or a real one.
package main

import (
	"fmt"
	"os"

	"github.com/coop-cloud/chaosrun/builtins"
)

func main() {
	app := newApp(newOutputWriter(os.Stdout), os.Stderr)
	err := app.Run(permuteArgs(app, os.Args))
	if err != nil && !isSilent(err) {
		fmt.Fprintf(os.Stderr, "chaosrun: %v\n", err)
	}
	exit(exitCode(err))
}

// exit ends the process with code after removing its temporary folder,
// whichever way the run ended.
func exit(code int) {
	builtins.RemoveTempFiles()
	os.Exit(code)
}
