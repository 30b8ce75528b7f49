package recipe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"strings"
)

// AbraSh is the recipe file whose export lines abra adds to an app's env
// before it loads the compose files: recipes keep the versions of their
// configs there (export TRAEFIK_YML_VERSION=v8), so that a changed config
// gets a new name.
const AbraSh = "abra.sh"

// abraShExport is an export line: `export NAME=VALUE`, leading blanks allowed.
var abraShExport = regexp.MustCompile(`^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)

// AbraShEnv reads the export lines of a recipe's abra.sh. abra reads the
// file line by line, not as a shell would, and takes each export line's
// NAME=VALUE [M: abra's envfile.ReadAbraShEnvVars and deploy's
// MergeAbraShEnv, as the team read them; abra's source is not at hand to
// check the details below]. chaosrun does the same: only lines of the form
// `export NAME=VALUE` count, wherever they are (inside a function too); the
// value runs to the end of the line, without a trailing ` # comment` and
// without one pair of surrounding quotes; `$` in it is not expanded.
// Other lines (functions, commands, comments) are ignored.
func AbraShEnv(data []byte) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, MaxEnvValue+1024)
	for n := 1; sc.Scan(); n++ {
		m := abraShExport.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		env[m[1]] = abraShValue(m[2])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", AbraSh, err)
	}
	return env, nil
}

// abraShValue is an export's value: a quoted one up to its closing quote,
// else up to a " #" comment, without surrounding blanks.
func abraShValue(v string) string {
	v = strings.TrimSpace(v)
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : 1+end]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// withAbraSh is the app as abra deploys it: its env with the export lines
// of the checkout's abra.sh, which win over the app env's values [M: that
// abra.sh wins]. An app whose recipe has no abra.sh is returned as it is.
func (a *App) withAbraSh() (*App, error) {
	data, err := a.Repo.ReadFile(AbraSh)
	if errors.Is(err, fs.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	exports, err := AbraShEnv(data)
	if err != nil || len(exports) == 0 {
		return a, err
	}
	da := *a
	da.Env = maps.Clone(a.Env)
	maps.Copy(da.Env, exports)
	return &da, nil
}
