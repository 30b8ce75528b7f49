package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// rollbackScenario fails on a rolled-back upgrade; it runs from the
// repository root, where its recipe fixture is.
const rollbackScenario = "cmd/chaosrun/testdata/rollback.star"

// runAtRoot runs chaosrun with args from the repository root, with extra
// environment variables.
func runAtRoot(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(chaosrunBin, args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env...)
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	cmd.Run()
	return out.String(), errw.String(), cmd.ProcessState.ExitCode()
}

func TestProgressGoesToStderrOnly(t *testing.T) {
	const line = "testapp_example_com_app  updating  0/1 running"
	tests := []struct {
		name     string
		env      []string
		args     []string
		inStderr []string
		notIn    []string // in neither stream
		exit     int
	}{
		{"plain prints state changes", nil, []string{"--progress", "plain"},
			[]string{"wait: " + line}, []string{"\x1b["}, exitFailed},
		{"live redraws in place", nil, []string{"--progress", "live"},
			[]string{"testapp_example_com_app  \x1b[33mwaiting\x1b[0m", "\x1b[1F\x1b[0J"}, nil, exitFailed},
		{"live without colour under NO_COLOR", []string{"NO_COLOR=1"}, []string{"--progress", "live"},
			[]string{"testapp_example_com_app  waiting", "\x1b[1F\x1b[0J"}, []string{"\x1b[33m"}, exitFailed},
		{"off", nil, []string{"--progress", "off"}, nil, []string{"wait: ", "running  0s"}, exitFailed},
		{"never with --json", nil, []string{"--progress", "plain", "--json"}, nil, []string{"wait: ", "running  0s"}, exitFailed},
		{"a bad mode is a usage error", nil, []string{"--progress", "loud"}, []string{`bad --progress "loud"`}, nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runAtRoot(t, tt.env, append(tt.args, rollbackScenario)...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.exit, stdout, stderr)
			}
			for _, s := range tt.inStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr does not contain %q:\n%q", s, stderr)
				}
			}
			if strings.Contains(stdout, "running  0s") || strings.Contains(stdout, "\x1b[") {
				t.Errorf("progress on stdout:\n%q", stdout)
			}
			for _, s := range tt.notIn {
				if strings.Contains(stdout+stderr, s) {
					t.Errorf("output contains %q:\n%q", s, stdout+stderr)
				}
			}
		})
	}
}

func TestFailureBlockExplainsTheService(t *testing.T) {
	want := []string{
		"assert_converged: service testapp_example_com_app rolled back",
		"    service testapp_example_com_app:\n",
		"      update status: rollback_started",
		"      labels: chaos-version=a0c8d6bf version=1.0.0\n",
		"      task x2 (slot 1): failed: ",
		"    rerun: chaosrun cmd/chaosrun/testdata/rollback.star --run test_upgrade_rolls_back --engine sim --seed 1\n",
	}
	stdout, stderr, code := runAtRoot(t, nil, "--progress", "off", rollbackScenario)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, stdout, stderr)
	}
	inOrder(t, "stdout", stdout, want)

	stdout, _, _ = runAtRoot(t, nil, "--json", rollbackScenario)
	var detail string
	for _, line := range strings.Split(stdout, "\n") {
		var r struct{ Type, Detail string }
		if json.Unmarshal([]byte(line), &r) == nil && r.Type == "case" {
			detail = r.Detail
		}
	}
	inOrder(t, "JSON detail", detail, []string{"service testapp_example_com_app:\n", "  update status: rollback_started"})
}
