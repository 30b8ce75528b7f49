package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chaosrun runs the built binary in the test's folder and returns its
// exit code, stdout and stderr.
func chaosrun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(chaosrunBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCmd(t, cmd, time.Minute)
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestExploreExitCodes: explore is red when a case failed more often than
// the user accepts (by default, at all) and when a run had a script error;
// its summary line says which threshold was crossed (issue 12).
func TestExploreExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
		out  string
	}{
		{[]string{"testdata/passes.star"}, 0, "PASS: no run failed"},
		{[]string{"testdata/fails.star"}, 1, "FAIL: test_fails failed 100.0% of 5 runs, over the default --max-failure-rate 0"},
		{[]string{"testdata/fails.star", "--max-failure-rate", "1"}, 0, "PASS: every case within its --max-failure-rate"},
		{[]string{"testdata/fails.star", "--max-failure-rate", "test_fails=0.5", "--max-failure-rate", "1"}, 1,
			"FAIL: test_fails failed 100.0% of 5 runs, over its --max-failure-rate test_fails=0.5"},
		{[]string{"testdata/bad_arg.star", "--max-failure-rate", "1"}, 2, "ERROR: bad_arg had 5 script errors in 5 runs"},
		{[]string{"testdata/fails.star", "--json"}, 1, "chaosrun: FAIL: test_fails failed 100.0%"},
		{[]string{"testdata/fails.star", "--max-failure-rate", "1.5"}, 2, `bad --max-failure-rate "1.5": want R or CASE=R with 0 <= R <= 1`},
		{[]string{"testdata/fails.star", "--max-failure-rate", "0.1", "--max-failure-rate", "0.2"}, 2, "a second threshold for the same cases"},
		{[]string{"testdata/fails.star", "--max-failure-rate", "test_fail=0.1"}, 2,
			"--max-failure-rate test_fail: testdata/fails.star has no such case (did you mean test_fails?) (its cases: test_fails)"},
	}
	for _, tt := range tests {
		args := append([]string{"explore", "--runs", "5"}, tt.args...)
		code, stdout, stderr := chaosrun(t, args...)
		if code != tt.want || !strings.Contains(stdout+stderr, tt.out) {
			t.Errorf("chaosrun %s: exit %d, want %d and %q in\n%s%s", strings.Join(args, " "), code, tt.want, tt.out, stdout, stderr)
		}
	}
}

// TestExploreReplayIsExactAndInert runs explore's replay command through
// a shell: it must fail the same way, hand a var with spaces, quotes and
// $(...) over as it was, and run nothing else.
func TestExploreReplayIsExactAndInert(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	msg := `$(touch ` + marker + `) it's "quoted"; touch ` + marker
	_, out, _ := chaosrun(t, "explore", "testdata/fails_with_var.star", "--runs", "3", "--seed", "-7", "--var", "msg="+msg)
	m := regexp.MustCompile(`first failing seed (-?\d+): (.*)`).FindStringSubmatch(out)
	if m == nil || m[1] != "-7" {
		t.Fatalf("want first failing seed -7 and a replay command in:\n%s", out)
	}
	cmd := exec.Command("sh", "-c", m[2])
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(chaosrunBin)+string(os.PathListSeparator)+os.Getenv("PATH"), "CHAOSRUN_ENGINE=none")
	replay, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(replay), "print: "+msg+"\n") || !strings.Contains(string(replay), "msg was given") {
		t.Errorf("replay %s: exit %d, want 1 with the var printed as given:\n%s", m[2], cmd.ProcessState.ExitCode(), replay)
	}
	if !strings.Contains(m[2], "--engine sim --seed -7") {
		t.Errorf("replay %s: want the engine and seed", m[2])
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("replay %s ran a command of the var's value", m[2])
	}
}

// TestExploreMerge: --merge takes repeated flags and several files, and
// refuses a file twice, shards that share seeds and impossible counts
// with one line, exit 2.
func TestExploreMerge(t *testing.T) {
	dir := t.TempDir()
	shard := func(name, spec string) string {
		path := filepath.Join(dir, name)
		code, out, stderr := chaosrun(t, "explore", "testdata/fails.star", "--runs", "10", "--shard", spec, "--json")
		if code != 1 {
			t.Fatalf("shard %s: exit %d\n%s", spec, code, stderr)
		}
		os.WriteFile(path, []byte(out), 0o644)
		return path
	}
	a, b := shard("a.json", "1/2"), shard("b.json", "2/2")
	for _, args := range [][]string{{"--merge", a, b}, {"--merge", a, "--merge", b}} {
		code, out, _ := chaosrun(t, append([]string{"explore", "--json"}, args...)...)
		var sum struct{ Runs int }
		json.Unmarshal([]byte(out), &sum)
		if code != 1 || sum.Runs != 10 {
			t.Errorf("explore %s: exit %d, runs %d; want 1 and 10", strings.Join(args, " "), code, sum.Runs)
		}
	}
	edited := func(name, from, to string) string {
		src, _ := os.ReadFile(b)
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(strings.Replace(string(src), from, to, 1)), 0o644)
		return path
	}
	bare := filepath.Join(dir, "bare.json") // the file of issue 14: a null case, no seed ranges
	os.WriteFile(bare, []byte(`{"file":"a","runs":1,"cases":[null]}`), 0o644)
	copyOfA, _ := os.ReadFile(a)
	os.WriteFile(filepath.Join(dir, "a2.json"), copyOfA, 0o644)
	tests := []struct {
		files []string
		want  string
	}{
		{[]string{a, a}, "is " + a + " again"},
		{[]string{a, filepath.Join(dir, "a2.json")}, "seeds 1..10 (shard 1/2) overlap the seeds 1..10 (shard 1/2) merged already"},
		{[]string{a, edited("neg.json", `"passed": 0`, `"passed": -1`)}, "negative count"},
		{[]string{a, edited("more.json", `"failed": 5`, `"failed": 6`)}, "passed 0 + failed 6 + interrupted 0: want runs 5"},
		{[]string{a, edited("null.json", `"cases": [`, `"cases": [null,`)}, "case 0: want an object with a name"},
		{[]string{a, edited("noranges.json", `"seed_ranges"`, `"x"`)}, "no seed_ranges"},
		{[]string{bare}, "no seed_ranges"},
	}
	for _, tt := range tests {
		code, out, stderr := chaosrun(t, append([]string{"explore", "--merge"}, tt.files...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || out != "" {
			t.Errorf("explore --merge %s: exit %d, want 2 and one line with %q:\n%s%s", strings.Join(tt.files, " "), code, tt.want, out, stderr)
		}
	}
}
