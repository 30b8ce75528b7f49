package builtins_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// TestDefer checks from the transcript that cleanups run in reverse order
// of registration, after the body whether it passed or failed, and all of
// them even when one fails (docs/builtins.md, defer).
func TestDefer(t *testing.T) {
	const register = "    defer(print, \"a\")\n    defer(%s)\n    defer(print, \"c\")\n"
	tests := []struct {
		name, second, body string
		prints             string
		err                string // what the case's description ends with; "" for none
	}{
		{"passes", `print, "b"`, `print("body")`, "body c b a", ""},
		{"body fails", `print, "b"`, `fail("body broke")`, "c b a", "body broke"},
		{"cleanup fails", `fail, "b broke"`, `print("body")`, "body c a", "cleanup fail: b broke"},
		// Both errors are described, one after the other (issue 14).
		{"body and cleanup fail", `fail, "b broke"`, `fail("body broke")`, "c a", "body broke\ncleanup fail: b broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "defer.star")
			src := "def test_defer():\n" + fmt.Sprintf(register, tt.second) + "    " + tt.body + "\n"
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			res := runner.RunFile(context.Background(), path, runner.Config{Engine: runner.EngineSim, Seed: 1})
			if res.Err != nil || len(res.Cases) != 1 {
				t.Fatalf("run: %v, %d cases", res.Err, len(res.Cases))
			}
			c := res.Cases[0]
			var prints []string
			for _, e := range c.Transcript.Events() {
				if e.Kind == "print" {
					prints = append(prints, e.Msg)
				}
			}
			if got := strings.Join(prints, " "); got != tt.prints {
				t.Errorf("printed %q, want %q\n%s", got, tt.prints, c.Transcript.Text())
			}
			switch {
			case tt.err == "" && c.Err != nil:
				t.Errorf("unexpected error: %s", interp.Describe(c.Err))
			case tt.err != "" && (c.Err == nil || !strings.HasSuffix(interp.Describe(c.Err), tt.err)):
				t.Errorf("error %q, want one ending with %q", interp.Describe(c.Err), tt.err)
			}
		})
	}
}
