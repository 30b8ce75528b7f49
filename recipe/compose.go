package recipe

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/docker/cli/cli/compose/loader"
	"github.com/docker/cli/cli/compose/template"
	composetypes "github.com/docker/cli/cli/compose/types"

	"github.com/coop-cloud/chaosrun/cut"
)

// DefaultComposeFile is used when the env sets no COMPOSE_FILE.
const DefaultComposeFile = "compose.yml"

// Compose is an app's compose configuration, merged and interpolated.
type Compose struct {
	// Files are the compose files in merge order, relative to the checkout.
	Files []string
	// Config is what docker/cli's loader made of them.
	Config *composetypes.Config
	// Warnings from interpolation (unset variables), sorted, without duplicates.
	Warnings []string
}

// ComposeFiles lists the app's compose files relative to the checkout:
// COMPOSE_FILE split on ":" or compose.yml, each of which must exist [M for
// the details; [V] that cc-ci relies on COMPOSE_FILE=compose.yml:compose.ccci.yml],
// inside the checkout (inCheckout), so that reading it reads no other file.
func (a *App) ComposeFiles() ([]string, error) {
	if err := a.Repo.Sync(); err != nil {
		return nil, err
	}
	spec := a.Env["COMPOSE_FILE"]
	if spec == "" {
		spec = DefaultComposeFile
	}
	var files []string
	for _, f := range strings.Split(spec, ":") {
		if f == "" {
			continue
		}
		p, err := a.inCheckout("compose file", f)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("compose file %s does not exist in recipe %s", echoRaw(f), echoRaw(a.RecipeName()))
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("COMPOSE_FILE %s names no compose file", echo(spec))
	}
	return files, nil
}

// LoadCompose loads and merges the app's compose files with docker/cli's
// compose loader, the one `docker stack deploy` and abra use [V]. Variables
// are interpolated from the app env only (with STACK_NAME and DOMAIN),
// never from the process environment [M that abra does the same]. An unset
// variable without a default interpolates to "" with a warning, as docker
// compose does.
func (a *App) LoadCompose() (*Compose, error) {
	files, err := a.ComposeFiles()
	if err != nil {
		return nil, err
	}
	details := composetypes.ConfigDetails{WorkingDir: a.Repo.Path(), Environment: a.Env}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(a.Repo.Path(), f))
		if err != nil {
			return nil, err
		}
		dict, err := loader.ParseYAML(data)
		if err != nil {
			return nil, yamlError(f, err)
		}
		details.ConfigFiles = append(details.ConfigFiles,
			composetypes.ConfigFile{Filename: filepath.Join(a.Repo.Path(), f), Config: dict})
	}
	for _, cf := range details.ConfigFiles {
		if err := a.checkNamedFiles(cf.Config); err != nil {
			return nil, err
		}
	}
	warn := map[string]bool{}
	cfg, err := loader.Load(details, func(o *loader.Options) {
		o.Interpolate.Substitute = warnUnset(a.Env, warn)
	})
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), a.Repo.Path(), a.Repo.Shown())
		return nil, fmt.Errorf("compose files %s: %s", echoRaw(strings.Join(files, ", ")), cut.Text(msg))
	}
	c := &Compose{Files: files, Config: cfg}
	for w := range warn {
		c.Warnings = append(c.Warnings, w)
	}
	sort.Strings(c.Warnings)
	return c, nil
}

// plainRef matches $$ (an escaped dollar) or a variable reference without a
// default or required marker.
var plainRef = regexp.MustCompile(`\$\$|\$([_a-zA-Z][_a-zA-Z0-9]*)|\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}`)

// warnUnset wraps docker/cli's template.Substitute, recording a warning for
// each plain reference to a variable the env does not define.
func warnUnset(env map[string]string, warn map[string]bool) func(string, template.Mapping) (string, error) {
	return func(s string, m template.Mapping) (string, error) {
		for _, g := range plainRef.FindAllStringSubmatch(s, -1) {
			name := g[1] + g[2]
			if _, ok := env[name]; name != "" && !ok {
				warn[fmt.Sprintf("The %s variable is not set. Defaulting to a blank string.", echo(name))] = true
			}
		}
		return template.Substitute(s, m)
	}
}

var yamlLine = regexp.MustCompile(`(?:yaml: )?line (\d+): `)

// yamlError rewrites yaml.v3's "yaml: line N: msg" as "file:N: msg".
func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		line := msg[m[2]:m[3]]
		rest := strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "yaml: unmarshal errors:"))
		return fmt.Errorf("%s:%s: %s", echoRaw(file), line, cut.Text(rest))
	}
	return fmt.Errorf("%s: %s", echoRaw(file), cut.Text(msg))
}
