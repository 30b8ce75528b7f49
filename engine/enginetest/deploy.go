package enginetest

import (
	"slices"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
)

// deployCases: Deploy is create-or-update and leaves its Stack alone;
// Service inspects by full name; Secrets and Clock.
var deployCases = []Case{
	{"ServiceByFullName", serviceByFullName},
	{"ServiceShowsSwarmDefaults", serviceShowsSwarmDefaults},
	{"DeployCreatesOrUpdates", deployCreatesOrUpdates},
	{"DeployLeavesStackAlone", deployLeavesStackAlone},
	{"DeployRefusesBadStacks", deployRefusesBadStacks},
	{"SecretsListsCreated", secretsListsCreated},
	{"ClockIsTheSwarms", clockIsTheSwarms},
}

// serviceByFullName: a created service is inspectable by <stack>_<service>,
// with its ID and the stack namespace label; its ID is no name.
func serviceByFullName(t *testing.T, tg Target) {
	ns := tg.Namespace()
	deploy(t, tg, tg.Stack(ns, version(1), false))
	svc := service(t, tg, app(ns))
	if svc.ID == "" || svc.Spec.Name != app(ns) || svc.Spec.Labels[engine.NamespaceLabel] != ns || svc.Version.Index == 0 {
		t.Errorf("service %s: ID %q, name %q, labels %v, version %d; want an ID, its full name, %s=%s and a version",
			app(ns), svc.ID, svc.Spec.Name, svc.Spec.Labels, svc.Version.Index, engine.NamespaceLabel, ns)
	}
	_, err := tg.Engine.Service(t.Context(), svc.ID)
	wantNotFound(t, "Service(its ID)", err)
	_, err = tg.Engine.Tasks(t.Context(), svc.ID, false)
	wantNotFound(t, "Tasks(its ID)", err)
	_, err = tg.Engine.Service(t.Context(), ns)
	wantNotFound(t, "Service(the stack name)", err)
}

// deployCreatesOrUpdates: deploying an existing stack updates its service,
// growing Version.Index and keeping the spec it replaced as PreviousSpec;
// an identical redeploy is an update too (swarm writes every update).
func deployCreatesOrUpdates(t *testing.T, tg Target) {
	ns := tg.Namespace()
	deploy(t, tg, tg.Stack(ns, version(1), false))
	first := service(t, tg, app(ns))
	if first.PreviousSpec != nil {
		t.Errorf("new service: PreviousSpec %+v, want none", first.PreviousSpec)
	}
	last := first
	for i, env := range [][]string{version(2), version(2)} {
		deploy(t, tg, tg.Stack(ns, env, false))
		svc := service(t, tg, app(ns))
		if svc.ID != first.ID || svc.Version.Index <= last.Version.Index {
			t.Errorf("deploy %d: ID %s, version %d; want ID %s and a version above %d",
				i+2, svc.ID, svc.Version.Index, first.ID, last.Version.Index)
		}
		if got := envOf(svc.Spec.TaskTemplate); !slices.Equal(got, env) {
			t.Errorf("deploy %d: env %v, want %v", i+2, got, env)
		}
		if svc.PreviousSpec == nil || !slices.Contains(envOf(svc.PreviousSpec.TaskTemplate), version(i + 1)[0]) {
			t.Errorf("deploy %d: PreviousSpec %+v, want the spec of deploy %d", i+2, svc.PreviousSpec, i+1)
		}
		last = svc
	}
}

// deployLeavesStackAlone: Deploy changes nothing its Stack points to, on
// create and on update, even when it names a spec (an empty Name) or
// injects a fault into it (engine.Engine: the build cache shares specs).
func deployLeavesStackAlone(t *testing.T, tg Target) {
	ns := tg.Namespace()
	st := tg.Stack(ns, version(1), true)
	spec := st.Services[app(ns)]
	spec.Name = ""
	st.Services[app(ns)] = spec
	st.Faults = map[string][]engine.Fault{app(ns): {{Kind: engine.FaultUnhealthy}}}
	before := asJSON(t, st) // secret values included: the test's own
	for _, what := range []string{"create", "update"} {
		deploy(t, tg, st)
		if after := asJSON(t, st); after != before {
			t.Fatalf("Deploy (%s) changed its stack:\n%s\nwas\n%s", what, after, before)
		}
	}
}

// deployRefusesBadStacks: a stack without a namespace, with faults for a
// service it lacks or of an unknown kind, is an error, and nothing of it
// is deployed.
func deployRefusesBadStacks(t *testing.T, tg Target) {
	for _, c := range []struct {
		what  string
		spoil func(st *engine.Stack, name string)
	}{
		{"without a namespace", func(st *engine.Stack, _ string) { st.Namespace = "" }},
		{"with faults for a service it lacks", func(st *engine.Stack, name string) {
			st.Faults = map[string][]engine.Fault{name + "x": {{Kind: engine.FaultCrash}}}
		}},
		{"with a fault of an unknown kind", func(st *engine.Stack, name string) {
			st.Faults = map[string][]engine.Fault{name: {{Kind: "gremlins"}}}
		}},
	} {
		ns := tg.Namespace()
		st := tg.Stack(ns, version(1), false)
		c.spoil(&st, app(ns))
		if err := tg.Engine.Deploy(t.Context(), st); err == nil {
			t.Errorf("Deploy of a stack %s: no error", c.what)
		}
		_, err := tg.Engine.Service(t.Context(), app(ns))
		wantNotFound(t, "Service after the refused deploy of a stack "+c.what, err)
	}
}

// secretsListsCreated: Secrets lists the secrets a deploy created, by
// name, sorted; configs are not secrets.
func secretsListsCreated(t *testing.T, tg Target) {
	ns := tg.Namespace()
	deploy(t, tg, tg.Stack(ns, version(1), true))
	names, err := tg.Engine.Secrets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, ns+"_token") || slices.Contains(names, ns+"_conf") || !slices.IsSorted(names) {
		t.Errorf("Secrets: %v; want %s_token in it, %s_conf not, sorted", names, ns, ns)
	}
}

// clockSlack is how far the swarm's timestamps may stray from the engine's
// clock: a real daemon's clock is its own (the simulator's are exact).
const clockSlack = time.Second

// clockIsTheSwarms: the engine's clock moves with Sleep, and a service's
// timestamps are times of that clock.
func clockIsTheSwarms(t *testing.T, tg Target) {
	clk := tg.Engine.Clock()
	if n := tg.Engine.Name(); n != "sim" && n != "docker" {
		t.Errorf("Name %q, want sim or docker", n)
	}
	before := clk.Now()
	if err := clk.Sleep(t.Context(), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := clk.Now().Sub(before); d < 50*time.Millisecond {
		t.Errorf("Sleep(50ms) moved the clock %s", d)
	}
	ns := tg.Namespace()
	deploy(t, tg, tg.Stack(ns, version(1), false))
	after := clk.Now()
	svc := service(t, tg, app(ns))
	for what, at := range map[string]time.Time{"CreatedAt": svc.CreatedAt, "UpdatedAt": svc.UpdatedAt} {
		if at.Before(before.Add(-clockSlack)) || at.After(after.Add(clockSlack)) {
			t.Errorf("service %s: %s %s, want between the clock's %s and %s", app(ns), what, at, before, after)
		}
	}
}
