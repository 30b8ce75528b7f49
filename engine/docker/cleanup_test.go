package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/procid"
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

// TestRemove: Remove waits until a stack is gone, and says not found when
// it is.
func TestRemove(t *testing.T) {
	t.Parallel()
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	e, ns := newTestEngine(t, Options{})
	deploy(t, e, testStack(ns, app{extras: true}))
	if err := e.Remove(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service(ctx, ns+"_app"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("after Remove: %v, want not found", err)
	}
	if err := e.Remove(ctx, ns); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("second Remove: %v, want not found", err)
	}
}

// exitedOwner is the ID of a process of this host that has exited: the
// owner of a run that was killed outright.
func exitedOwner(t *testing.T) procid.ID {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id, err := procid.Of(cmd.Process.Pid)
	cmd.Process.Kill()
	cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCleanupOnASharedSwarm: one stack holds the objects of a run whose
// owner has exited (killed outright: its objects were left), of a run whose
// owner still runs (this test), of a run recorded on another host, and an
// object with no owner labels (an older chaosrun's). Cleanup lists them all
// with their reasons and removes only the dead run's; the include flags
// then remove the other host's and the unowned one, never the live run's.
func TestCleanupOnASharedSwarm(t *testing.T) {
	t.Parallel()
	ctx, cancel := testContext(t, 5*time.Minute)
	defer cancel()
	me := procid.Self()
	deadOwner := exitedOwner(t)
	dead, ns := newTestEngine(t, Options{Keep: true, Owner: deadOwner})
	nsArgs := filters.NewArgs(filters.Arg("label", engine.NamespaceLabel+"="+ns))
	t.Cleanup(func() { // whatever a failure left
		objs, _ := listObjects(context.Background(), dead.cli, nsArgs)
		removeAll(context.Background(), dead.cli, objs)
	})
	live, _ := newTestEngine(t, Options{})
	far, _ := newTestEngine(t, Options{Keep: true, Owner: procid.ID{Host: "elsewhere-" + ns, PID: me.PID, Start: me.Start}})

	deploy(t, dead, testStack(ns, app{extras: true})) // ns_app, ns_default, ns_token, ns_conf
	liveStack := testStack(ns, app{})
	spec := liveStack.Services[ns+"_app"]
	spec.Name = ns + "_live"
	liveStack.Services = map[string]swarm.ServiceSpec{spec.Name: spec}
	deploy(t, live, liveStack)
	nsLabel := map[string]string{engine.NamespaceLabel: ns}
	deploy(t, far, engine.Stack{Namespace: ns, Configs: []swarm.ConfigSpec{
		{Annotations: swarm.Annotations{Name: ns + "_far", Labels: nsLabel}, Data: []byte("far\n")}}})
	oldRun := "test-old-" + unique()
	if _, err := dead.cli.SecretCreate(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: ns + "_old",
		Labels: map[string]string{RunLabel: oldRun, engine.NamespaceLabel: ns}}, Data: []byte("not-printed-old")}); err != nil {
		t.Fatal(err)
	}

	cleanup := func(opts CleanupOptions) string {
		t.Helper()
		var out bytes.Buffer
		if err := Cleanup(ctx, &out, opts); err != nil {
			t.Fatal(err)
		}
		t.Logf("Cleanup(%+v):\n%s", opts, out.String())
		if strings.Contains(out.String(), "not-printed-") {
			t.Errorf("Cleanup printed a secret value:\n%s", out.String())
		}
		return out.String()
	}
	left := func(want ...string) {
		t.Helper()
		objs, err := listObjects(ctx, dead.cli, nsArgs)
		var got []string
		for _, o := range objs {
			got = append(got, o.String())
		}
		slices.Sort(got)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("left on stack %s: %v, %v; want %v", ns, got, err, want)
		}
	}
	wantLines := func(out string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			if !strings.Contains(out, l+"\n") {
				t.Errorf("Cleanup printed:\n%s\nwant the line %q", out, l)
			}
		}
	}
	all := []string{"config " + ns + "_conf", "config " + ns + "_far", "network " + ns + "_default",
		"secret " + ns + "_old", "secret " + ns + "_token", "service " + ns + "_app", "service " + ns + "_live"}
	left(all...)

	out := cleanup(CleanupOptions{Run: dead.opts.RunID})
	wantLines(out, "4 chaosrun objects on the swarm at "+dead.host+":",
		fmt.Sprintf("  remove run %s: its owner, %s, has exited", dead.opts.RunID, deadOwner))
	if !strings.Contains(out, "other chaosrun objects, not of run "+dead.opts.RunID+", are not listed)") || strings.Contains(out, ns+"_live") {
		t.Errorf("Cleanup --run printed:\n%s\nwant only the dead run's objects, and a count of those outside run %s", out, dead.opts.RunID)
	}

	out = cleanup(CleanupOptions{Stack: ns})
	wantLines(out, "7 chaosrun objects on the swarm at "+dead.host+":",
		fmt.Sprintf("  remove run %s: its owner, %s, has exited", dead.opts.RunID, deadOwner),
		"           service  "+ns+"_app", "           network  "+ns+"_default",
		"           secret   "+ns+"_token", "           config   "+ns+"_conf",
		fmt.Sprintf("  keep   run %s: its owner, %s, is still running", live.opts.RunID, me),
		"           service  "+ns+"_live",
		fmt.Sprintf("  keep   run %s: its owner, %s, ran on another host, so it cannot be checked from here; "+
			"--include-other-hosts removes it", far.opts.RunID, far.opts.Owner),
		fmt.Sprintf("  keep   run %s: no owner recorded (made by an older chaosrun), so it may still be in use; "+
			"--include-unowned removes it", oldRun),
		"nothing removed: 4 to remove, 3 kept; confirm (--yes) to remove them")
	left(all...)

	wantLines(cleanup(CleanupOptions{Stack: ns, Yes: true}), "removed 4 objects, 3 kept")
	left("config "+ns+"_far", "secret "+ns+"_old", "service "+ns+"_live")
	if _, err := live.Service(ctx, ns+"_live"); err != nil {
		t.Errorf("the live run's service after cleanup: %v", err)
	}

	wantLines(cleanup(CleanupOptions{Stack: ns, Yes: true, OtherHosts: true, Unowned: true}), "removed 2 objects, 1 kept")
	left("service " + ns + "_live")
}

// TestUnavailable: no daemon gives one clear line wrapping ErrUnavailable.
func TestUnavailable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := New(context.Background(), Options{RunID: "x"})
	want := "cannot reach the docker daemon at unix:///nonexistent/docker.sock: /nonexistent/docker.sock does not exist (is dockerd running?)"
	if !errors.Is(err, engine.ErrUnavailable) || err.Error() != want {
		t.Fatalf("New without a daemon: %v\nwant %s (wrapping ErrUnavailable)", err, want)
	}
	if err := Cleanup(context.Background(), &bytes.Buffer{}, CleanupOptions{}); !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("Cleanup without a daemon: %v, want ErrUnavailable", err)
	}
}
