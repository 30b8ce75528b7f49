package recipe

import (
	"errors"
	"fmt"
	"sort"

	"github.com/docker/cli/cli/compose/template"

	"github.com/coop-cloud/chaosrun/internal/confine"
)

// inCheckout returns the real path of rel, a file the recipe names (what
// says which: "compose file", "service app env_file"), which must resolve
// inside the recipe's checkout: a recipe is untrusted input, and a
// committed symlink to /etc/passwd or to another folder's compose file must
// be neither read nor deployed (README, Limits). The refusal names the file
// and where it points, cut like any echoed input, never what it holds.
func (a *App) inCheckout(what, rel string) (string, error) {
	p, err := confine.Within(a.Repo.Path(), rel, "the recipe's checkout")
	if e := (*confine.Error)(nil); errors.As(err, &e) {
		cut := *e
		cut.Path, cut.Link, cut.Target = echoRaw(e.Path), echoRaw(e.Link), echoRaw(e.Target)
		return "", fmt.Errorf("recipe %s: %s: %v", a.RecipeName(), what, &cut)
	}
	return p, err
}

// checkNamedFiles refuses the files a parsed compose file names outside
// the checkout, before docker/cli's loader reads them: every service's
// env_file and every config's and secret's file, interpolated from the app
// env as the loader interpolates them (a value that does not interpolate
// is left to the loader's error). They are relative to the checkout, the
// loader's working folder.
func (a *App) checkNamedFiles(dict map[string]any) error {
	mapping := func(k string) (string, bool) { v, ok := a.Env[k]; return v, ok }
	check := func(what string, v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		if sub, err := template.Substitute(s, mapping); err == nil {
			s = sub
		}
		_, err := a.inCheckout(what, s)
		return err
	}
	for _, svc := range sortedMaps(dict["services"]) {
		files := svc.m["env_file"]
		if list, ok := files.([]any); ok {
			for _, f := range list {
				if err := check("service "+svc.name+" env_file", f); err != nil {
					return err
				}
			}
		} else if err := check("service "+svc.name+" env_file", files); err != nil {
			return err
		}
	}
	for _, kind := range []string{"config", "secret"} {
		for _, obj := range sortedMaps(dict[kind+"s"]) {
			if err := check(kind+" "+obj.name+" file", obj.m["file"]); err != nil {
				return err
			}
		}
	}
	return nil
}

type namedMap struct {
	name string
	m    map[string]any
}

// sortedMaps lists the mapping entries of a compose section (services,
// configs, secrets) by name, so that the first refusal is always the same.
func sortedMaps(section any) []namedMap {
	sec, _ := section.(map[string]any)
	var out []namedMap
	for name, v := range sec {
		if m, ok := v.(map[string]any); ok {
			out = append(out, namedMap{name, m})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
