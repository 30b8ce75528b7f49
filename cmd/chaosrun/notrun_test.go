package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cutShortFiles are what the not-run tests run: a case that waits an hour
// on the wall clock, one after it, and a whole file after that.
var cutShortFiles = []string{"testdata/sleep_then_more.star", "testdata/fails.star"}

// TestTimeoutReportsNotRun: a run --timeout cuts short names the cases it
// did not start in the text summary, the JSON lines and the JUnit report
// (as skipped), and the counts agree (issue 12).
func TestTimeoutReportsNotRun(t *testing.T) {
	args := append([]string{"--engine", "none", "--timeout", "300ms"}, cutShortFiles...)
	code, text, _ := chaosrun(t, args...)
	for _, want := range []string{
		"--- NOT RUN testdata/sleep_then_more.star test_after_the_wait (timed out)\n",
		"--- NOT RUN testdata/fails.star test_fails (timed out)\n",
		"FAIL: 0 passed, 1 failed, 2 not run\n",
	} {
		if code != exitFailed || !strings.Contains(text, want) {
			t.Errorf("exit %d, want %d and %q in:\n%s", code, exitFailed, want, text)
		}
	}
	report := filepath.Join(t.TempDir(), "report.xml")
	_, out, _ := chaosrun(t, append([]string{"--json", "--junit", report}, args...)...)
	checkNotRun(t, out, report, "timed out")
}

// TestInterruptReportsNotRun is the same after a Ctrl-C.
func TestInterruptReportsNotRun(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	cmd := exec.Command(chaosrunBin, append([]string{"--engine", "none", "--json", "--junit", report}, cutShortFiles...)...)
	out, exited := startAndWaitFor(t, cmd, `"msg":"1h0m0s"`, 10*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	waitExited(t, cmd, exited, 10*time.Second)
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	var stdout bytes.Buffer // stderr has the interrupt notice
	for _, line := range strings.SplitAfter(out.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			stdout.WriteString(line)
		}
	}
	checkNotRun(t, stdout.String(), report, "interrupted")
}

// checkNotRun checks the JSON lines and JUnit report of a cut-short run
// of cutShortFiles.
func checkNotRun(t *testing.T, out, report, reason string) {
	t.Helper()
	var notRun []string
	var sum struct{ Passed, Failed, NotRun int }
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ Type, File, Case, Verdict, Error string }
		json.Unmarshal([]byte(line), &r)
		if r.Verdict == "NOT RUN" {
			notRun = append(notRun, r.File+" "+r.Case+" "+r.Error)
		}
		if r.Type == "summary" {
			json.Unmarshal([]byte(strings.Replace(line, "not_run", "notrun", 1)), &sum)
		}
	}
	want := "testdata/sleep_then_more.star test_after_the_wait " + reason + "\ntestdata/fails.star test_fails " + reason
	if strings.Join(notRun, "\n") != want || sum.NotRun != 2 {
		t.Errorf("JSON not-run cases:\n%s\nsummary %+v; want:\n%s\nand not_run 2", strings.Join(notRun, "\n"), sum, want)
	}
	r := readJUnit(t, report)
	var skipped []string
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			if c.Skipped != nil {
				skipped = append(skipped, c.Classname+" "+c.Name+" "+strings.TrimPrefix(c.Skipped.Message, "not run: "))
			}
		}
	}
	if strings.Join(skipped, "\n") != want || r.Skipped != "2" || r.Tests != "3" {
		t.Errorf("JUnit skipped=%s tests=%s:\n%s\nwant skipped=2 tests=3:\n%s", r.Skipped, r.Tests, strings.Join(skipped, "\n"), want)
	}
}
