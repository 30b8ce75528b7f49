package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// docs/swarm-semantics.md §16: the service events of an auto-rolled-back image update.
func TestServiceEventsOfRollback(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1", img("a:1")))
	w.untilRunning(app, 1, time.Minute)
	w.log = nil
	w.deploy(map[string][]engine.Fault{app: {{Kind: engine.FaultUnhealthy}}}, v("2", img("a:2")))
	w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	w.drain()
	var got []string
	for _, l := range w.log {
		if f := strings.Fields(l); f[1] == "service" {
			got = append(got, strings.Join(f[2:], " "))
		}
	}
	want := []string{
		"update st_app image.new=a:2 image.old=a:1 name=st_app",
		"update st_app name=st_app updatestate.new=updating",
		"update st_app image.new=a:1 image.old=a:2 name=st_app updatestate.new=rollback_started updatestate.old=updating",
		"update st_app name=st_app updatestate.new=rollback_completed updatestate.old=rollback_started",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("service events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Service() shapes: insertDefaults on Spec, Version bumped on every write,
// timestamps from the virtual clock, ErrNotFound for a missing service.
func TestServiceShape(t *testing.T) {
	w := newWorld(t, 1)
	if _, err := w.s.Service(w.ctx, app); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("missing service: %v, want ErrNotFound", err)
	}
	w.sleep(time.Hour)
	w.deploy(nil, spec("app"))
	svc := w.service(app)
	if len(svc.ID) != 25 || !svc.CreatedAt.Equal(epoch.Add(time.Hour)) || svc.Version.Index == 0 {
		t.Errorf("ID %q, CreatedAt %s, version %d", svc.ID, svc.CreatedAt, svc.Version.Index)
	}
	uc := svc.Spec.UpdateConfig
	if uc == nil || uc.Parallelism != 1 || uc.Monitor != 5*time.Second || uc.FailureAction != "pause" || uc.Order != "stop-first" {
		t.Errorf("UpdateConfig %+v, want swarm's defaults (docs/swarm-semantics.md §12)", uc)
	}
	if rp := svc.Spec.TaskTemplate.RestartPolicy; rp == nil || rp.Condition != "any" || *rp.Delay != 5*time.Second {
		t.Errorf("RestartPolicy %+v, want swarm's defaults", rp)
	}
	if svc.PreviousSpec != nil || svc.UpdateStatus != nil {
		t.Errorf("new service: PreviousSpec %v, UpdateStatus %v", svc.PreviousSpec, svc.UpdateStatus)
	}
	w.deploy(nil, spec("app", label("x", "y")))
	if s2 := w.service(app); s2.Version.Index <= svc.Version.Index {
		t.Errorf("version %d after an update, was %d", s2.Version.Index, svc.Version.Index)
	}
}

// Deploy creates networks and secrets once; Remove removes the stack's
// services, networks and secrets (those with its namespace label), and
// says when nothing was there.
func TestDeploySecretsRemove(t *testing.T) {
	w := newWorld(t, 1)
	nsLabel := map[string]string{engine.NamespaceLabel: stack}
	st := engine.Stack{Namespace: stack, Services: map[string]swarm.ServiceSpec{app: spec("app")},
		Networks: map[string]network.CreateOptions{stack + "_default": {Labels: nsLabel}},
		Secrets:  []swarm.SecretSpec{{Annotations: swarm.Annotations{Name: "st_db_password_v1", Labels: nsLabel}}}}
	for range 2 {
		if err := w.s.Deploy(w.ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if names, _ := w.s.Secrets(w.ctx); strings.Join(names, ",") != "st_db_password_v1" {
		t.Fatalf("secrets %v", names)
	}
	w.untilRunning(app, 1, time.Minute)
	if err := w.s.Remove(w.ctx, stack); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Service(w.ctx, app); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("service after remove: %v", err)
	}
	if _, err := w.s.Tasks(w.ctx, app, false); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("tasks after remove: %v", err)
	}
	if names, _ := w.s.Secrets(w.ctx); len(names) != 0 {
		t.Errorf("secrets after remove: %v", names)
	}
	if err := w.s.Remove(w.ctx, stack); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("second remove: %v, want ErrNotFound", err)
	}
	if err := w.s.Deploy(w.ctx, engine.Stack{Namespace: stack, Faults: map[string][]engine.Fault{"st_x": {{Kind: "crash"}}}}); err == nil {
		t.Errorf("faults for a missing service: no error")
	}
}

// Tasks(upToDate) keeps only tasks of the current spec (docs/swarm-semantics.md §16).
func TestTasksUpToDate(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, v("2"))
	w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	all, _ := w.s.Tasks(w.ctx, app, false)
	up, _ := w.s.Tasks(w.ctx, app, true)
	if len(all) != 2 || len(up) != 1 || !hasEnv(up[0], "V=2") || up[0].ID != all[0].ID {
		t.Fatalf("%d tasks, %d up to date", len(all), len(up))
	}
}

// Scaling changes no task spec: no UpdateStatus, more tasks (docs/swarm-semantics.md §10).
func TestScaleUpAndGlobal(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, spec("app", replicas(1)))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, spec("app", replicas(3)))
	w.untilRunning(app, 3, time.Minute)
	w.deploy(nil, spec("app", replicas(2)))
	w.untilRunning(app, 2, time.Minute)
	if st := w.service(app).UpdateStatus; st != nil {
		t.Errorf("status %+v after scaling, want none", st)
	}

	w = newWorld(t, 1)
	w.s.AddNode("a", gib)
	w.s.AddNode("b", gib)
	w.deploy(nil, spec("app", func(s *swarm.ServiceSpec) { s.Mode.Global = &swarm.GlobalService{} }))
	w.untilRunning(app, 2, time.Minute)
	ts := w.tasks(app)
	if ts[0].Slot != 0 || ts[0].NodeID == ts[1].NodeID {
		t.Errorf("global tasks: slots %d/%d, nodes %s/%s", ts[0].Slot, ts[1].Slot, ts[0].NodeID, ts[1].NodeID)
	}
}

// Subscriptions: Next blocks in virtual time, honours its deadline and
// ends with the context.
func TestSubscription(t *testing.T) {
	w := newWorld(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	sub := w.s.Subscribe(ctx)
	if _, err := sub.Next(w.ctx, w.clk.Now().Add(time.Second)); !errors.Is(err, clock.ErrDeadline) {
		t.Fatalf("idle next: %v, want ErrDeadline", err)
	}
	w.deploy(nil, spec("app"))
	ev, err := sub.Next(w.ctx, time.Time{})
	if err != nil || ev.Type != "service" || ev.Action != "create" || ev.Service != app {
		t.Fatalf("first event %+v, %v", ev, err)
	}
	ev, _ = sub.Next(w.ctx, time.Time{})
	if ev.Type != "task" || ev.Attributes["state"] != "new" || ev.Attributes["desired"] != "running" {
		t.Fatalf("second event %+v", ev)
	}
	cancel()
	if _, err := sub.Next(w.ctx, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
}

// Determinism: the same seed gives the same events, IDs and timestamps;
// with boot jitter, other seeds differ.
func TestDeterminism(t *testing.T) {
	run := func(seed int64) string {
		w := newWorld(t, seed)
		w.s.SetHostLoad(0, gib)
		w.s.SetBehaviour(app, Behaviour{Boot: time.Minute, BootJitter: time.Minute, Memory: gib, MemoryJitter: gib})
		discourseStory(w)
		var b strings.Builder
		b.WriteString(strings.Join(w.log, "\n"))
		for _, tk := range w.tasks(app) {
			fmt.Fprintf(&b, "\n%s %d %s %s %s", tk.ID, tk.Slot, tk.Status.State, tk.Status.Timestamp, tk.Status.Err)
		}
		return b.String()
	}
	a, b := run(42), run(42)
	if a != b {
		t.Fatalf("same seed, different runs:\n%s\n---\n%s", a, b)
	}
	if c := run(43); c == a {
		t.Fatalf("seeds 42 and 43 gave identical runs despite jitter")
	}
}

// docs/swarm-semantics.md §4 manual rollback: swap, "manually requested rollback", then
// rollback_completed; twice toggles; none without a previous spec (docs/swarm-semantics.md §9).
func TestManualRollback(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	if err := w.s.Rollback(w.ctx, app); err == nil || !strings.Contains(err.Error(), "does not have a previous spec") {
		t.Fatalf("rollback of a new service: %v", err)
	}
	w.deploy(nil, v("2"))
	w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	if err := w.s.Rollback(w.ctx, app); err != nil {
		t.Fatal(err)
	}
	svc := w.service(app)
	wantStatus(t, svc, swarm.UpdateStateRollbackStarted, "manually requested rollback")
	if svc.Spec.Labels["v"] != "1" || svc.PreviousSpec.Labels["v"] != "2" {
		t.Errorf("after the swap: v=%s, previous v=%s", svc.Spec.Labels["v"], svc.PreviousSpec.Labels["v"])
	}
	svc = w.untilState(app, swarm.UpdateStateRollbackCompleted, time.Minute)
	wantStatus(t, svc, swarm.UpdateStateRollbackCompleted, "rollback completed")
	if w.running(app) != 1 {
		t.Errorf("%d up-to-date tasks running after the rollback", w.running(app))
	}
}

// Once the swarm is quiet nothing stays scheduled, so a wait with no
// deadline ends in the clock's deadlock error instead of spinning.
func TestQuietSwarmSchedulesNothing(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, v("1"))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, v("2"))
	w.untilState(app, swarm.UpdateStateCompleted, time.Minute)
	w.drain()
	quiet := w.clk.Now()
	for {
		ev, err := w.sub.Next(w.ctx, time.Time{})
		if errors.Is(err, clock.ErrDeadlock) {
			break
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		w.record(ev)
	}
	// The clock may still pass the deadlines of this thread's earlier
	// waits (the last one a minute after 2.4s), nothing later.
	if d := w.clk.Now().Sub(quiet); d > time.Minute {
		t.Errorf("the clock ran %s past the last change", d)
	}
}
