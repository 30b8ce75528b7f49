package builtins

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

// explainTimeout bounds what Explain asks the engine.
const explainTimeout = 10 * time.Second

// explainTasks is how many task errors Explain shows per service.
const explainTasks = 3

const touchedKey = "builtins.touched"

// touched is the ordered set of full service names a case deployed or
// inspected.
type touched struct {
	mu    sync.Mutex
	names []string
	seen  map[string]bool
}

// touchService records that the thread's case deployed or inspected the
// named services, for Explain.
func touchService(c *interp.Case, names ...string) {
	c.SetValueOnce(touchedKey, func() any { return &touched{seen: map[string]bool{}} })
	t := c.Value(touchedKey).(*touched)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range names {
		if !t.seen[n] {
			t.seen[n] = true
			t.names = append(t.names, n)
		}
	}
}

// Explain describes, for a failed case, the services it deployed or
// inspected as the engine shows them now: the UpdateStatus state and
// message, the live spec's chaos-version and version labels, and the last
// task errors. It returns "" when the case has no engine or touched no
// service. Call it before the case's cleanups remove what it deployed.
func Explain(c *interp.Case) string {
	e, _ := c.Value(engineKey).(engine.Engine)
	t, _ := c.Value(touchedKey).(*touched)
	if e == nil || t == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), explainTimeout)
	defer cancel()
	t.mu.Lock()
	names := append([]string(nil), t.names...)
	t.mu.Unlock()
	var b strings.Builder
	for _, name := range names {
		explainService(ctx, &b, e, name)
	}
	return scrubIDs(c, b.String())
}

// explainService writes the lines about one service.
func explainService(ctx context.Context, b *strings.Builder, e engine.Engine, name string) {
	svc, err := e.Service(ctx, name)
	if errors.Is(err, engine.ErrNotFound) {
		fmt.Fprintf(b, "service %s: not found\n", name)
		return
	}
	if err != nil {
		fmt.Fprintf(b, "service %s: cannot inspect: %v\n", name, err)
		return
	}
	fmt.Fprintf(b, "service %s:\n", name)
	fmt.Fprintf(b, "  update status: %s\n", updateStatus(svc.UpdateStatus))
	if l := versionLabels(svc.Spec.Labels); l != "" {
		fmt.Fprintf(b, "  labels: %s\n", l)
	}
	tasks, err := e.Tasks(ctx, name, false)
	if err != nil {
		fmt.Fprintf(b, "  tasks: cannot list: %v\n", err)
		return
	}
	for _, line := range taskErrors(tasks, explainTasks) {
		fmt.Fprintf(b, "  %s\n", line)
	}
}

// updateStatus renders an UpdateStatus as state and quoted message.
func updateStatus(st *swarm.UpdateStatus) string {
	if st == nil || st.State == "" {
		return "none (no update has run, or a redeploy changed no task)"
	}
	if st.Message == "" {
		return string(st.State)
	}
	return fmt.Sprintf("%s %q", st.State, st.Message)
}

// versionLabels renders abra's chaos-version and version labels.
func versionLabels(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		short := k[strings.LastIndex(k, ".")+1:]
		if strings.HasPrefix(k, "coop-cloud.") && (short == "chaos-version" || short == "version") {
			parts = append(parts, fmt.Sprintf("%s=%s", short, labels[k]))
		}
	}
	return strings.Join(parts, " ")
}

// taskErrors renders the first n tasks (newest first) that report an error.
func taskErrors(tasks []swarm.Task, n int) []string {
	var out []string
	for _, t := range tasks {
		if t.Status.Err == "" {
			continue
		}
		if len(out) == n {
			break
		}
		out = append(out, fmt.Sprintf("task %s (slot %d): %s: %s", t.ID, t.Slot, t.Status.State, t.Status.Err))
	}
	return out
}
