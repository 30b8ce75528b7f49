package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/internal/realswarm"
)

// compareSteps are the docker CLI commands run against sim serve and
// against the real daemon: a deploy, a clean update, a start-first
// rollback, a pause, a manual rollback and the stack's removal
// (testdata/servecompare; {s} is the stack). A "settled" step waits for
// the service's update to reach a final state and prints it: the CLI's
// monitor returns once the tasks are stable, which may be before swarm
// writes that state, on either engine.
var compareSteps = [][]string{
	{"stack", "deploy", "--detach=false", "-c", "v1.yml", "{s}"},
	{"stack", "deploy", "--detach=false", "-c", "v2.yml", "{s}"},
	{"settled"},
	{"stack", "deploy", "--detach=false", "-c", "unhealthy.yml", "{s}"},
	{"settled"},
	{"stack", "deploy", "--detach=false", "-c", "pause.yml", "{s}"},
	{"settled"},
	{"service", "rollback", "{s}_app"},
	{"settled"},
	{"service", "ls", "--filter", "name={s}_", "--format", "{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}"},
	{"stack", "rm", "{s}"},
}

var (
	cliIDs      = regexp.MustCompile(`\b[a-z0-9]{25}\b`)
	cliAgo      = regexp.MustCompile(`(less than a second|about a minute|an hour|\d+ (seconds?|minutes?|hours?)) ago`)
	cliWaitLine = regexp.MustCompile(`^verify: Waiting \d+ seconds? to verify that tasks are stable\.\.\.$`)
	cliBar      = regexp.MustCompile(`^\d+/\d+: `)
)

// normaliseCLI takes out of a command's output what differs between any
// two runs: IDs, ages, the stack's name, the monitor's countdown and
// progress bars, and how often it repeated a progress line.
func normaliseCLI(out, stack string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		l = strings.TrimRight(l, " ")
		if cliWaitLine.MatchString(l) || cliBar.MatchString(l) {
			continue
		}
		l = strings.ReplaceAll(l, stack, "<stack>")
		l = cliIDs.ReplaceAllString(l, "<id>")
		l = cliAgo.ReplaceAllString(l, "<ago>")
		if n := len(lines); n > 0 && lines[n-1] == l {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n") + "\n"
}

// docker runs the docker CLI against host in dir.
func docker(t *testing.T, host, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// settled waits, for up to a minute, for the service's update to reach a
// final state, and returns it with its message and the spec's first env
// entry.
func settled(t *testing.T, host, dir, service string) (string, int) {
	t.Helper()
	format := "{{.UpdateStatus.State}}: {{.UpdateStatus.Message}} {{index .Spec.TaskTemplate.ContainerSpec.Env 0}}"
	var out string
	var code int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		out, code = docker(t, host, dir, "service", "inspect", service, "--format", format)
		state, _, _ := strings.Cut(out, ":")
		if code != 0 || slices.Contains([]string{"completed", "rollback_completed", "paused", "rollback_paused"}, state) {
			break
		}
	}
	return out, code
}

// runSteps runs compareSteps against host and returns each step's exit
// status and normalised output.
func runSteps(t *testing.T, host, stack string) []string {
	t.Helper()
	dir, err := filepath.Abs("testdata/servecompare")
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, step := range compareSteps {
		args := make([]string, len(step))
		for i, a := range step {
			args[i] = strings.ReplaceAll(a, "{s}", stack)
		}
		var out string
		var code int
		if args[0] == "settled" {
			out, code = settled(t, host, dir, stack+"_app")
		} else {
			out, code = docker(t, host, dir, args...)
		}
		outs = append(outs, fmt.Sprintf("$ docker %s (exit %d)\n%s", strings.Join(step, " "), code, normaliseCLI(out, stack)))
	}
	return outs
}

// realDaemon is the host of the real daemon the comparison runs against,
// or "" (and a skip or, in CI, a failure) when there is none.
func realDaemon(t *testing.T) string {
	t.Helper()
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	cmd := exec.Command("docker", "info", "--format", "{{.Swarm.ControlAvailable}}")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no swarm manager at %s (.ci/docker-setup.sh makes one): %v %s", host, err, out)
		}
		t.Skipf("no swarm manager at %s: %v", host, err)
	}
	return host
}

// TestServeMatchesARealSwarm runs the same docker CLI commands against
// `chaosrun sim serve --time real` and against the real daemon, and
// compares what they print, IDs, ages and the monitor's countdown aside
// (docs/serve.md).
func TestServeMatchesARealSwarm(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	needDockerCLI(t)
	real := realDaemon(t)
	realswarm.Hold(t)
	stack := fmt.Sprintf("cmp%d", os.Getpid())
	sim := runSteps(t, startServe(t, "--time", "real"), stack)
	t.Cleanup(func() {
		cmd := exec.Command("docker", "stack", "rm", stack)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+real)
		cmd.Run()
	})
	got := runSteps(t, real, stack)
	for i := range got {
		if got[i] != sim[i] {
			t.Errorf("step %d differs:\n--- the real swarm\n%s--- sim serve\n%s", i+1, got[i], sim[i])
		}
	}
}

// TestDockerPyMatchesARealSwarm runs a docker-py harness step
// (testdata/servecompare/dockerpy.py, with Debian's python3-docker)
// against `chaosrun sim serve --time real` and against the real daemon,
// and compares what it printed.
func TestDockerPyMatchesARealSwarm(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import docker").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("docker-py is not installed (.ci/run installs Debian's python3-docker)")
		}
		t.Skip("docker-py is not installed: apt-get install -y python3-docker")
	}
	real := realDaemon(t)
	realswarm.Hold(t)
	name := fmt.Sprintf("pycmp%d", os.Getpid())
	script, err := filepath.Abs("testdata/servecompare/dockerpy.py")
	if err != nil {
		t.Fatal(err)
	}
	run := func(host string) string {
		cmd := exec.Command("/usr/bin/python3", script, name)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("dockerpy.py against %s: %v\n%s", host, err, out)
		}
		return string(out)
	}
	sim := run(startServe(t, "--time", "real"))
	t.Cleanup(func() {
		cmd := exec.Command("docker", "service", "rm", name)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+real)
		cmd.Run()
	})
	if got := run(real); got != sim {
		t.Errorf("docker-py saw differently:\n--- the real swarm\n%s--- sim serve\n%s", got, sim)
	}
}
