// Package runner composes a chaosrun run: it picks the engine, attaches it
// to each case and runs scenario files through interp with the builtins.
// It is the only package that knows every engine; cmd/chaosrun and the
// golden tests both use it.
package runner

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine/docker"
	"github.com/coop-cloud/chaosrun/engine/sim"
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

// simEpoch is where every simulated case's clock starts.
var simEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config is what a run is asked to do.
type Config struct {
	Engine string
	Seed   int64
	Vars   map[string]string
	Root   string
	// Only runs a single test_* case.
	Only string
	// CaseTimeout bounds each case on the wall clock (0: none).
	CaseTimeout time.Duration
	// MemoryBudget stops the running cases when the heap passes it (0: none).
	MemoryBudget uint64
	// Verbose records the engine events that convergence waits see (task
	// states, update states) in transcripts too.
	Verbose bool
	// AllowRun lets scripts run external commands (exec.run).
	AllowRun bool

	// RunID labels what a real-engine run creates (chaosrun.run=<id>).
	RunID string
	// Keep leaves what a real-engine run created in place.
	Keep bool
	// Adopt lets a real-engine run change stacks chaosrun did not create.
	Adopt bool
	// Log receives the real engine's notes (faults, daemon warnings).
	Log io.Writer

	// Recordings, when set, records each case's engine changes for its
	// timeline (Recordings.Timeline).
	Recordings *Recordings

	// simStarted, when set, sees each case's simulator (explore reads
	// its draws).
	simStarted func(*sim.Sim)
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
	return interp.RunFile(ctx, path, Options(cfg))
}

// Options are the interp options of a run with cfg. Its hooks (Sink,
// CaseDone, CaseFailed) live only in interp.Options: a caller that wants
// them sets them on what Options returns.
func Options(cfg Config) interp.Options {
	return interp.Options{
		Predeclared:  builtins.Predeclared(),
		Vars:         cfg.Vars,
		Root:         cfg.Root,
		Only:         cfg.Only,
		CaseTimeout:  cfg.CaseTimeout,
		MemoryBudget: cfg.MemoryBudget,
		StartCase:    startCase(cfg),
	}
}

// startCase returns the hook that gives each case a fresh engine.
func startCase(cfg Config) func(c *interp.Case) error {
	return func(c *interp.Case) error {
		if cfg.Verbose {
			builtins.SetVerbose(c)
		}
		if cfg.AllowRun {
			builtins.AllowRun(c)
		}
		builtins.AttachSimServer(c, serveSim, cfg.Seed)
		switch cfg.Engine {
		case EngineSim:
			s := sim.New(cfg.Seed, clock.NewVirtual(simEpoch))
			if cfg.simStarted != nil {
				cfg.simStarted(s)
			}
			builtins.Attach(c, s)
			cfg.Recordings.watch(c, s, EngineSim)
			return nil
		case EngineNone:
			cfg.Recordings.watch(c, nil, EngineNone)
			return nil // the real clock, no swarm
		case EngineDocker:
			return startDockerCase(c, cfg)
		}
		return fmt.Errorf("engine %q is not available yet", cfg.Engine)
	}
}

// startDockerCase connects a case to the swarm of DOCKER_HOST; what the
// case creates is removed when it ends, unless cfg.Keep.
func startDockerCase(c *interp.Case, cfg Config) error {
	e, err := docker.New(c.Context(), docker.Options{RunID: cfg.RunID, Keep: cfg.Keep, Adopt: cfg.Adopt, Log: cfg.Log})
	if err != nil {
		return err
	}
	builtins.Attach(c, e)
	c.Defer("remove what the case created", e.Close)
	cfg.Recordings.watch(c, e, EngineDocker) // stops before the removal: cleanups run last first
	return nil
}

// CleanupOptions say what Cleanup lists and removes (docker.CleanupOptions).
type CleanupOptions = docker.CleanupOptions

// Cleanup lists, and with opts.Yes removes, what runs on the swarm of
// DOCKER_HOST left behind (objects labelled chaosrun.run), keeping the
// objects of runs still going on (docker.Cleanup).
func Cleanup(ctx context.Context, w io.Writer, opts CleanupOptions) error {
	return docker.Cleanup(ctx, w, opts)
}
