package main

import (
	"strings"
	"testing"
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
