// Command chaosrun runs Starlark scenarios that reproduce deploy problems on
// Docker Swarm, on a simulated swarm (the default) or a real one.
package main

import (
	"fmt"
	"os"
)

func main() {
	app := newApp(os.Stdout, os.Stderr)
	err := app.Run(permuteArgs(app, os.Args))
	if err != nil && !isSilent(err) {
		fmt.Fprintf(os.Stderr, "chaosrun: %v\n", err)
	}
	os.Exit(exitCode(err))
}
