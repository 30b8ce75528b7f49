package docker

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// TestDeployUpgrade: a stack with a network, a secret and a config, then a
// clean start-first upgrade that swarm completes.
func TestDeployUpgrade(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	name := ns + "_app"
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	sub := e.Subscribe(t.Context())

	v1 := app{env: []string{"VERSION=1"}, labels: map[string]string{"v": "1"}, failureAction: "rollback",
		order: "start-first", extras: true}
	start := deploy(t, e, testStack(ns, v1))
	waitRunning(t, e, sub, name, 1, time.Minute)
	t.Logf("%s: running after %.1fs", name, time.Since(start).Seconds())
	svc, err := e.Service(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if svc.UpdateStatus != nil {
		t.Errorf("after create, UpdateStatus = %+v, want absent", svc.UpdateStatus)
	}
	if got := svc.Spec.Labels[RunLabel]; got != e.opts.RunID {
		t.Errorf("service label %s = %q, want %q", RunLabel, got, e.opts.RunID)
	}
	secrets, err := e.Secrets(ctx)
	if err != nil || !slices.Contains(secrets, ns+"_token") {
		t.Errorf("Secrets() = %v, %v; want %s among them", secrets, err, ns+"_token")
	}

	v2 := v1
	v2.env, v2.labels = []string{"VERSION=2"}, map[string]string{"v": "2"}
	start = deploy(t, e, testStack(ns, v2))
	svc, steps, latency := waitUpdate(t, e, sub, name, start, 90*time.Second, swarm.UpdateStateCompleted,
		swarm.UpdateStateRollbackStarted, swarm.UpdateStatePaused)
	t.Logf("verdict latency after CompletedAt: %s", latency)
	if svc.UpdateStatus.State != swarm.UpdateStateCompleted || svc.UpdateStatus.Message != "update completed" {
		t.Fatalf("UpdateStatus = %+v, want completed \"update completed\" (steps %v)", svc.UpdateStatus, steps)
	}
	if svc.Spec.Labels["v"] != "2" || svc.PreviousSpec == nil || svc.PreviousSpec.Labels["v"] != "1" {
		t.Errorf("after upgrade: Spec label v=%q, PreviousSpec %v; want 2 and a previous spec with v=1",
			svc.Spec.Labels["v"], svc.PreviousSpec != nil)
	}
	tasks, err := e.Tasks(ctx, name, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || !slices.Contains(tasks[0].Spec.ContainerSpec.Env, "VERSION=2") {
		t.Errorf("up-to-date tasks = %v, want one task with VERSION=2", taskStates(tasks))
	}
	all, err := e.Tasks(ctx, name, false)
	if err != nil || len(all) < 2 {
		t.Errorf("all tasks = %v, %v; want the old and the new", taskStates(all), err)
	}
}

// TestNoopRedeploy: an identical redeploy wipes UpdateStatus and starts no
// update; a label-only change does not either, and takes effect at once.
func TestNoopRedeploy(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	name := ns + "_app"
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	sub := e.Subscribe(t.Context())

	v1 := app{labels: map[string]string{"v": "1"}, failureAction: "rollback", order: "start-first"}
	deploy(t, e, testStack(ns, v1))
	waitRunning(t, e, sub, name, 1, time.Minute)
	before, err := e.Service(ctx, name)
	if err != nil {
		t.Fatal(err)
	}

	deploy(t, e, testStack(ns, v1))
	time.Sleep(2 * time.Second)
	svc, err := e.Service(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if svc.UpdateStatus != nil {
		t.Errorf("identical redeploy: UpdateStatus = %+v, want absent", svc.UpdateStatus)
	}
	if svc.Version.Index <= before.Version.Index || svc.PreviousSpec == nil ||
		!maps.Equal(svc.PreviousSpec.Labels, before.Spec.Labels) {
		t.Errorf("identical redeploy: version %d → %d, PreviousSpec %v; want a new version and PreviousSpec = the same spec",
			before.Version.Index, svc.Version.Index, svc.PreviousSpec != nil)
	}

	v2 := v1
	v2.labels = map[string]string{"v": "2"}
	deploy(t, e, testStack(ns, v2))
	svc, err = e.Service(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.Labels["v"] != "2" || svc.PreviousSpec == nil || svc.PreviousSpec.Labels["v"] != "1" {
		t.Errorf("label-only change: Spec v=%q, PreviousSpec present %v; want v=2 at once, previous v=1",
			svc.Spec.Labels["v"], svc.PreviousSpec != nil)
	}
	time.Sleep(2 * time.Second)
	if svc, err = e.Service(ctx, name); err != nil {
		t.Fatal(err)
	}
	if svc.UpdateStatus != nil {
		t.Errorf("label-only change: UpdateStatus = %+v, want absent", svc.UpdateStatus)
	}
}

// TestForeignStackRefused: a stack chaosrun did not create is neither
// updated nor removed without Adopt; with Adopt it is, and stays unlabelled.
func TestForeignStackRefused(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	name := ns + "_app"
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()

	// Made as a user would, without chaosrun.
	foreign := testStack(ns, app{labels: map[string]string{"v": "user"}}).Services[name]
	resp, err := e.cli.ServiceCreate(ctx, foreign, swarm.ServiceCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAll(context.Background(), e.cli, []object{{kind: "service", id: resp.ID, name: name}}) })

	err = e.Deploy(ctx, testStack(ns, app{labels: map[string]string{"v": "chaos"}}))
	if !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), "stack "+ns) || !strings.Contains(err.Error(), "--adopt") {
		t.Fatalf("deploy over a foreign stack: got %v, want an ErrNotOwned error naming stack %s and --adopt", err, ns)
	}
	t.Logf("refused: %v", err)
	if err := e.Remove(ctx, ns); !errors.Is(err, ErrNotOwned) {
		t.Errorf("remove a foreign stack: got %v, want ErrNotOwned", err)
	}
	svc, err := e.Service(ctx, name)
	if err != nil || svc.Spec.Labels["v"] != "user" {
		t.Fatalf("foreign service changed: labels %v, %v", svc.Spec.Labels, err)
	}

	adopter, _ := newTestEngine(t, Options{Adopt: true})
	if err := adopter.Deploy(ctx, testStack(ns, app{labels: map[string]string{"v": "chaos"}})); err != nil {
		t.Fatalf("deploy with Adopt: %v", err)
	}
	svc, err = e.Service(ctx, name)
	if err != nil || svc.Spec.Labels["v"] != "chaos" || svc.Spec.Labels[RunLabel] != "" {
		t.Errorf("adopted service labels %v, %v; want v=chaos and no %s", svc.Spec.Labels, err, RunLabel)
	}
	if err := adopter.Remove(ctx, ns); err != nil {
		t.Errorf("remove with Adopt: %v", err)
	}
	if _, err := e.Service(ctx, name); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("after Remove: %v, want not found", err)
	}
}
