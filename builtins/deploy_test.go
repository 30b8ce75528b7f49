package builtins

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
)

// TestScrubIDsConcurrent scrubs from several goroutines at once, as
// parallel branches on the docker engine do: every ID gets one alias, and
// the aliases are x1..xN. Run with -race.
func TestScrubIDsConcurrent(t *testing.T) {
	c := &interp.Case{Name: "test_x", Transcript: interp.NewTranscript(nil)}
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("%025d", i) // 25 alphanumerics, like a swarm ID
	}
	got := make([][]string, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range ids {
				got[g] = append(got[g], scrubIDs(c, "task "+id+" failed"))
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for g := range got {
		for i, msg := range got[g] {
			if msg != got[0][i] {
				t.Errorf("goroutine %d scrubbed %s to %q, goroutine 0 to %q", g, ids[i], msg, got[0][i])
			}
			if strings.Contains(msg, ids[i]) {
				t.Errorf("%q still holds the ID", msg)
			}
			seen[msg] = true
		}
	}
	for i := range ids {
		if want := fmt.Sprintf("task x%d failed", i+1); !seen[want] {
			t.Errorf("no %q among %v", want, seen)
		}
	}
}
