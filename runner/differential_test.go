package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/docker"
	"github.com/coop-cloud/chaosrun/interp"
)

// differential lists the scenarios that must tell the same story on the
// simulator and on a real swarm.
var differential = []string{"scenarios/testapp_upgrade.star"}

// needDocker skips (or, under CI=true, fails) when no swarm manager answers.
func needDocker(t testing.TB) {
	t.Helper()
	e, err := docker.New(context.Background(), docker.Options{RunID: "probe"})
	if err == nil {
		e.Close(context.Background())
		return
	}
	if os.Getenv("CI") == "true" || !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("real-engine test needs a swarm manager: %v", err)
	}
	t.Skipf("skipping real-engine test: %v (CI=true makes this a failure)", err)
}

// TestDifferential runs each differential scenario on both engines and
// compares the normalised transcripts: the same events, verdicts and
// failures, in the same order, whatever the timings. Where they disagree,
// the real swarm is right and the simulator must change.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	needDocker(t)
	t.Chdir("..")
	for _, file := range differential {
		t.Run(file, func(t *testing.T) {
			id, vars := ownStack("differential")
			sim := RunFile(context.Background(), file, Config{Engine: EngineSim, Seed: 1, Vars: vars})
			real := RunFile(context.Background(), file, Config{Engine: EngineDocker, RunID: id, Vars: vars})
			want, got := normalise(sim), normalise(real)
			if d := Diff("sim", want, "docker", got); d != "" {
				t.Errorf("the simulator and the real swarm disagree:\n%s", d)
			}
			for _, c := range real.Cases {
				if c.Err != nil {
					t.Errorf("%s on the real swarm: %s", c.Name, interp.Describe(c.Err))
				}
			}
		})
	}
}

// bothEngines lists scenarios whose every case must pass on the simulator
// and on a real swarm; their transcripts may differ where swarm races.
var bothEngines = []string{"scenarios/verdict_traps.star", "scenarios/refusals.star"}

// TestVerdictTraps runs the cases of bothEngines on both engines: the
// verdict traps (a rollback whose own task fails, a crash after the
// monitor window, zero replicas) and swarm's refusals (docs/refusals.md).
// Each case asserts its outcome itself.
func TestVerdictTraps(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	needDocker(t)
	t.Chdir("..")
	for _, file := range bothEngines {
		for _, cfg := range []Config{{Engine: EngineSim, Seed: 1}, {Engine: EngineDocker}} {
			t.Run(file+"/"+cfg.Engine, func(t *testing.T) {
				cfg.RunID, cfg.Vars = ownStack("verdicts")
				res := RunFile(context.Background(), file, cfg)
				if res.Err != nil {
					t.Fatal(interp.Describe(res.Err))
				}
				for _, c := range res.Cases {
					if c.Err != nil {
						t.Errorf("%s on %s: %s\n%s", c.Name, cfg.Engine, interp.Describe(c.Err), c.Transcript.Text())
					}
				}
			})
		}
	}
}

// ownStack gives a run a run ID and a stack (through the testapp_domain
// var) that no other test run on the swarm uses, so that test binaries
// running at once on one swarm never touch each other's objects.
func ownStack(prefix string) (runID string, vars map[string]string) {
	id := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6)
	return id, map[string]string{"testapp_domain": id + ".example.com"}
}

var (
	afterDuration = regexp.MustCompile(` after [0-9.]+(ns|µs|ms|s|m[0-9.]*s?|h[0-9.m]*s?)+`)
	withinTimes   = regexp.MustCompile(`[0-9]+(\.[0-9]+)?(ns|µs|ms|s)\b`)
)

// normalise renders a file result without what differs between engines:
// offsets, durations, task alias numbers (a real swarm's task events are
// more, so a task's alias comes later) and which thread printed (always
// main here).
func normalise(res *interp.FileResult) string {
	if res.Err != nil {
		return "error: " + res.Err.Error() + "\n"
	}
	var b strings.Builder
	for _, c := range loadFirst(res.Cases) {
		b.WriteString("=== " + c.Name + ": " + Verdict(c) + "\n")
		for _, e := range c.Transcript.Events() {
			if e.Kind == "sleep" {
				continue
			}
			msg := afterDuration.ReplaceAllString(e.Msg, "")
			msg = taskAlias.ReplaceAllString(msg, "xN") // a real swarm's tasks see more events
			if e.Kind == "verdict" {
				msg = rolledBack.ReplaceAllString(msg, "$1 rolled back") // as in TestConformance
			}
			b.WriteString(e.Kind + ": " + withinTimes.ReplaceAllString(msg, "<d>") + "\n")
		}
	}
	return b.String()
}
