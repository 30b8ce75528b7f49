package builtins_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// runScript runs src as a scenario with --allow-run and returns its one
// case's error and transcript lines.
func runScript(t *testing.T, src string) (error, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.star")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runner.RunFile(context.Background(), path, runner.Config{Engine: runner.EngineSim, Seed: 1, AllowRun: true})
	if res.Err != nil {
		t.Fatal(interp.Describe(res.Err))
	}
	var lines []string
	for _, e := range res.Cases[len(res.Cases)-1].Transcript.Events() {
		lines = append(lines, e.Kind+": "+e.Msg)
	}
	return res.Cases[len(res.Cases)-1].Err, lines
}

func TestExecRun(t *testing.T) {
	tests := []struct {
		name, src string
		err       string   // "" for none
		lines     []string // in the transcript, in order
	}{
		{"output and env", `out = exec.run(["sh", "-c", "echo $GREETING; echo oops >&2"], env = {"GREETING": "hello"})
assert.eq((out.code, out.stdout, out.stderr), (0, "hello\n", "oops\n"))`, "",
			[]string{`run: sh -c 'echo $GREETING; echo oops >&2' (exit 0)`, "output: hello", "output: stderr: oops"}},
		{"a failing command fails, naming its stderr", `exec.run(["sh", "-c", "echo no such stack >&2; exit 3"])`,
			`exec.run: sh -c 'echo no such stack >&2; exit 3' exited 3: no such stack`, []string{"(exit 3)"}},
		{"check=False returns the code", `out = exec.run(["sh", "-c", "exit 4"], check = False)
assert.eq(out.code, 4)`, "", nil},
		{"dir is the scenario's folder", `out = exec.run(["sh", "-c", "ls x.star"])
assert.eq(out.stdout, "x.star\n")`, "", nil},
		{"a command past its timeout is killed", `exec.run(["sleep", "10"], timeout = "200ms")`,
			"exec.run: sleep 10 still running after 200ms: killed", nil},
		{"a missing program", `exec.run(["no-such-program-here"])`, `exec.run: no-such-program-here: exec: "no-such-program-here": executable file not found in $PATH`, nil},
		{"long output is cut", `exec.run(["sh", "-c", "seq 1 100"])`, "", []string{"output: 40", "output: ... 60 more lines"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err, lines := runScript(t, "def test_x():\n    "+strings.ReplaceAll(tt.src, "\n", "\n    ")+"\n")
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("unexpected error: %s", interp.Describe(err))
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			all := strings.Join(lines, "\n")
			for _, want := range tt.lines {
				if !strings.Contains(all, want) {
					t.Errorf("transcript\n%s\nlacks %q", all, want)
				}
			}
		})
	}
}

// TestSimServeForTheDockerCLI: a scenario serves a simulated swarm and
// drives it with the docker CLI, whose output lands in the transcript.
func TestSimServeForTheDockerCLI(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the docker CLI is not installed (.ci/docker-setup.sh installs docker.io)")
		}
		t.Skip("the docker CLI is not installed")
	}
	err, lines := runScript(t, `def test_x():
    swarm = sim.serve(time = "settle")
    env = dict(swarm.env, DOCKER_CONFIG = "/nonexistent-chaosrun-test")
    exec.run(["docker", "service", "create", "--name", "web", "--replicas", "2", "--detach", "nginx:1.25"], env = env)
    out = exec.run(["docker", "service", "ls", "--format", "{{.Name}} {{.Replicas}}"], env = env)
    assert.eq(out.stdout, "web 2/2\n")
`)
	if err != nil {
		t.Fatal(interp.Describe(err))
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"serve: a simulated swarm on the Engine API (seed 1, time settle)", "output: web 2/2"} {
		if !strings.Contains(all, want) {
			t.Errorf("transcript\n%s\nlacks %q", all, want)
		}
	}
}
