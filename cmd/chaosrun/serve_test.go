package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe runs `chaosrun sim serve` on a socket of the test and
// returns its DOCKER_HOST; the server is stopped with SIGINT at the end,
// and must exit 0.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "sim.sock")
	cmd := exec.Command(chaosrunBin, append([]string{"sim", "serve", "--socket", sock}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		waitCmd(t, cmd, 10*time.Second)
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("sim serve exited %d: %s", code, stderr.String())
		}
		if _, err := os.Stat(sock); err == nil {
			t.Errorf("sim serve left its socket %s behind", sock)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sim serve did not listen: %s", stderr.String())
		}
	}
	return "unix://" + sock
}

// dockerCLI runs the docker CLI against host and returns its output; a
// failure fails the test.
func dockerCLI(t *testing.T, host, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func needDockerCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the docker CLI is not installed (.ci/docker-setup.sh installs docker.io)")
		}
		t.Skip("the docker CLI is not installed")
	}
}

// TestServeWithTheDockerCLI: the installed docker CLI deploys a stack to
// `chaosrun sim serve`, lists it, updates it with the progress monitor
// watching, rolls it back and removes it, as on a swarm manager.
func TestServeWithTheDockerCLI(t *testing.T) {
	needDockerCLI(t)
	host := startServe(t, "--time", "settle")
	stack, err := filepath.Abs("testdata/servestack")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"compose.yml", "upgrade.yml", "db_password.txt"} {
		b, err := os.ReadFile(filepath.Join(stack, f))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"}, []string{"active true"}},
		{[]string{"stack", "deploy", "-c", "compose.yml", "demo"}, []string{"Creating network demo_internal", "Creating secret demo_db_password", "Creating service demo_web", "Creating service demo_db"}},
		{[]string{"stack", "ls"}, []string{"demo      2"}},
		{[]string{"service", "ls", "--format", "{{.Name}} {{.Replicas}}"}, []string{"demo_db 1/1", "demo_web 2/2"}},
		{[]string{"stack", "ps", "demo", "--format", "{{.Name}} {{.DesiredState}} {{.CurrentState}}"}, []string{"demo_web.1 Running Running", "demo_web.2 Running Running", "demo_db.1 Running Running"}},
		{[]string{"service", "update", "--env-add", "VERSION=2", "demo_web"}, []string{"demo_web"}}, // the monitor prints its bars on a terminal only
		{[]string{"service", "inspect", "demo_web", "--format", "{{.UpdateStatus.State}} {{index .Spec.TaskTemplate.ContainerSpec.Env 0}}"}, []string{"completed VERSION=2"}},
		{[]string{"service", "rollback", "demo_web"}, []string{"rollback: rollback completed"}},
		{[]string{"service", "inspect", "demo_web", "--format", "{{.UpdateStatus.State}} {{index .Spec.TaskTemplate.ContainerSpec.Env 0}}"}, []string{"rollback_completed VERSION=1"}},
		// An upgrade whose new tasks are unhealthy: the monitor reports the
		// rollback and, as on a real swarm, exits 0 (docker/cli#6752).
		{[]string{"stack", "deploy", "--detach=false", "-c", "upgrade.yml", "demo"}, []string{"Updating service demo_web", "rollback: rollback completed"}},
		{[]string{"service", "inspect", "demo_web", "--format", "{{.UpdateStatus.State}} {{index .Spec.TaskTemplate.ContainerSpec.Env 0}}"}, []string{"rollback_completed VERSION=1"}},
		{[]string{"service", "ps", "demo_web", "--format", "{{.Name}} {{.CurrentState}} {{.Error}}"}, []string{" Failed ", "task: non-zero exit (143)"}},
		{[]string{"node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}"}, []string{"node-1 Ready Active"}},
		{[]string{"secret", "ls", "--format", "{{.Name}}"}, []string{"demo_db_password"}},
		{[]string{"network", "ls", "--format", "{{.Name}} {{.Scope}}"}, []string{"demo_internal swarm", "proxy swarm"}},
		{[]string{"stack", "services", "demo", "--format", "{{.Name}} {{.Mode}} {{.Replicas}}"}, []string{"demo_db replicated 1/1", "demo_web replicated 2/2"}},
		{[]string{"config", "create", "greeting", "db_password.txt"}, []string{}}, // prints its ID; config ls checks it
		{[]string{"config", "ls", "--format", "{{.Name}}"}, []string{"greeting"}},
		{[]string{"config", "rm", "greeting"}, []string{"greeting"}},
		{[]string{"service", "create", "--name", "extra", "--detach", "nginx:1.25"}, []string{}}, // prints its ID
		{[]string{"service", "ls", "--filter", "name=extra", "--format", "{{.Name}} {{.Replicas}}"}, []string{"extra 1/1"}},
		{[]string{"service", "rm", "extra"}, []string{"extra"}},
		{[]string{"stack", "rm", "demo"}, []string{"Removing service demo_web", "Removing secret demo_db_password", "Removing network demo_internal"}},
		{[]string{"service", "ls", "--format", "{{.Name}}"}, nil},
	}
	for _, s := range steps {
		out := dockerCLI(t, host, dir, s.args...)
		for _, want := range s.want {
			if !strings.Contains(out, want) {
				t.Errorf("docker %s printed\n%s\nwithout %q", strings.Join(s.args, " "), out, want)
			}
		}
		if s.want == nil && strings.TrimSpace(out) != "" {
			t.Errorf("docker %s printed %q, want nothing", strings.Join(s.args, " "), out)
		}
	}
}

// TestRerunKeepsAllowRun: a failed case's rerun command repeats
// --allow-run, without which the rerun would fail differently.
func TestRerunKeepsAllowRun(t *testing.T) {
	code, out, _ := runAt(t, ".", "testdata/fails.star", "--allow-run")
	if code != exitFailed || !strings.Contains(out, "rerun: chaosrun testdata/fails.star --run test_fails --engine sim --seed 1 --allow-run") {
		t.Errorf("exit %d, output\n%s\nwant a failure whose rerun has --allow-run", code, out)
	}
}
