package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkNoGoDump fails the test when a command's output holds a Go panic
// or goroutine dump instead of a line in words.
func checkNoGoDump(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine "} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%s", bad, out)
		}
	}
}

// TestTimeoutCutsCleanups: --timeout bounds the whole run, cleanups
// included. A cleanup that never ends is cut when the deadline passes, the
// transcript says so, the cleanups after it are not started, and the run
// exits 1 as for any timeout (issue 14). The command's own guard
// (waitCmd's minute) is far below the two minutes a cleanup used to get.
func TestTimeoutCutsCleanups(t *testing.T) {
	for _, engine := range []string{"sim", "none"} {
		t.Run(engine, func(t *testing.T) {
			code, out, stderr := chaosrun(t, "--engine", engine, "--timeout", "500ms", "testdata/spinning_defer.star")
			if code != exitFailed {
				t.Errorf("exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
			}
			for _, want := range []string{
				"main print: body done\n",
				"main cleanup: spin failed: cut: the run's timeout passed\n",
				"main cleanup: print failed: not run: the run's timeout had passed\n",
				"--- FAIL testdata/spinning_defer.star test_spins_in_cleanup",
				"\n    cleanup spin: cut: the run's timeout passed\n    rerun:",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output does not hold %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "print: registered first") {
				t.Errorf("a cleanup ran after the deadline:\n%s", out)
			}
			checkNoGoDump(t, out+stderr)
		})
	}
}

// TestStoppedRunRemovesItsTempFolder: however a run that made a temporary
// checkout is stopped (its output pipe closed, SIGTERM, Ctrl-C twice), it
// exits 130 with a line saying why and leaves nothing in the temporary
// folder; a closed pipe used to kill it outright with SIGPIPE, leaving its
// checkout behind (issue 14).
func TestStoppedRunRemovesItsTempFolder(t *testing.T) {
	const ready = "print: temp repo ready"
	tests := []struct {
		name   string
		vars   []string
		stop   func(t *testing.T, cmd *exec.Cmd, out *syncBuffer, stdout io.Closer)
		notice string
	}{
		{"output closed", nil, func(t *testing.T, cmd *exec.Cmd, out *syncBuffer, stdout io.Closer) {
			stdout.Close()
		}, "chaosrun: output closed (broken pipe); stopping and running cleanups\n"},
		{"SIGTERM", nil, func(t *testing.T, cmd *exec.Cmd, out *syncBuffer, stdout io.Closer) {
			cmd.Process.Signal(syscall.SIGTERM)
		}, "chaosrun: interrupted; running cleanups"},
		{"Ctrl-C twice", []string{"--var", "slow_cleanup=1"}, func(t *testing.T, cmd *exec.Cmd, out *syncBuffer, stdout io.Closer) {
			cmd.Process.Signal(syscall.SIGINT)
			waitFor(t, cmd, out, "cleanup defer: sleep")
			cmd.Process.Signal(syscall.SIGINT)
		}, "chaosrun: interrupted twice; exiting without cleanup\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(chaosrunBin, append([]string{"--engine", "none", "testdata/temp_repo_then_print.star"}, tt.vars...)...)
			cmd.Env = append(os.Environ(), "CHAOSRUN_TMPDIR="+tmp)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			out, stderr := &syncBuffer{}, &syncBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go io.Copy(out, stdout) // ends when the test closes stdout
			waitFor(t, cmd, out, ready)
			tt.stop(t, cmd, out, stdout)
			waitCmd(t, cmd, time.Minute)
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit %d (%s), want %d\n%s%s", code, cmd.ProcessState, exitInterrupted, out, stderr)
			}
			if !strings.Contains(stderr.String(), tt.notice) {
				t.Errorf("stderr does not hold %q:\n%s", tt.notice, stderr)
			}
			checkNoGoDump(t, out.String()+stderr.String())
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the run left %s in its temporary folder", left[0].Name())
			}
		})
	}
}

// TestRunRemovesDeadRunsFolders: a run that makes a temporary checkout
// first removes the run folders of runs that are gone (here a folder named
// like one, whose lock no process holds, as after a crash), and never a
// live run's (issue 14).
func TestRunRemovesDeadRunsFolders(t *testing.T) {
	tmp := t.TempDir()
	dead := filepath.Join(tmp, "chaosrun-pid1-123")
	if err := os.MkdirAll(filepath.Join(dead, "chaosrun-git-1", "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "CHAOSRUN_TMPDIR="+tmp)
	live := exec.Command(chaosrunBin, "--engine", "none", "testdata/temp_repo_then_print.star")
	live.Env = env
	out, exited := startAndWaitFor(t, live, "print: temp repo ready", time.Minute)
	defer func() { live.Process.Signal(syscall.SIGTERM); waitExited(t, live, exited, time.Minute) }()
	liveFolders := slices.DeleteFunc(runFolders(t, tmp), func(f string) bool { return f == filepath.Base(dead) })
	if len(liveFolders) != 1 {
		t.Fatalf("the live run has %d run folders (%q), want 1", len(liveFolders), liveFolders)
	}

	run := exec.Command(chaosrunBin, "--engine", "none", "--var", "lines=0", "testdata/temp_repo_then_print.star")
	run.Env = env
	if got, err := run.CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, got)
	}
	got := runFolders(t, tmp)
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("the dead run's folder is still there: %q", got)
	}
	for _, f := range liveFolders {
		if !slices.Contains(got, f) {
			t.Errorf("the live run's folder %s was removed (left: %q)\n%s", f, got, out)
		}
	}
}

// runFolders lists the run folders in dir.
func runFolders(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "chaosrun-pid") {
			names = append(names, e.Name())
		}
	}
	return names
}
