package enginetest

import (
	"maps"
	"slices"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// removeCases: what Remove removes, and when it returns.
var removeCases = []Case{
	{"RemoveWaitsUntilGone", removeWaitsUntilGone},
	{"RemoveMatchesLabelOnly", removeMatchesLabelOnly},
}

// removeWaitsUntilGone: Remove removes the stack's services, networks and
// the secrets and configs it created (not a secret it found), and returns
// once they are gone, containers included, with a service remove event
// (which may come later); removing it again, or a stack
// never deployed, wraps engine.ErrNotFound. (Stack b runs no task: a
// real swarm takes seconds to remove one.)
func removeWaitsUntilGone(t *testing.T, tg Target) {
	a, b := tg.Namespace(), tg.Namespace()
	sub := tg.Engine.Subscribe(t.Context())
	defer sub.Close()
	sta := tg.Stack(a, version(1), true)
	deploy(t, tg, sta)
	stb := withReplicas(tg.Stack(b, version(1), true), app(b), 0)
	stb.Secrets = append(slices.Clip(stb.Secrets), sta.Secrets...) // exists: b does not create it
	deploy(t, tg, stb)
	waitRunning(t, tg, sub, app(a), 1)
	removeAndCheck(t, tg, b)
	if names := secrets(t, tg); !slices.Contains(names, a+"_token") || slices.Contains(names, b+"_token") {
		t.Errorf("after Remove(%s): secrets %v; want %s_token (stack %s's) kept, %s_token gone", b, names, a, a, b)
	}
	removeAndCheck(t, tg, a)
	follow(t, tg, sub, "the service remove event of "+app(a), func(ev engine.Event) bool {
		return ev.Type == "service" && ev.Action == "remove" && ev.Service == app(a)
	}, nil)
	if names := secrets(t, tg); slices.Contains(names, a+"_token") {
		t.Errorf("after Remove(%s): secrets %v, want %s_token gone", a, names, a)
	}
	wantNotFound(t, "Remove of a removed stack", tg.Engine.Remove(t.Context(), a))
	wantNotFound(t, "Remove of a stack never deployed", tg.Engine.Remove(t.Context(), tg.Namespace()))
}

// removeAndCheck removes stack ns and checks that nothing of it is left
// the moment Remove returns.
func removeAndCheck(t *testing.T, tg Target, ns string) {
	t.Helper()
	if err := tg.Engine.Remove(t.Context(), ns); err != nil {
		t.Fatalf("Remove(%s): %v", ns, err)
	}
	_, err := tg.Engine.Service(t.Context(), app(ns))
	wantNotFound(t, "Service after Remove", err)
	_, err = tg.Engine.Tasks(t.Context(), app(ns), false)
	wantNotFound(t, "Tasks after Remove", err)
	left, err := tg.Leftovers(t.Context(), ns)
	if err != nil || len(left) > 0 {
		t.Errorf("as Remove(%s) returned: left %v, %v; want nothing", ns, left, err)
	}
}

// secrets lists the swarm's secrets or fails the test.
func secrets(t *testing.T, tg Target) []string {
	t.Helper()
	names, err := tg.Engine.Secrets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// removeMatchesLabelOnly: a stack's objects are those carrying its
// namespace label, whatever their names, as `docker stack rm` finds them:
// a service named <x>_app without the label is no part of stack x, and a
// secret without it is no part of the stack that created it. An empty
// namespace is refused, not a match for everything unlabelled.
func removeMatchesLabelOnly(t *testing.T, tg Target) {
	a, x, y := tg.Namespace(), tg.Namespace(), tg.Namespace()
	st := tg.Stack(a, version(1), false)
	spec := st.Services[app(a)]
	st.Services[app(x)] = unlabelled(spec, app(x))
	spec.Name = app(y)
	st.Services[app(y)] = spec // labelled a
	st.Secrets = append(st.Secrets, swarm.SecretSpec{Annotations: swarm.Annotations{Name: a + "_plain"},
		Data: []byte("unlabelled")})
	deploy(t, tg, st)
	wantNotFound(t, "Remove of a stack whose only service lacks its label", tg.Engine.Remove(t.Context(), x))
	if err := tg.Engine.Remove(t.Context(), ""); err == nil {
		t.Errorf("Remove of an empty namespace: no error")
	}
	if err := tg.Engine.Remove(t.Context(), a); err != nil {
		t.Fatalf("Remove(%s): %v", a, err)
	}
	for _, gone := range []string{app(a), app(y)} {
		_, err := tg.Engine.Service(t.Context(), gone)
		wantNotFound(t, "Service "+gone+" labelled "+a+" after Remove("+a+")", err)
	}
	service(t, tg, app(x)) // still there
	if names := secrets(t, tg); !slices.Contains(names, a+"_plain") {
		t.Errorf("after Remove(%s): secrets %v, want the unlabelled %s_plain kept", a, names, a)
	}
}

// unlabelled is spec named name, without the namespace label on the
// service or its containers (spec itself untouched).
func unlabelled(spec swarm.ServiceSpec, name string) swarm.ServiceSpec {
	spec.Name = name
	spec.Labels = maps.Clone(spec.Labels)
	delete(spec.Labels, engine.NamespaceLabel)
	if cs := spec.TaskTemplate.ContainerSpec; cs != nil {
		c := *cs
		c.Labels = maps.Clone(c.Labels)
		delete(c.Labels, engine.NamespaceLabel)
		spec.TaskTemplate.ContainerSpec = &c
	}
	return spec
}
