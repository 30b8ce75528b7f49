package interp

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// memoryPoll is how often the memory watch reads the heap's size.
const memoryPoll = 5 * time.Millisecond

// memoryExceeded is why a case's context ended when the heap outgrew the
// run's memory budget (Options.MemoryBudget).
type memoryExceeded struct {
	budget  uint64
	running int // cases running when it happened
}

func (m *memoryExceeded) Error() string {
	msg := fmt.Sprintf("case stopped: the heap grew past the memory budget of %s (--max-memory)", formatBytes(m.budget))
	if m.running > 1 {
		msg += fmt.Sprintf("; %d cases were running, and each is stopped", m.running)
	}
	return msg
}

// formatBytes renders n in binary units ("512MiB", "1.5GiB").
func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.4g%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// memoryWatch stops the running cases when the process's heap passes a
// budget: Go cannot say which goroutine allocated what, so every case
// running then is stopped, as a timeout stops one. It polls the heap's
// live size (runtime/metrics, which does not stop the world) while at
// least one case with a budget runs, and sets Go's soft memory limit to
// the budget so the collector works hard before the watch has to act.
type memoryWatch struct {
	mu      sync.Mutex
	cases   map[*Case]uint64 // running cases and their budgets
	polling bool             // the polling goroutine runs
	limit   int64            // the soft limit before the watch set one
}

// memoryIdle is how long the polling goroutine outlives the last case it
// watched, so that explore's back-to-back cases do not start one each.
const memoryIdle = time.Second

var memory = &memoryWatch{cases: map[*Case]uint64{}}

// add watches c under budget.
func (w *memoryWatch) add(c *Case, budget uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cases[c] = budget
	if !w.polling {
		w.polling = true
		w.limit = debug.SetMemoryLimit(int64(min(budget, 1<<62)))
		go w.poll()
	}
}

// remove stops watching c.
func (w *memoryWatch) remove(c *Case) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.cases, c)
}

// poll reads the heap's size until no case has been watched for memoryIdle.
func (w *memoryWatch) poll() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	idle := time.Duration(0)
	for range tick.C {
		metrics.Read(sample)
		if w.check(sample[0].Value.Uint64()) {
			idle = 0
		} else if idle += memoryPoll; idle >= memoryIdle && w.stopIfIdle() {
			return
		}
	}
}

// stopIfIdle ends the polling when no case is watched, and says so.
func (w *memoryWatch) stopIfIdle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.cases) > 0 {
		return false
	}
	w.polling = false
	debug.SetMemoryLimit(w.limit)
	return true
}

// check stops every running case when heap passes the smallest budget;
// it reports whether any case is watched.
func (w *memoryWatch) check(heap uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	budget := uint64(0)
	for _, b := range w.cases {
		if budget == 0 || b < budget {
			budget = b
		}
	}
	if budget == 0 || heap <= budget {
		return len(w.cases) > 0
	}
	cause := &memoryExceeded{budget: budget, running: len(w.cases)}
	for c := range w.cases {
		c.stopFor(cause)
		delete(w.cases, c)
	}
	return true
}

// stopFor ends the case's body for cause, as its time running out does.
func (c *Case) stopFor(cause error) {
	c.mu.Lock()
	stop := c.stop
	c.mu.Unlock()
	if stop != nil {
		stop(cause)
	}
}
