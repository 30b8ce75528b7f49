package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/runner"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts")

// chaosrunBin is the binary built once for the tests that run it.
var chaosrunBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "chaosrun-test")
	if err != nil {
		panic(err)
	}
	chaosrunBin = filepath.Join(dir, "chaosrun")
	if out, err := exec.Command("go", "build", "-o", chaosrunBin, ".").CombinedOutput(); err != nil {
		panic("go build: " + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestGolden runs every scenario under scenarios/ and examples/ on the
// simulator and compares its transcript with golden/ (go test -update
// rewrites them), as `chaosrun test` does.
func TestGolden(t *testing.T) {
	t.Chdir("../..")
	files, err := runner.ScenarioFiles(runner.ScenarioDirs())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario found under scenarios/ or examples/: the golden check would check nothing")
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			diff, err := checkGolden(f, runner.Config{Seed: 1}, *update, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("golden transcript differs (go test ./cmd/chaosrun -update rewrites it):\n%s", diff)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
		out  string // what the output contains; "" for no output at all
	}{
		{[]string{"testdata/passes.star"}, 0, "PASS: 1 passed"},
		// module code that prints is not a case of its own (issue 15).
		{[]string{"testdata/module_prints.star"}, 0, "PASS: 2 passed, 0 failed"},
		{[]string{"testdata/fails.star"}, 1, "assert.eq: got 1, want 2"},
		{[]string{"testdata/bad_arg.star"}, 2, "testdata/bad_arg.star:1:6: sleep: for parameter duration: got list"},
		{[]string{"testdata/syntax.star"}, 2, "testdata/syntax.star:1:3: got newline, want primary expression"},
		{[]string{"testdata/missing.star"}, 2, "testdata/missing.star: no such scenario file"},
		{[]string{"testdata/passes.star", "--var", "novalue"}, 2, `bad --var "novalue": want key=value`},
		{[]string{"--engine", "nope", "testdata/passes.star"}, 2, `unknown engine "nope"`},
		{[]string{"--nosuchflag", "testdata/passes.star"}, 2, "flag provided but not defined"},
		{[]string{"check", "testdata/syntax.star"}, 2, "testdata/syntax.star:1:3"},
		{[]string{"check", "testdata/passes.star"}, 0, ""},
		{[]string{"doc", "slep"}, 2, "did you mean sleep?"},
		// --run must name a case that exists (issue 12).
		{[]string{"../../examples/hello.star", "--run", "test_greting"}, 2,
			"--run test_greting matches no case (did you mean test_greeting?); cases of ../../examples/hello.star: test_greeting, test_virtual_time, test_catching_errors"},
		{[]string{"testdata/passes.star", "--run", "test_x"}, 2, "cases of testdata/passes.star: passes (no test_* function: the whole file is one case)"},
		{[]string{"testdata/passes.star", "--run", "passes"}, 0, "PASS: 1 passed"},
		{[]string{"testdata/fails.star", "testdata/passes.star", "--run", "test_fails"}, 1, "FAIL: 0 passed, 1 failed"},
		// chaosrun test must compare something (issue 12).
		{[]string{"test", "."}, 2, "test: no scenario file (*.star) under .: nothing to compare"},
		{[]string{"test", "testdata/passes.star"}, 2, "test: no scenario under testdata/passes.star has a golden file (golden/testdata/passes.golden): nothing to compare"},
		{[]string{"test"}, 2, "test: no scenarios/ or examples/ folder here: nothing to compare"},
		{[]string{"explore", "testdata/fails.star", "--run", "test_fail"}, 2, "--run test_fail matches no case (did you mean test_fails?)"},
		// Flags out of range are refused, not reinterpreted (issue 14).
		{[]string{"--timeout", "-5s", "testdata/passes.star"}, 2, "--timeout: got -5s, want a duration that is not negative (0: none)"},
		{[]string{"explore", "--jobs", "0", "testdata/passes.star"}, 2, "--jobs: got 0, want at least 1"},
		{[]string{"/dev/zero"}, 2, "/dev/zero: not a regular file (a device), want a scenario file"},
		{[]string{"check", "/dev/zero"}, 2, "/dev/zero: not a regular file (a device), want a scenario file"},
		// cleanup takes no run as an argument: it would clean every run (issue 14).
		{[]string{"cleanup", "r1"}, 2, `cleanup: no arguments expected, got "r1"; narrow it with --run ID or --stack NAME`},
	}
	for _, tt := range tests {
		cmd := exec.Command(chaosrunBin, tt.args...)
		out, _ := cmd.CombinedOutput()
		if got := cmd.ProcessState.ExitCode(); got != tt.want {
			t.Errorf("chaosrun %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), got, tt.want, out)
		}
		if tt.out == "" && len(out) > 0 {
			t.Errorf("chaosrun %s: output %q, want none", strings.Join(tt.args, " "), out)
		}
		if !bytes.Contains(out, []byte(tt.out)) {
			t.Errorf("chaosrun %s: output does not contain %q:\n%s", strings.Join(tt.args, " "), tt.out, out)
		}
		if bytes.Contains(out, []byte("goroutine ")) {
			t.Errorf("chaosrun %s: printed a Go stack trace:\n%s", strings.Join(tt.args, " "), out)
		}
	}
}

// TestInterruptRunsCleanupsAndExits130 sends Ctrl-C during a wall-clock
// sleep("1h"): chaosrun must run the case's cleanups and exit 130 within a
// second.
func TestInterruptRunsCleanupsAndExits130(t *testing.T) {
	cmd := exec.Command(chaosrunBin, "--engine", "none", "testdata/sleep_hour.star")
	out, exited := startAndWaitFor(t, cmd, "sleep: 1h0m0s", 10*time.Second)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	waitExited(t, cmd, exited, 10*time.Second)
	took := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, out.String())
	}
	if took > time.Second {
		t.Errorf("exit took %s after Ctrl-C, want under a second", took)
	}
	if !strings.Contains(out.String(), "print: cleanup ran") {
		t.Errorf("cleanup did not run:\n%s", out.String())
	}
}

// startAndWaitFor starts cmd and waits until its output holds text; it
// fails the test if cmd exits first or the timeout passes. exited closes
// when cmd has exited.
func startAndWaitFor(t *testing.T, cmd *exec.Cmd, text string, timeout time.Duration) (out *syncBuffer, exited chan struct{}) {
	t.Helper()
	out = &syncBuffer{} // written by the command's copier while the test reads it
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.After(timeout)
	for !strings.Contains(out.String(), text) {
		select {
		case <-exited:
			t.Fatalf("chaosrun exited before printing %q:\n%s", text, out.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("chaosrun did not print %q within %s:\n%s", text, timeout, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return out, exited
}

// waitExited waits until exited closes (cmd has exited); if timeout passes
// first it kills cmd and fails the test.
func waitExited(t *testing.T, cmd *exec.Cmd, exited <-chan struct{}, timeout time.Duration) {
	t.Helper()
	select {
	case <-exited:
	case <-time.After(timeout):
		cmd.Process.Kill()
		t.Fatalf("%s did not exit within %s", cmd.Path, timeout)
	}
}

// waitCmd waits for the started cmd like cmd.Wait and returns its error,
// failing the test (and killing cmd) if it has not exited within timeout.
func waitCmd(t *testing.T, cmd *exec.Cmd, timeout time.Duration) error {
	t.Helper()
	exited := make(chan struct{})
	var err error
	go func() { err = cmd.Wait(); close(exited) }()
	waitExited(t, cmd, exited, timeout)
	return err
}
