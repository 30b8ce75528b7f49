package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
)

// dockerClient returns a client of a swarm manager, or skips (fails under
// CI=true) when there is none.
func dockerClient(t *testing.T) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		var info swarm.Info
		if i, ierr := cli.Info(context.Background()); ierr == nil {
			info = i.Swarm
		} else {
			err = ierr
		}
		if err == nil && info.ControlAvailable {
			return cli
		}
		if err == nil {
			err = errNotManager
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("real-engine test needs a swarm manager: %v", err)
	}
	t.Skipf("skipping real-engine test: %v (CI=true makes this a failure)", err)
	return nil
}

type notManager struct{}

func (notManager) Error() string { return "the docker daemon is not a swarm manager" }

var errNotManager error = notManager{}

// TestInterruptedDockerRunLeavesNothing interrupts a real-swarm run after
// its deploy: chaosrun must exit 130 and leave no service, secret or
// network of the run behind. Before the interrupt the same listing must
// find the run's service, so a listing that finds nothing proves something.
func TestInterruptedDockerRunLeavesNothing(t *testing.T) {
	cli := dockerClient(t)
	runID := "ctrlc-test-" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
	stack := "ctrlc_" + strings.ReplaceAll(runID, "-", "_")
	cmd := exec.Command(chaosrunBin, "--engine", "docker", "--run-id", runID, "--var", "stack="+stack,
		filepath.Join("cmd", "chaosrun", "testdata", "deploy_and_wait.star"))
	cmd.Dir = "../.."
	out, exited := startAndWaitFor(t, cmd, "print: deployed", 3*time.Minute)
	if left := runObjects(t, cli, runID); !slices.Contains(left, "service "+stack+"_app") {
		t.Errorf("before Ctrl-C the run's objects are %v, want its service %s_app among them", left, stack)
	}
	cmd.Process.Signal(syscall.SIGINT)
	waitExited(t, cmd, exited, 5*time.Minute) // the cleanups remove what the run deployed
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, out.String())
	}
	if left := runObjects(t, cli, runID); len(left) > 0 {
		t.Errorf("left behind after Ctrl-C: %s\n%s", strings.Join(left, ", "), out.String())
	}
}

// runObjects lists the services, secrets and networks labelled with runID.
func runObjects(t *testing.T, cli *client.Client, runID string) []string {
	t.Helper()
	args := filters.NewArgs(filters.Arg("label", "chaosrun.run="+runID))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var objs []string
	services, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	for _, s := range services {
		objs = append(objs, "service "+s.Spec.Name)
	}
	secrets, serr := cli.SecretList(ctx, swarm.SecretListOptions{Filters: args})
	for _, s := range secrets {
		objs = append(objs, "secret "+s.Spec.Name)
	}
	networks, nerr := cli.NetworkList(ctx, network.ListOptions{Filters: args})
	for _, n := range networks {
		objs = append(objs, "network "+n.Name)
	}
	if err := errors.Join(err, serr, nerr); err != nil {
		t.Fatalf("listing the run's objects: %v", err)
	}
	return objs
}

// TestCleanupKeepsALiveRun: while a real-swarm run is going on, `chaosrun
// cleanup --run ID --yes` keeps its objects, naming its process as still
// running; once that process is killed outright (its objects are left),
// cleanup lists them as its owner having exited and --yes removes them.
func TestCleanupKeepsALiveRun(t *testing.T) {
	cli := dockerClient(t)
	runID := "cleanup-test-" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
	stack := "cleanup_" + strings.ReplaceAll(runID, "-", "_")
	cleanup := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(chaosrunBin, append([]string{"cleanup", "--run", runID}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("chaosrun cleanup --run %s %s: %v\n%s", runID, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { // whatever a failure left: this run only, whatever its owner labels say
		exec.Command(chaosrunBin, "cleanup", "--run", runID, "--yes", "--include-unowned", "--include-other-hosts").Run()
	})
	cmd := exec.Command(chaosrunBin, "--engine", "docker", "--run-id", runID, "--var", "stack="+stack,
		filepath.Join("cmd", "chaosrun", "testdata", "deploy_and_wait.star"))
	cmd.Dir = "../.."
	runOut, exited := startAndWaitFor(t, cmd, "print: deployed", 3*time.Minute)
	host, _ := os.Hostname()
	owner := fmt.Sprintf("its owner, pid %d on %s", cmd.Process.Pid, host)
	before := runObjects(t, cli, runID)
	if !slices.Contains(before, "service "+stack+"_app") {
		t.Fatalf("the run's objects are %v, want its service %s_app among them", before, stack)
	}

	out := cleanup("--yes")
	if !strings.Contains(out, "keep   run "+runID+": "+owner+", is still running\n") ||
		!strings.Contains(out, "nothing to remove, ") {
		t.Errorf("cleanup --yes during the run printed:\n%s\nwant run %s kept: %s, is still running", out, runID, owner)
	}
	if left := runObjects(t, cli, runID); !slices.Equal(left, before) {
		t.Errorf("cleanup --yes during the run left %v, want all of %v", left, before)
	}

	cmd.Process.Kill()
	waitExited(t, cmd, exited, time.Minute)
	out = cleanup()
	if !strings.Contains(out, "remove run "+runID+": "+owner+", has exited\n") ||
		!strings.Contains(out, "nothing removed: ") {
		t.Errorf("cleanup after the run was killed printed:\n%s\nwant run %s to remove: %s, has exited", out, runID, owner)
	}
	if left := runObjects(t, cli, runID); !slices.Equal(left, before) {
		t.Errorf("cleanup without --yes left %v, want all of %v", left, before)
	}
	out = cleanup("--yes")
	if !strings.Contains(out, "removed ") {
		t.Errorf("cleanup --yes after the run was killed printed:\n%s", out)
	}
	if left := runObjects(t, cli, runID); len(left) > 0 {
		t.Errorf("left behind after cleanup --yes: %s\n%s\nthe run printed:\n%s", strings.Join(left, ", "), out, runOut.String())
	}
}
