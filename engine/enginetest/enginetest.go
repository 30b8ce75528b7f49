// Package enginetest is the contract of engine.Engine written once as Go
// tests, run against the simulator (engine/sim) and the real swarm
// (engine/docker) alike: what Deploy, Service, Tasks, Remove, Secrets,
// Subscribe and Clock promise in engine/engine.go's doc. Each engine's own
// _test.go calls Run with a factory for its Target.
//
// Every case runs in parallel with the others (t.Parallel) on stacks of its
// own, so that on a real swarm the suite takes about as long as its
// slowest case; a case deploys only the target's quick test stack.
package enginetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Target is one engine under test, fresh for one case, with what the
// contract needs from the engine's own test setup.
type Target struct {
	Engine engine.Engine
	// Namespace returns a stack namespace that nothing else on the swarm
	// uses (other tests included); each call a new one.
	Namespace func() string
	// Stack is stack ns with one service, <ns>_app, of one replica whose
	// task runs within seconds, with env in its container spec and the
	// namespace label on the service. With extras the stack also has a
	// network <ns>_default, a secret <ns>_token and a config <ns>_conf,
	// each labelled with the namespace (a real swarm's service uses them).
	Stack func(ns string, env []string, extras bool) engine.Stack
	// Leftovers lists, by the engine's own means and not through Engine,
	// what of stack ns is still on the swarm (services, networks, secrets,
	// configs, containers: anything labelled with the namespace).
	Leftovers func(ctx context.Context, ns string) ([]string, error)
	// Limit bounds each wait for the swarm to act, on the engine's clock.
	Limit time.Duration
}

// Case is one promise of the contract.
type Case struct {
	Name string
	Run  func(t *testing.T, tg Target)
}

// Cases are the contract's cases, in the order Run starts them.
func Cases() []Case {
	return slices.Concat(deployCases, taskCases, removeCases, eventCases)
}

// Run runs every case as a parallel subtest of t, each on a Target that
// newTarget makes inside the subtest (so that a simulator's virtual clock
// belongs to the subtest's goroutine).
func Run(t *testing.T, newTarget func(t *testing.T) Target) {
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			c.Run(t, newTarget(t))
		})
	}
}

// app is the full name of stack ns's test service.
func app(ns string) string { return ns + "_app" }

// version is the env that tells one deploy of the test stack from another.
func version(n int) []string { return []string{fmt.Sprintf("VERSION=%d", n)} }

// deploy deploys st or fails the test.
func deploy(t *testing.T, tg Target, st engine.Stack) {
	t.Helper()
	if err := tg.Engine.Deploy(t.Context(), st); err != nil {
		t.Fatalf("deploy stack %s: %v", st.Namespace, err)
	}
}

// service inspects name or fails the test.
func service(t *testing.T, tg Target, name string) swarm.Service {
	t.Helper()
	svc, err := tg.Engine.Service(t.Context(), name)
	if err != nil {
		t.Fatalf("inspect service %s: %v", name, err)
	}
	return svc
}

// tasks lists name's tasks or fails the test.
func tasks(t *testing.T, tg Target, name string, upToDate bool) []swarm.Task {
	t.Helper()
	ts, err := tg.Engine.Tasks(t.Context(), name, upToDate)
	if err != nil {
		t.Fatalf("tasks of service %s (upToDate %v): %v", name, upToDate, err)
	}
	return ts
}

// waitFor follows sub until done reports true, at most tg.Limit on the
// engine's clock; done's second result says what it saw, for the failure.
func waitFor(t *testing.T, tg Target, sub engine.Subscription, what string, done func() (bool, string)) {
	t.Helper()
	deadline := tg.Engine.Clock().Now().Add(tg.Limit)
	for {
		ok, saw := done()
		if ok {
			return
		}
		if _, err := sub.Next(t.Context(), deadline); errors.Is(err, clock.ErrDeadline) {
			t.Fatalf("waiting for %s: not within %s; saw %s", what, tg.Limit, saw)
		} else if err != nil {
			t.Fatalf("waiting for %s: next event: %v", what, err)
		}
	}
}

// waitRunning waits until name has n up-to-date tasks running.
func waitRunning(t *testing.T, tg Target, sub engine.Subscription, name string, n int) {
	t.Helper()
	waitFor(t, tg, sub, fmt.Sprintf("%d running tasks of %s", n, name), func() (bool, string) {
		ts := tasks(t, tg, name, true)
		running := 0
		for _, tk := range ts {
			if tk.Status.State == swarm.TaskStateRunning && tk.DesiredState == swarm.TaskStateRunning {
				running++
			}
		}
		return running == n, describeTasks(ts)
	})
}

// describeTasks summarises tasks for failure messages.
func describeTasks(ts []swarm.Task) string {
	var out []string
	for _, tk := range ts {
		out = append(out, fmt.Sprintf("%.10s slot %d %s/%s %v", tk.ID, tk.Slot, tk.Status.State, tk.DesiredState, envOf(tk.Spec)))
	}
	return "[" + strings.Join(out, "; ") + "]"
}

// envOf is a task spec's container env.
func envOf(ts swarm.TaskSpec) []string {
	if ts.ContainerSpec == nil {
		return nil
	}
	return ts.ContainerSpec.Env
}

// wantNotFound fails the test unless err wraps engine.ErrNotFound.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("%s: error %v, want one wrapping engine.ErrNotFound", what, err)
	}
}
