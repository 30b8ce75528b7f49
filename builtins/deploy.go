package builtins

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

func init() {
	register(
		Builtin{Name: "chaos_deploy", Engines: "sim, docker", Family: "deploy", Args: "app, faults=[], generate_secrets=True", Fn: chaosDeploy,
			Summary: "Deploys the app's recipe checkout as it is, exactly as `abra app deploy --chaos` would.",
			Detail: `Loads COMPOSE_FILE through docker/cli's compose loader, stamps abra's labels on the
app service (coop-cloud.<stack>.recipe, .chaos = "true", .chaos-version = the
checkout's chaos version, .version kept from the recipe), creates missing
secrets with random values (generate_secrets=False fails like abra: "secret not
generated: <name>") and deploys the stack like ` + "`docker stack deploy`" + `. faults
(see fault.*) make the new tasks of this deploy fail; a deploy that starts no
task of a service (a no-op or label-only redeploy) drops that service's task
faults with a warning, since nothing new would run them. Secret values never
appear in the transcript. It returns once swarm has the stack, without waiting
for it (see assert_converged), a struct with: stack (the stack's name), chaos
(True), chaos_version (the chaos-version label stamped: HEAD's first 8 hex
digits, +U when the tree is dirty) and version (the version abra reports
taking, which for a chaos deploy is the chaos version too).`,
			Example: `checkout(repo, "0.7.0+3.3.1")
d = chaos_deploy(app)
assert.eq(d.chaos_version, chaos_version(repo))`},
		Builtin{Name: "deploy", Engines: "sim, docker", Family: "deploy", Args: "app, faults=[], generate_secrets=True", Fn: plainDeploy,
			Summary: "Deploys the app like `abra app deploy` without --chaos: refuses a dirty checkout.",
			Detail: `Stamps .chaos = "false" and .version = the deploy version (the tag at HEAD, else
the short commit). A checkout with local changes or untracked files is refused
with abra's message ("has locally unstaged changes"). Returns the struct
chaos_deploy returns, with chaos False, chaos_version "" (no chaos-version
label is stamped) and version the deploy version.`,
			Example: `deploy(app)`},
		Builtin{Name: "remove", Engines: "sim, docker", Family: "deploy", Args: "app", Fn: removeApp,
			Summary: "Removes the app's stack (services, networks, the secrets it created) and waits until it is gone.",
			Example: `chaos_deploy(app)
defer(remove, app)`},
	)
}

// unpackApp unpacks an app argument (a coop.app). Builtins unpack it after
// their other arguments, as a starlark.Value, so that the message names
// the parameter the same way however it was passed.
func unpackApp(fn *starlark.Builtin, v starlark.Value) (*App, error) {
	if a, ok := v.(*App); ok {
		return a, nil
	}
	return nil, fmt.Errorf("%s: for parameter app: got %s, want app (from coop.app)", fn.Name(), v.Type())
}

// appAndEngine unpacks the app argument and finds the case's engine.
func appAndEngine(thread *starlark.Thread, fn *starlark.Builtin, appV starlark.Value) (*App, engine.Engine, error) {
	a, err := unpackApp(fn, appV)
	if err != nil {
		return nil, nil, err
	}
	e, err := engineOf(thread, fn)
	return a, e, err
}

func chaosDeploy(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return deployApp(thread, fn, args, kwargs, true)
}

func plainDeploy(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return deployApp(thread, fn, args, kwargs, false)
}

// deployApp is chaos_deploy and deploy.
func deployApp(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, chaos bool) (starlark.Value, error) {
	var appV starlark.Value
	var faults *starlark.List
	generate := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "app", &appV, "faults?", &faults, "generate_secrets?", &generate); err != nil {
		return nil, err
	}
	a, e, err := appAndEngine(thread, fn, appV)
	if err != nil {
		return nil, err
	}
	ctx := interp.Context(thread)
	if !chaos {
		if err := ensure(thread, a); err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
	}
	d, err := a.Build(recipe.StackOptions{Chaos: chaos})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	c := interp.CaseOf(thread)
	c.Record(thread, "version", versionMessage(chaos, d.Version), nil)
	for _, w := range slices.Concat(d.Compose.Warnings, d.Unversioned()) {
		c.Record(thread, "warning", w, nil)
	}
	if d.Stack.Faults, err = unpackFaults(fn, d.Stack.Namespace, faults); err != nil {
		return nil, err
	}
	dropIdleFaults(thread, c, &d.Stack)
	generated, err := addSecrets(ctx, e, &d.Stack, d.Secrets, generate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	touchService(c, slices.Sorted(maps.Keys(d.Stack.Services))...)
	if err := e.Deploy(ctx, d.Stack); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", fn.Name(), d.Stack.Namespace, err)
	}
	deployedOf(c).record(thread, d.Stack.Services)
	labels := d.Stack.Services[d.Stack.Namespace+"_"+recipe.AppService].Labels
	chaosVersion := labels[recipe.LabelKey(d.Stack.Namespace, "chaos-version")]
	c.Record(thread, "deploy", deployMessage(d, chaos, chaosVersion, labels, generated), map[string]string{
		"stack": d.Stack.Namespace, "chaos": fmt.Sprint(chaos), "chaos-version": chaosVersion,
		"version": labels[recipe.LabelKey(d.Stack.Namespace, "version")]})
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"stack": starlark.String(d.Stack.Namespace), "version": starlark.String(d.Version),
		"chaos_version": starlark.String(chaosVersion), "chaos": starlark.Bool(chaos),
	}), nil
}

// dropIdleFaults removes, with a transcript warning, the task faults of a
// service that this deploy starts no task of (a no-op or label-only
// redeploy): swarm starts no new task for them to act on. Node-wide
// memory pressure stays.
func dropIdleFaults(thread *starlark.Thread, c *interp.Case, st *engine.Stack) {
	for _, name := range slices.Sorted(maps.Keys(st.Faults)) {
		if name == "" || !deployedOf(c).changesNoTask(name, st.Services[name]) {
			continue
		}
		var kept []engine.Fault
		for _, f := range st.Faults[name] {
			if f.Kind == engine.FaultMemory {
				kept = append(kept, f)
				continue
			}
			c.Record(thread, "warning", fmt.Sprintf("fault %s on %s ignored: this deploy changes no task of %s "+
				"(a no-op or label-only redeploy), so no new task starts for it to act on", f.Kind,
				strings.TrimPrefix(name, st.Namespace+"_"), name), nil)
		}
		if kept == nil {
			delete(st.Faults, name)
		} else {
			st.Faults[name] = kept
		}
	}
}

// ensure does abra's Recipe.Ensure for a deploy without --chaos: refuse a
// dirty tree, then check out the version the env pins or the latest tag.
func ensure(thread *starlark.Thread, a *App) error {
	var ref string
	err := a.Repo().Do(func(*gitcache.Repo) (err error) { ref, err = a.RecipeApp().Ensure(); return })
	if err == nil && ref != "" {
		how := "the latest tag"
		if a.RecipeApp().EnvVersion() != "" {
			how = "the version the env pins"
		}
		interp.CaseOf(thread).Record(thread, "git", fmt.Sprintf("ensure %s: checkout %s (%s, as abra does without --chaos)",
			a.Repo().Shown(), ref, how), nil)
	}
	return err
}

// versionMessage is abra's debug line for the version a deploy takes
// (cli/app/deploy.go: "version: taking chaos version: 7ae7b0f7").
func versionMessage(chaos bool, version string) string {
	if chaos {
		return "taking chaos version: " + version
	}
	return "taking version: " + version
}

func deployMessage(d *recipe.Deploy, chaos bool, chaosVersion string, labels map[string]string, generated int) string {
	msg := d.Stack.Namespace
	if chaos {
		msg += " chaos-version=" + chaosVersion
	}
	msg += " version=" + labels[recipe.LabelKey(d.Stack.Namespace, "version")]
	msg += " (" + plural(len(d.Stack.Services), "service")
	if generated > 0 {
		msg += ", " + plural(generated, "secret") + " generated"
	}
	msg += ")"
	for _, svc := range slices.Sorted(maps.Keys(d.Stack.Faults)) {
		for _, f := range d.Stack.Faults[svc] {
			msg += " fault " + f.Kind
			if svc != "" {
				msg += " on " + strings.TrimPrefix(svc, d.Stack.Namespace+"_")
			}
			if f.Bytes > 0 {
				msg += fmt.Sprintf(" of %dMiB on every node", f.Bytes>>20)
			}
			if f.After > 0 {
				msg += " after " + f.After.String()
			}
		}
	}
	return msg
}

// addSecrets adds the app's missing secrets to the stack with generated
// values, or fails like abra when generation is off.
func addSecrets(ctx context.Context, e engine.Engine, st *engine.Stack, secrets []recipe.Secret, generate bool) (int, error) {
	existing, err := e.Secrets(ctx)
	if err != nil {
		return 0, err
	}
	if !generate {
		return 0, recipe.CheckSecrets(secrets, existing)
	}
	n := 0
	for _, s := range recipe.MissingSecrets(secrets, existing) {
		spec, err := recipe.GenerateSecret(s, st.Namespace)
		if err != nil {
			return 0, err
		}
		st.Secrets = append(st.Secrets, spec)
		n++
	}
	return n, nil
}

// removeApp implements remove(app).
func removeApp(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var appV starlark.Value
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "app", &appV); err != nil {
		return nil, err
	}
	a, e, err := appAndEngine(thread, fn, appV)
	if err != nil {
		return nil, err
	}
	stack := a.app.StackName()
	if err := e.Remove(interp.Context(thread), stack); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", fn.Name(), stack, err)
	}
	interp.CaseOf(thread).Record(thread, "remove", stack, nil)
	return starlark.None, nil
}

// idPattern matches swarm object IDs (25 lower-case alphanumerics).
var idPattern = regexp.MustCompile(`\b[a-z0-9]{25}\b`)

const aliasKey = "builtins.aliases"

// aliases are a case's short names for swarm IDs; parallel branches on a
// real engine scrub at the same time.
type aliases struct {
	mu   sync.Mutex
	byID map[string]string
}

// aliasID gives id, a swarm ID, its alias now if it has none yet.
func aliasID(c *interp.Case, id string) {
	if len(id) != 25 || !idPattern.MatchString(id) {
		return
	}
	a := aliasesOf(c)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.alias(id)
}

func aliasesOf(c *interp.Case) *aliases {
	c.SetValueOnce(aliasKey, func() any { return &aliases{byID: map[string]string{}} })
	return c.Value(aliasKey).(*aliases)
}

// alias returns id's alias, making the next one when it has none.
func (a *aliases) alias(id string) string {
	if alias, ok := a.byID[id]; ok {
		return alias
	}
	alias := fmt.Sprintf("x%d", len(a.byID)+1)
	a.byID[id] = alias
	return alias
}

// scrubIDs replaces swarm IDs in text by short aliases (x1, x2, ...) that
// are stable within a case, so transcripts and goldens hold no IDs.
func scrubIDs(c *interp.Case, text string) string {
	if text == "" {
		return ""
	}
	a := aliasesOf(c)
	a.mu.Lock()
	defer a.mu.Unlock()
	return idPattern.ReplaceAllStringFunc(text, a.alias)
}

// Aliases are the names the case's transcript gives swarm IDs (x1, x2,
// ...), by ID, for pictures that show both.
func Aliases(c *interp.Case) map[string]string {
	a := aliasesOf(c)
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.byID)
}
