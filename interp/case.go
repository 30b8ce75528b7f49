package interp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/clock"
)

// cleanupTimeout bounds each cleanup of a case.
const cleanupTimeout = 2 * time.Minute

// Case is the per-case state of a run: its clock, transcript, cleanups and
// the values builtin families attach to it (an engine, say).
type Case struct {
	// Name is the test function's name, or the file's name for a file with
	// no test_* functions.
	Name string
	// File is the scenario path as given on the command line.
	File string
	// Clock is the case's time source, set by the Host (default: real).
	Clock clock.Clock
	// Transcript records what the case did.
	Transcript *Transcript
	// Run is the state shared by every case of the file.
	Run *Run

	ctx      context.Context
	start    time.Time
	mu       sync.Mutex
	values   map[string]any
	cleanups []cleanup
	threads  map[*starlark.Thread]bool
	cancel   string
	// load marks the (load) pseudo-case, whose shared values (Share) the
	// module snapshots.
	load   bool
	shared []Shared
	// stop cancels the case's context; timer ends the case when its time
	// is up (SetTimeout).
	stop      context.CancelCauseFunc
	wallStart time.Time
	timer     *time.Timer
}

type cleanup struct {
	name string
	fn   func(ctx context.Context) error
}

// Context is the context that the case's blocking builtins watch.
func (c *Case) Context() context.Context { return c.ctx }

// Value returns a value a builtin family attached to the case.
func (c *Case) Value(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// SetValue attaches a value to the case.
func (c *Case) SetValue(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		c.values = map[string]any{}
	}
	c.values[key] = v
}

// Defer registers a cleanup that runs when the case ends, fails or is
// interrupted; cleanups run in reverse order and one that fails fails the case.
func (c *Case) Defer(name string, fn func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cleanups = append(c.cleanups, cleanup{name, fn})
}

// Elapsed is the time since the case started, on the case's clock.
func (c *Case) Elapsed() time.Duration { return c.Clock.Now().Sub(c.start) }

// Record adds an event from thread to the transcript.
func (c *Case) Record(thread *starlark.Thread, kind, msg string, fields map[string]string) {
	name := "main"
	if thread != nil && thread.Name != "" {
		name = thread.Name
	}
	c.Transcript.Add(Event{At: c.Elapsed(), Thread: name, Kind: kind, Msg: msg, Fields: fields})
}

// runCleanups runs the cleanups in reverse order, each with its own bounded
// context, and returns the first error.
func (c *Case) runCleanups() error {
	c.mu.Lock()
	cs := c.cleanups
	c.cleanups = nil
	c.mu.Unlock()
	var first error
	for i := len(cs) - 1; i >= 0; i-- {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := cs[i].fn(ctx)
		if err == nil && ctx.Err() != nil {
			err = fmt.Errorf("did not finish within %s", cleanupTimeout)
		}
		cancel()
		if err != nil {
			c.Record(nil, "cleanup", fmt.Sprintf("%s failed: %v", cs[i].name, err), nil)
			if first == nil {
				first = fmt.Errorf("cleanup %s: %w", cs[i].name, err)
			}
		}
	}
	return first
}

// Thread-local keys.
const (
	caseKey = "chaosrun.case"
	ctxKey  = "chaosrun.ctx"
)

// CaseOf returns the case a thread belongs to.
func CaseOf(thread *starlark.Thread) *Case {
	c, _ := thread.Local(caseKey).(*Case)
	if c == nil {
		panic("interp: thread has no case (was it made with Case.NewThread?)")
	}
	return c
}

// Context returns the context a builtin running on thread must watch.
func Context(thread *starlark.Thread) context.Context {
	if ctx, ok := thread.Local(ctxKey).(context.Context); ok {
		return ctx
	}
	return CaseOf(thread).ctx
}

// NewThread returns a Starlark thread of this case: it prints into the
// transcript, loads through the run's loader and is cancelled with the case.
func (c *Case) NewThread(name string) *starlark.Thread {
	return c.newThread(name, c.ctx)
}

func (c *Case) newThread(name string, ctx context.Context) *starlark.Thread {
	t := c.thread(name, ctx)
	c.mu.Lock()
	if c.threads == nil {
		c.threads = map[*starlark.Thread]bool{}
	}
	c.threads[t] = true
	if c.cancel != "" {
		t.Cancel(c.cancel)
	}
	c.mu.Unlock()
	return t
}

// thread makes a thread of the case, printing into its transcript and
// loading through its run's loader, whose builtins watch ctx; it is not
// registered for cancellation.
func (c *Case) thread(name string, ctx context.Context) *starlark.Thread {
	t := &starlark.Thread{
		Name:  name,
		Print: func(t *starlark.Thread, msg string) { c.Record(t, "print", msg, nil) },
		Load:  c.Run.load,
	}
	t.SetLocal(caseKey, c)
	t.SetLocal(ctxKey, ctx)
	return t
}

// cancelThreads cancels every thread of the case.
func (c *Case) cancelThreads(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel = reason
	for t := range c.threads {
		t.Cancel(reason)
	}
}

// CleanupThread returns a thread for running a cleanup: it belongs to the
// case but is not cancelled with it, only when ctx ends.
func (c *Case) CleanupThread(name string, ctx context.Context) (*starlark.Thread, func()) {
	t := c.thread(name, ctx)
	stop := context.AfterFunc(ctx, func() { t.Cancel("cleanup did not finish in time") })
	return t, func() { stop() }
}

// SetValueOnce attaches the value make returns unless key is already set.
func (c *Case) SetValueOnce(key string, make func() any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		c.values = map[string]any{}
	}
	if _, ok := c.values[key]; !ok {
		c.values[key] = make()
	}
}

// Start is when the case began on its clock: transcript offsets count
// from it.
func (c *Case) Start() time.Time { return c.start }
