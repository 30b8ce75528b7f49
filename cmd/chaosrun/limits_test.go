package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCaseTimeout: a case that hangs is named as it starts, fails when its
// bound (--case-timeout, or its own case_timeout) is up, with the bound and
// who set it, and the next case runs; the run exits 1, as for any failure.
// The sleeping loop's events fold into one repeat line.
func TestCaseTimeout(t *testing.T) {
	text := runFailing(t, "--engine", "none", "--case-timeout", "300ms", "testdata/hangs.star")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?s)=== RUN testdata/hangs.star test_spins\n--- FAIL testdata/hangs.star test_spins`),
		regexp.MustCompile(`testdata/hangs.star:\d+:\d+: case timed out after 300ms \(--case-timeout\)\n`),
		regexp.MustCompile(`testdata/hangs.star:11:\d+: case timed out after 200ms \(case_timeout at testdata/hangs.star:9\)\n`),
		regexp.MustCompile(`main repeat: the last event repeated \d+ more times?, until \+`),
		regexp.MustCompile(`--- PASS testdata/hangs.star test_runs_after_them`),
		regexp.MustCompile(`FAIL: 1 passed, 2 failed`),
	} {
		if !want.MatchString(text) {
			t.Errorf("output does not match %s:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "sleep: 50ms"); n != 2 {
		t.Errorf("%d sleep lines, want 2 and then a repeat line:\n%s", n, text)
	}
	if strings.Contains(text, "cancelled") || strings.Contains(text, "context canceled") {
		t.Errorf("the cancellation's own text leaked:\n%s", text)
	}
}

// TestCaseTimeoutRefusals: a negative bound is a usage error, and
// case_timeout outside a running case says why.
func TestCaseTimeoutRefusals(t *testing.T) {
	cmd := exec.Command(chaosrunBin, "--case-timeout", "-1s", "testdata/passes.star")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "--case-timeout: got -1s, want a duration that is not negative") {
		t.Errorf("exit %d, output %s", code, out)
	}
}

// TestMemoryBudget: a case that allocates without end, or doubles a
// string, fails with the budget named once the heap passes it; what it
// printed before stays in the output, the process survives and the next
// case runs.
func TestMemoryBudget(t *testing.T) {
	text := runFailing(t, "--engine", "none", "--max-memory", "128MiB", "testdata/grows.star")
	for _, want := range []string{
		"[+0s] main print: before\n--- FAIL testdata/grows.star test_grows",
		"case stopped: the heap grew past the memory budget of 128MiB (--max-memory)\n    rerun: chaosrun testdata/grows.star --run test_grows",
		"--- FAIL testdata/grows.star test_doubles",
		"main print: after\n--- PASS testdata/grows.star test_after",
		"FAIL: 1 passed, 2 failed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output does not contain %q:\n%s", want, text)
		}
	}
	cmd := exec.Command(chaosrunBin, "--max-memory", "lots", "testdata/passes.star")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), `--max-memory: got "lots", want a size`) {
		t.Errorf("--max-memory lots: exit %d, output %s", code, out)
	}
}

// runFailing runs chaosrun with args (bounded by the chaosrun helper),
// checks that it exits 1 (a case failed) and returns stdout and stderr.
func runFailing(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := chaosrun(t, args...)
	if code != exitFailed {
		t.Errorf("exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
	}
	return out + stderr
}

// TestGoldenRunsAreBounded: chaosrun test takes --case-timeout and
// --max-memory as run does, so a scenario that never ends cannot hang it;
// a bad bound is a usage error.
func TestGoldenRunsAreBounded(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/hangs.star")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scenarios", "hangs.star"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chaosrunBin, "test", "--update", "--case-timeout", "300ms", "--max-memory", "1GiB", "scenarios/hangs.star")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	golden, err := os.ReadFile(filepath.Join(dir, "golden", "scenarios", "hangs.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(golden), "case timed out after 300ms (--case-timeout)") || !strings.Contains(string(golden), "still runs") {
		t.Errorf("golden transcript:\n%s", golden)
	}
	cmd = exec.Command(chaosrunBin, "test", "--case-timeout", "-1s", "scenarios/hangs.star")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "--case-timeout: got -1s") {
		t.Errorf("exit %d, output %s", code, out)
	}
}
