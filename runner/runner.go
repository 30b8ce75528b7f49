// Package runner composes a chaosrun run: it picks the engine, attaches it
// to each case and runs scenario files through interp with the builtins.
// It is the only package that knows every engine; cmd/chaosrun and the
// golden tests both use it.
package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/interp"
)

// Engine names.
const (
	EngineSim    = "sim"
	EngineDocker = "docker"
	// EngineNone runs on the wall clock with no swarm, for scripts that only
	// touch git and recipes.
	EngineNone = "none"
)

// SimEpoch is where every simulated case's clock starts.
var SimEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config is what a run is asked to do.
type Config struct {
	Engine string
	Seed   int64
	Vars   map[string]string
	Root   string
	// Only runs a single test_* case.
	Only string
	// Verbose records engine events (task states) in transcripts too.
	Verbose bool
	// Sink receives each event as it is recorded.
	Sink func(c *interp.Case, e interp.Event)
	// CaseDone is called as soon as each case has finished.
	CaseDone func(file string, r interp.CaseResult)
}

// Validate reports a bad configuration as a usage error.
func (cfg Config) Validate() error {
	switch cfg.Engine {
	case EngineSim, EngineDocker, EngineNone:
		return nil
	}
	return fmt.Errorf("unknown engine %q (want %s, %s or %s)", cfg.Engine, EngineSim, EngineDocker, EngineNone)
}

// RunFile runs one scenario file.
func RunFile(ctx context.Context, path string, cfg Config) *interp.FileResult {
	opts := interp.Options{
		Predeclared: builtins.Predeclared(),
		Vars:        cfg.Vars,
		Root:        cfg.Root,
		Only:        cfg.Only,
		Sink:        cfg.Sink,
		CaseDone:    cfg.CaseDone,
		StartCase:   startCase(cfg),
	}
	return interp.RunFile(ctx, path, opts)
}

// startCase returns the hook that gives each case a fresh engine.
func startCase(cfg Config) func(c *interp.Case) error {
	return func(c *interp.Case) error {
		switch cfg.Engine {
		case EngineSim:
			c.Clock = clock.NewVirtual(SimEpoch)
			return nil
		case EngineNone:
			return nil // the real clock, no swarm
		}
		return fmt.Errorf("engine %q is not available yet", cfg.Engine)
	}
}
