// Package pins holds blank imports of the modules chaosrun is built on, so
// `go mod tidy` keeps their pinned versions while the packages that use them
// are written. Remove an import once a real package imports the module.
package pins

import (
	_ "github.com/docker/cli/cli/compose/convert"
	_ "github.com/docker/cli/cli/compose/loader"
	_ "github.com/docker/docker/client"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/urfave/cli/v2"
	_ "go.starlark.net/repl"
	_ "go.starlark.net/starlark"
	_ "go.starlark.net/starlarkstruct"
)
