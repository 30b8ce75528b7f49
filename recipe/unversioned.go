package recipe

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Unversioned warns about each secret and config of the deploy whose name
// ends with "_": the mark of a name like ${STACK_NAME}_db_password_${...}
// whose version variable is unset. Swarm refuses to change a secret's or a
// config's data, so abra's recipes version their names; an unversioned one
// cannot be replaced by the next deploy, and a secret named so is not the
// one `abra app secret generate` made.
func (d *Deploy) Unversioned() []string {
	var out []string
	cfg := d.Compose.Config
	for _, local := range slices.Sorted(maps.Keys(cfg.Secrets)) {
		if name := cfg.Secrets[local].Name; strings.HasSuffix(name, "_") {
			out = append(out, fmt.Sprintf("secret %s is named %s, with no version: is %s set (in the app env or .env.sample)?",
				local, echo(name), SecretVersionKey(local)))
		}
	}
	for _, local := range slices.Sorted(maps.Keys(cfg.Configs)) {
		if name := cfg.Configs[local].Name; strings.HasSuffix(name, "_") {
			out = append(out, fmt.Sprintf("config %s is named %s, with no version: is its version variable set (in abra.sh or the app env)? "+
				"A changed config under the same name would be refused", local, echo(name)))
		}
	}
	return out
}

// SecretNames maps each secret the compose files declare to the name the
// swarm gets (its local name when it sets none).
func (d *Deploy) SecretNames() map[string]string {
	out := map[string]string{}
	for local, s := range d.Compose.Config.Secrets {
		out[local] = cmp.Or(s.Name, local)
	}
	return out
}

// ConfigNames is SecretNames for configs.
func (d *Deploy) ConfigNames() map[string]string {
	out := map[string]string{}
	for local, c := range d.Compose.Config.Configs {
		out[local] = cmp.Or(c.Name, local)
	}
	return out
}
