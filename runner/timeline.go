package runner

import (
	"context"
	"sync"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/timeline"
)

// Recordings keeps, for each case a run starts, what its engine reported
// (engine.Observer), so that a timeline can be drawn once the case is
// done. Set Config.Recordings to record; it costs nothing otherwise.
type Recordings struct {
	mu     sync.Mutex
	byCase map[caseKey]*recording
}

type caseKey struct{ file, name string }

// recording is one case's changes.
type recording struct {
	c       *interp.Case
	engine  string
	mu      sync.Mutex
	changes []engine.Change
}

// NewRecordings returns an empty set of recordings.
func NewRecordings() *Recordings { return &Recordings{byCase: map[caseKey]*recording{}} }

// watch starts recording c's engine e until the case's cleanups run.
// A module's top level is not recorded: its engine lives until the file
// is done, and would see every case's changes too.
func (r *Recordings) watch(c *interp.Case, e engine.Engine, name string) {
	if r == nil || c.Name == interp.LoadCase {
		return
	}
	rec := &recording{c: c, engine: name}
	r.mu.Lock()
	r.byCase[caseKey{c.File, c.Name}] = rec
	r.mu.Unlock()
	obs, ok := e.(engine.Observer)
	if !ok {
		return
	}
	stop := obs.Observe(c.Context(), func(ch engine.Change) {
		rec.mu.Lock()
		rec.changes = append(rec.changes, ch)
		rec.mu.Unlock()
	})
	c.Defer("stop recording the timeline", func(context.Context) error { stop(); return nil })
}

// Timeline builds the timeline of a case that is done, and forgets its
// recording. detail and rerun are what chaosrun prints under a failure.
func (r *Recordings) Timeline(file string, res interp.CaseResult, cfg Config, detail, rerun string) timeline.Case {
	in := timeline.Input{File: file, Engine: cfg.Engine, Seed: cfg.Seed, Result: res, Detail: detail, Rerun: rerun}
	r.mu.Lock()
	rec := r.byCase[caseKey{file, res.Name}]
	delete(r.byCase, caseKey{file, res.Name})
	r.mu.Unlock()
	if rec != nil {
		rec.mu.Lock()
		in.Changes = rec.changes
		rec.mu.Unlock()
		in.Start, in.Engine, in.Aliases = rec.c.Start(), rec.engine, builtins.Aliases(rec.c)
	}
	return timeline.Build(in)
}
