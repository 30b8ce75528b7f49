package builtins

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

func init() {
	register(
		Builtin{Name: "coop.abra_app", Args: "env_file, recipe, env=None", Fn: abraApp,
			Summary: "Returns the coop.app of an operator's abra app env file, ~/.abra/servers/<server>/<domain>.env.",
			Detail: `The domain is the file's name without .env; the env is the file (abra's app env,
copied from the recipe's .env.sample at abra app new and edited since), with
the env dict over it; the recipe's own .env.sample is not read again. A path
starting with ~/ is in the home folder; another relative path is relative to
the scenario. So a scenario replays a real app's configuration:
coop.abra_app("~/.abra/servers/example.com/forum.example.com.env", recipe = repo).`,
			Example: `# a copy of an operator's ~/.abra/servers/example.com/forum.example.com.env
forum = coop.abra_app("servers/example.com/forum.example.com.env", recipe = repo)
assert.eq(forum.domain, "forum.example.com")`},
		Builtin{Name: "coop.app", Args: "domain, recipe, env=None, env_file=None, sample=True", Fn: coopApp,
			Summary: "Returns a coop.app: the recipe checkout deployed under domain with an abra-style env.",
			Detail: `The env is layered as an operator's is: env_file (an abra .env file: KEY=VALUE
lines, # comments, quotes, $VAR references to earlier keys), else the
checkout's .env.sample when it has one (what abra app new copies; sample=False
leaves it out), then the env dict over it.
DOMAIN is set to domain unless env sets it. The stack name is STACK_NAME from
the env, else the domain with dots replaced by underscores, cut to 45
characters. The recipe name is RECIPE or TYPE from the env (without a
:version), else the checkout's folder name. At each deploy the export lines
of the checkout's abra.sh (export NAME=VALUE) join the env, over its values,
before the compose files are read, as abra does: recipes keep their config
versions there.

A coop.app has the attributes domain, stack, recipe (the git.repo),
recipe_name and env (a frozen dict).`,
			Example: `app = coop.app("discourse.example.com", recipe = repo,
               env = {"COMPOSE_FILE": "compose.yml:compose.ccci.yml"})
assert.eq(app.stack, "discourse_example_com")`},
	)
}

// App is the Starlark value of an app (coop.app).
type App struct {
	app  *recipe.App
	repo *Repo
	env  *starlark.Dict
}

var _ starlark.HasAttrs = (*App)(nil)

// RecipeApp is the app; use Repo().Do to hold the checkout's lock while
// reading it (App.Build reads the checkout).
func (a *App) RecipeApp() *recipe.App { return a.app }

// Build runs recipe.App.Build with the checkout's lock held, and with the
// checkout's path in an error (abra's dirty-tree refusal names it) replaced
// by the name the script knows it by, so no temporary path is printed.
func (a *App) Build(opts recipe.StackOptions) (*recipe.Deploy, error) {
	var d *recipe.Deploy
	err := a.repo.Do(func(*gitcache.Repo) (err error) { d, err = a.app.Build(opts); return })
	return d, err
}

// Repo is the app's recipe checkout.
func (a *App) Repo() *Repo { return a.repo }

func (a *App) String() string        { return fmt.Sprintf("<coop.app %s>", a.app.Domain) }
func (a *App) Type() string          { return "coop.app" }
func (a *App) Freeze()               { a.env.Freeze() }
func (a *App) Truth() starlark.Bool  { return starlark.True }
func (a *App) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: coop.app") }

// Attr implements starlark.HasAttrs.
func (a *App) Attr(name string) (starlark.Value, error) {
	switch name {
	case "domain":
		return starlark.String(a.app.Domain), nil
	case "stack":
		return starlark.String(a.app.StackName()), nil
	case "recipe":
		return a.repo, nil
	case "recipe_name":
		return starlark.String(a.app.RecipeName()), nil
	case "env":
		return a.env, nil
	}
	return nil, nil
}

// AttrNames implements starlark.HasAttrs.
func (a *App) AttrNames() []string {
	return []string{"domain", "env", "recipe", "recipe_name", "stack"}
}

// coopApp implements coop.app(domain, recipe, env=None, env_file=None, sample=True).
func coopApp(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var domain, envFile string
	var repo repoArg
	var env *starlark.Dict
	sample := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "domain", &domain, "recipe", &repo,
		"env??", &env, "env_file??", &envFile, "sample?", &sample); err != nil {
		return nil, err
	}
	return newApp(thread, fn, domain, repo, env, envFile, sample)
}

// abraApp implements coop.abra_app(env_file, recipe, env=None): an app from
// an operator's app env file, named <domain>.env as abra keeps them under
// ~/.abra/servers/<server>/.
func abraApp(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var envFile string
	var repo repoArg
	var env *starlark.Dict
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "env_file", &envFile, "recipe", &repo, "env??", &env); err != nil {
		return nil, err
	}
	domain, ok := strings.CutSuffix(filepath.Base(envFile), ".env")
	if !ok || domain == "" {
		return nil, fmt.Errorf("%s: %s: want an app env file named <domain>.env, as abra keeps them", fn.Name(), envFile)
	}
	if rest, ok := strings.CutPrefix(envFile, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
		envFile = filepath.Join(home, rest)
	}
	return newApp(thread, fn, domain, repo, env, envFile, false)
}

// newApp is coop.app's result for its arguments.
func newApp(thread *starlark.Thread, fn *starlark.Builtin, domain string, repo repoArg, env *starlark.Dict, envFile string, sample bool) (starlark.Value, error) {
	if domain == "" {
		return nil, fmt.Errorf("%s: empty domain", fn.Name())
	}
	values, mods, err := appEnv(thread, fn, repo.Repo, env, envFile, sample)
	if err != nil {
		return nil, err
	}
	if env == nil || !hasKey(env, "DOMAIN") {
		values["DOMAIN"] = domain
	}
	a, err := recipe.NewApp(domain, repo.repo, values)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	a.Modifiers = mods
	v := &App{app: a, repo: repo.Repo, env: stringDict(a.Env)}
	interp.CaseOf(thread).Record(thread, "app", fmt.Sprintf("%s stack %s recipe %s", domain, a.StackName(), a.RecipeName()), nil)
	return v, nil
}

// appEnv builds an app's env as an operator's is layered: env_file, else
// the checkout's .env.sample (unless sample is false), overlaid with env.
func appEnv(thread *starlark.Thread, fn *starlark.Builtin, repo *Repo, env *starlark.Dict, envFile string, sample bool) (map[string]string, map[string]map[string]string, error) {
	values := map[string]string{}
	var mods map[string]map[string]string
	var file *recipe.EnvFile
	var err error
	switch {
	case envFile != "":
		resolved := interp.Path(thread, envFile)
		file, err = recipe.ReadEnvFile(resolved)
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w%s", err, interp.PathHint(thread, envFile))
		}
		err = scrubPath(err, resolved, envFile)
	case sample:
		err = repo.Do(func(r *gitcache.Repo) error {
			data, rerr := r.ReadFile(".env.sample")
			if errors.Is(rerr, fs.ErrNotExist) {
				return nil
			}
			if rerr == nil {
				file, rerr = recipe.ParseEnv(".env.sample", data)
			}
			return rerr
		})
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if file != nil {
		for k, v := range file.Values {
			values[k] = v
		}
		mods = file.Modifiers
	}
	overrides, err := stringMap(fn, "env", env)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(values, overrides)
	return values, mods, nil
}

// hasKey reports whether a dict has the string key k.
func hasKey(d *starlark.Dict, k string) bool {
	_, found, _ := d.Get(starlark.String(k))
	return found
}
