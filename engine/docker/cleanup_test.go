package docker

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// TestCloseRemovesEverything: Close removes the run's services, network,
// secret and config, and nothing labelled with the run is left.
func TestCloseRemovesEverything(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	sub := e.Subscribe(t.Context())
	deploy(t, e, testStack(ns, app{extras: true}))
	waitRunning(t, e, sub, ns+"_app", 1, time.Minute)
	objs, err := listObjects(ctx, e.cli, filters.NewArgs(filters.Arg("label", RunLabel+"="+e.opts.RunID)))
	if err != nil || len(objs) != 4 {
		t.Fatalf("before Close: %v, %v; want a service, a network, a secret and a config", objs, err)
	}
	start := time.Now()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close took %.1fs", time.Since(start).Seconds())
	cli, _, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	left, err := listObjects(ctx, cli, filters.NewArgs(filters.Arg("label", RunLabel+"="+e.opts.RunID)))
	if err != nil || len(left) != 0 {
		t.Errorf("after Close: %v, %v; want nothing labelled %s=%s", left, err, RunLabel, e.opts.RunID)
	}
}

// TestRemoveAndCleanup: Remove waits until a stack is gone; Cleanup lists
// what an earlier run kept and removes it only when told to.
func TestRemoveAndCleanup(t *testing.T) {
	t.Parallel()
	runID, ns := testNames(t)
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	kept, _ := newTestEngine(t, Options{RunID: runID, Keep: true})
	deploy(t, kept, testStack(ns, app{extras: true}))
	deploy(t, kept, testStack(ns+"b", app{extras: true}))
	if err := kept.Remove(ctx, ns+"b"); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Service(ctx, ns+"b_app"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("after Remove: %v, want not found", err)
	}
	if err := kept.Remove(ctx, ns+"b"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("second Remove: %v, want not found", err)
	}
	if err := kept.Close(ctx); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := Cleanup(ctx, &out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), ns+"_app") || !strings.Contains(out.String(), "nothing removed") {
		t.Fatalf("Cleanup(yes=false) printed:\n%s\nwant %s_app listed and nothing removed", out.String(), ns)
	}
	if _, _, err := kept.cli.ServiceInspectWithRaw(ctx, ns+"_app", swarm.ServiceInspectOptions{}); err != nil {
		t.Fatalf("Cleanup(yes=false) removed the service: %v", err)
	}
	if strings.Contains(out.String(), "not-printed-") {
		t.Errorf("Cleanup printed a secret value:\n%s", out.String())
	}
	// Removing every chaosrun object would hit other tests (and other users
	// of this swarm): remove this run's only.
	out.Reset()
	if err := cleanup(ctx, &out, true, filters.NewArgs(filters.Arg("label", RunLabel+"="+runID))); err != nil {
		t.Fatal(err)
	}
	t.Logf("Cleanup(yes=true):\n%s", out.String())
	left, err := listObjects(ctx, kept.cli, filters.NewArgs(filters.Arg("label", RunLabel+"="+runID)))
	if err != nil || len(left) != 0 {
		t.Errorf("after Cleanup: %v, %v; want nothing left", left, err)
	}
}

// TestUnavailable: no daemon gives one clear line wrapping ErrUnavailable.
func TestUnavailable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := New(context.Background(), Options{RunID: "x"})
	want := "cannot reach the docker daemon at unix:///nonexistent/docker.sock: /nonexistent/docker.sock does not exist (is dockerd running?)"
	if !errors.Is(err, engine.ErrUnavailable) || err.Error() != want {
		t.Fatalf("New without a daemon: %v\nwant %s (wrapping ErrUnavailable)", err, want)
	}
	if err := Cleanup(context.Background(), &bytes.Buffer{}, false); !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("Cleanup without a daemon: %v, want ErrUnavailable", err)
	}
}
