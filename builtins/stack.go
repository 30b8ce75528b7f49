package builtins

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

func init() {
	register(
		Builtin{Name: "coop.stack", Args: "app, chaos=True", Fn: coopStack,
			Summary: "Returns what a deploy of the app would send, without deploying: the converted stack as values.",
			Detail: `The checkout is read as it is now, through the same steps as chaos_deploy
(chaos=False: as deploy, which refuses a dirty tree): the app env, abra.sh,
COMPOSE_FILE overlays, docker/cli's loader and converter, abra's labels. The
result has name (the stack), version (the deploy version), services (a dict by
short service name of ServiceSpec values, shaped like
inspect_service(app, svc).Spec: Mode, UpdateConfig, RollbackConfig,
TaskTemplate.ContainerSpec.Image and .Healthcheck, Labels, ...), secrets and
configs (dicts of the compose name to the versioned name the swarm gets),
networks (the networks the deploy creates) and external_networks (those that
must exist). Nothing is deployed and no engine is needed.`,
			Example: `st = coop.stack(app)
uc = st.services["app"].UpdateConfig
print(uc.Order, uc.FailureAction, st.secrets["db_password"])`},
		Builtin{Name: "coop.recipes", Args: "folder", Fn: coopRecipes,
			Summary: "Lists the recipes in a folder: the names of its subfolders that hold a compose.yml, sorted.",
			Detail: `folder is relative to the scenario being run, as every path a script names is.
Hidden folders are left out.`,
			Example: `assert.true("discourse" in coop.recipes("examples/recipes"))`},
	)
}

// coopStack implements coop.stack(app, chaos=True).
func coopStack(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var appV starlark.Value
	chaos := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "app", &appV, "chaos?", &chaos); err != nil {
		return nil, err
	}
	a, err := unpackApp(fn, appV)
	if err != nil {
		return nil, err
	}
	d, err := a.Build(recipe.StackOptions{Chaos: chaos})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return stackValue(d), nil
}

// stackValue is a deploy as Starlark values (coop.stack's result).
func stackValue(d *recipe.Deploy) starlark.Value {
	st := d.Stack
	services := starlark.NewDict(len(st.Services))
	for _, full := range slices.Sorted(maps.Keys(st.Services)) {
		spec := st.Services[full]
		services.SetKey(starlark.String(strings.TrimPrefix(full, st.Namespace+"_")), newGoStruct(reflect.ValueOf(spec)))
	}
	secrets, configs := stringDict(d.SecretNames()), stringDict(d.ConfigNames())
	var nets []starlark.Value
	for _, n := range slices.Sorted(maps.Keys(st.Networks)) {
		nets = append(nets, starlark.String(n))
	}
	var external []starlark.Value
	for _, n := range slices.Sorted(slices.Values(st.ExternalNetworks)) {
		external = append(external, starlark.String(n))
	}
	services.Freeze()
	return starlarkstruct.FromStringDict(starlark.String("stack"), starlark.StringDict{
		"name": starlark.String(st.Namespace), "version": starlark.String(d.Version),
		"services": services, "secrets": secrets, "configs": configs,
		"networks": frozenList(nets), "external_networks": frozenList(external),
	})
}

func frozenList(vs []starlark.Value) *starlark.List {
	l := starlark.NewList(vs)
	l.Freeze()
	return l
}

// coopRecipes implements coop.recipes(folder).
func coopRecipes(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var folder string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "folder", &folder); err != nil {
		return nil, err
	}
	dir := interp.Path(thread, folder)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v%s", fn.Name(), scrubPath(err, dir, folder), interp.PathHint(thread, folder))
	}
	var names []starlark.Value
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if info, err := os.Stat(filepath.Join(dir, e.Name(), recipe.DefaultComposeFile)); err == nil && info.Mode().IsRegular() {
			names = append(names, starlark.String(e.Name()))
		}
	}
	return frozenList(names), nil
}
