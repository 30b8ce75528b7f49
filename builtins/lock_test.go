package builtins_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// TestLockRefusesReentryAndDeadlock: asking for a lock the thread holds, or
// a wait that closes a cycle, fails at once with one line naming the lock
// and where each lock was acquired, on every engine; on the wall clock
// (--engine none) it used to hang forever (issue 14). The AB-BA case needs
// both branches to hold their first lock before either asks for its
// second, which only the simulator's clock orders for certain.
func TestLockRefusesReentryAndDeadlock(t *testing.T) {
	tests := []struct {
		name, src string
		engines   []string
		err       string // the case's error; "" when it must pass
	}{
		{"re-entry", `lock("x", lambda: lock("x", print))`, []string{"sim", "none"},
			"lock.star:1:23: lock x: already held by this thread (acquired at lock.star:1:5, asked again at lock.star:1:23); locks are not re-entrant"},
		{"a branch asks for its joiner's lock", `lock("x", lambda: parallel(lambda: lock("x", print)))`, []string{"sim", "none"},
			"lock x: deadlock: asked for at lock.star:1:40 while held by thread main (acquired at lock.star:1:5), which waits for this thread (one of its parallel branches) to end"},
		{"AB-BA", "def a():\n    lock(\"a\", lambda: sleep(\"1s\") or lock(\"b\", print))\n" +
			"def b():\n    lock(\"b\", lambda: sleep(\"1s\") or lock(\"a\", print))\nparallel(a, b)", []string{"sim"},
			"lock a: deadlock: asked for at lock.star:4:42 while held by thread a (acquired at lock.star:2:9), which waits for lock b, held by this thread (acquired at lock.star:4:9)"},
		{"nested distinct locks", `lock("x", lambda: lock("y", print))`, []string{"sim", "none"}, ""},
		{"contended, no cycle", `parallel(lambda: lock("x", sleep, "0.01s"), lambda: lock("x", sleep, "0.01s"))`, []string{"sim", "none"}, ""},
	}
	for _, tt := range tests {
		for _, engine := range tt.engines {
			t.Run(tt.name+"/"+engine, func(t *testing.T) {
				t.Chdir(t.TempDir()) // positions read lock.star:line:col
				path := "lock.star"
				if err := os.WriteFile(path, []byte(tt.src+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				// A guard, not a timed assertion: a deadlock the check
				// misses ends here, with an error that is not the one wanted.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				res := runner.RunFile(ctx, path, runner.Config{Engine: engine, Seed: 1})
				if res.Err != nil || len(res.Cases) != 1 {
					t.Fatalf("run: %v, %d cases", res.Err, len(res.Cases))
				}
				got := ""
				if err := res.Cases[0].Err; err != nil {
					got = interp.Describe(err)
				}
				if tt.err == "" && got != "" || !strings.Contains(got, tt.err) {
					t.Errorf("error:\n%s\nwant one holding:\n%s", got, tt.err)
				}
				if tt.err != "" && strings.Contains(res.Cases[0].Transcript.Text(), "waits (held by main)") {
					t.Errorf("the thread waited for itself:\n%s", res.Cases[0].Transcript.Text())
				}
			})
		}
	}
}
