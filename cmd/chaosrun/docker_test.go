package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
// network of the run behind.
func TestInterruptedDockerRunLeavesNothing(t *testing.T) {
	cli := dockerClient(t)
	runID := "ctrlc-test-" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
	stack := "ctrlc_" + strings.ReplaceAll(runID, "-", "_")
	cmd := exec.Command(chaosrunBin, "--engine", "docker", "--run-id", runID, "--var", "stack="+stack,
		filepath.Join("cmd", "chaosrun", "testdata", "deploy_and_wait.star"))
	cmd.Dir = "../.."
	out, exited := startAndWaitFor(t, cmd, "print: deployed", 3*time.Minute)
	cmd.Process.Signal(syscall.SIGINT)
	waitExited(t, cmd, exited, 5*time.Minute) // the cleanups remove what the run deployed
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, out.String())
	}
	args := filters.NewArgs(filters.Arg("label", "chaosrun.run="+runID))
	ctx := context.Background()
	var left []string
	services, _ := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	for _, s := range services {
		left = append(left, "service "+s.Spec.Name)
	}
	secrets, _ := cli.SecretList(ctx, swarm.SecretListOptions{Filters: args})
	for _, s := range secrets {
		left = append(left, "secret "+s.Spec.Name)
	}
	networks, _ := cli.NetworkList(ctx, network.ListOptions{Filters: args})
	for _, n := range networks {
		left = append(left, "network "+n.Name)
	}
	if len(left) > 0 {
		t.Errorf("left behind after Ctrl-C: %s\n%s", strings.Join(left, ", "), out.String())
	}
}
