package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHTMLFlag: --html writes one self-contained page for run, test and
// repl, a failed case with its error and rerun command; a folder that
// cannot be written is refused before anything runs.
func TestHTMLFlag(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "rollback.html")
	code, _, stderr := runAt(t, ".", "testdata/rollback.star", "--html", page)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (the case fails): %s", code, exitFailed, stderr)
	}
	html := readFile(t, page)
	for _, want := range []string{
		`<span class="verdict fail">FAIL</span> test_upgrade_rolls_back`,
		`rolled back: update rolled back due to failure`,
		"rerun: <code>chaosrun testdata/rollback.star --run test_upgrade_rolls_back --engine sim --seed 1</code>",
		`class="band s-rollback_started"`, `class="marker m-fault"`, "error: task: non-zero exit",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	checkSelfContained(t, html)

	code, _, stderr = runAt(t, ".", "testdata/passes.star", "--html", filepath.Join(dir, "missing", "x.html"))
	if code != exitUsage || !strings.Contains(stderr, "x.html: no folder ") || strings.Contains(stderr, "PASS") {
		t.Errorf("--html into a missing folder: exit %d, stderr %q; want %d before anything runs", code, stderr, exitUsage)
	}

	testPage := filepath.Join(dir, "test.html")
	if code, out, stderr := runAt(t, "../..", "test", "--html", testPage, "scenarios/multi_node.star"); code != 0 {
		t.Fatalf("chaosrun test --html: exit %d: %s%s", code, out, stderr)
	}
	if html := readFile(t, testPage); strings.Count(html, `<section class="case`) < 2 || !strings.Contains(html, " on app-2") {
		t.Errorf("chaosrun test --html wrote no case timelines of multi_node.star with its tasks on node app-2")
	}

	replPage := filepath.Join(dir, "repl.html")
	cmd := replCommandLine(t, replPage)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("repl --html: %v: %s", err, out)
	}
	if html := readFile(t, replPage); !strings.Contains(html, "print: hello from the repl") {
		t.Errorf("the repl's page lacks its transcript")
	}
}

// checkSelfContained fails on anything the page would fetch: scripts,
// styles, images or fonts from a file or an address.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	fetch := regexp.MustCompile(`(?i)<(script|link|img|iframe)[^>]*\b(src|href)=|url\(|@import`)
	if m := fetch.FindString(html); m != "" {
		t.Errorf("the page fetches something: %q", m)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replCommandLine is a repl session that prints one line and ends.
func replCommandLine(t *testing.T, page string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(chaosrunBin, "repl", "--html", page)
	cmd.Stdin = strings.NewReader("print(\"hello from the repl\")\n")
	return cmd
}
