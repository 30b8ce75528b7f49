package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/internal/realswarm"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/timeline"
)

// timelineCases are conformance cases whose timelines must have the same
// shape on both engines: an update, a rollback and a pause.
var timelineCases = []string{"test_clean_start_first_update", "test_start_first_rollback", "test_failure_action_pause"}

// shape is what two engines' timelines of one case are compared on: per
// service, its update states in order; per lane, each task's spec and how
// it ended. Times, IDs and the states a task passed on its way are left
// out: the docker engine sees a task's state when it looks, and a task
// that started and failed between two looks shows only its end.
// The simulator runs each case under conformSeeds seeds, since it draws
// swarm's races: the real timeline must have the shape of one of them.
// (This comparison found that after a start-first rollback that wins its
// race a real swarm still makes a replacement, from the restored spec,
// and shuts it down at once: docs/swarm-semantics.md §15.)
func shape(c timeline.Case) string {
	var b strings.Builder
	for _, s := range c.Services {
		var states []string
		for _, band := range s.Bands {
			if len(states) == 0 || states[len(states)-1] != band.State {
				states = append(states, band.State)
			}
		}
		fmt.Fprintf(&b, "%s updates %s\n", stackName.ReplaceAllString(s.Name, "<stack>"), strings.Join(states, " → "))
		for _, l := range s.Lanes {
			var tasks []string
			for _, t := range l.Tasks {
				end := t.End
				if t.Open() {
					end = "open " + t.Spans[len(t.Spans)-1].State
				}
				tasks = append(tasks, fmt.Sprintf("%s:%s", t.Version, end))
			}
			fmt.Fprintf(&b, "  %s: %s\n", l.Label, strings.Join(tasks, ", "))
		}
	}
	return b.String()
}

// caseTimeline runs one case of file with recording and returns its
// timeline.
func caseTimeline(t *testing.T, file, name string, cfg Config) timeline.Case {
	t.Helper()
	cfg.Only, cfg.Root, cfg.Recordings = name, conformRoot, NewRecordings()
	res := RunFile(context.Background(), file, cfg)
	if res.Err != nil {
		t.Fatalf("%s: %s", file, interp.Describe(res.Err))
	}
	for _, r := range res.Cases {
		if r.Name == name {
			if !r.Passed() {
				t.Fatalf("%s failed on the %s engine: %s", name, cfg.Engine, interp.Describe(r.Err))
			}
			return cfg.Recordings.Timeline(file, r, cfg, "", "")
		}
	}
	t.Fatalf("no case %s in %s", name, file)
	return timeline.Case{}
}

// TestTimelinesAgree: the same conformance case drawn from the simulator
// and from a real swarm has the same lanes, the same update states in
// the same order and tasks that end the same way (docs/timeline.md).
func TestTimelinesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	needDocker(t)
	t.Chdir("..")
	const file = "conformance/updates.star"
	for _, name := range timelineCases {
		t.Run(name, func(t *testing.T) {
			var sims []string
			for seed := int64(1); seed <= conformSeeds; seed++ {
				s := shape(caseTimeline(t, file, name, Config{Engine: EngineSim, Seed: seed}))
				if !slices.Contains(sims, s) {
					sims = append(sims, s)
				}
			}
			realswarm.Hold(t)
			id, vars := ownStack("timeline")
			real := caseTimeline(t, file, name, Config{Engine: EngineDocker, RunID: id, Vars: vars})
			got := shape(real)
			if !slices.Contains(sims, got) {
				t.Errorf("the real swarm's timeline has a shape no simulated seed had:\n%s", Diff("sim", sims[0], "docker", got))
			}
			if len(real.Services) == 0 || real.End <= 0 {
				t.Errorf("the real timeline is empty: %+v", real)
			}
		})
	}
}

// TestTimelineOfTheSimulator: the simulator's timeline of a start-first
// rollback shows the update, the rollback and the failed task with its
// error, in the order they happened (the real swarm's is compared with it
// by TestTimelinesAgree).
func TestTimelineOfTheSimulator(t *testing.T) {
	t.Chdir("..")
	c := caseTimeline(t, "conformance/updates.star", "test_start_first_rollback", Config{Engine: EngineSim, Seed: 1})
	got := shape(c)
	for _, want := range []string{"updates updating → rollback_started → rollback_completed", ":failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("shape\n%s\nlacks %q", got, want)
		}
	}
	var failed *timeline.Task
	for _, s := range c.Services {
		for _, l := range s.Lanes {
			for i := range l.Tasks {
				if l.Tasks[i].End == "failed" {
					failed = &l.Tasks[i]
				}
			}
		}
	}
	if failed == nil || failed.Err == "" || failed.To <= failed.From {
		t.Fatalf("failed task %+v: want one with its error, ending after it began", failed)
	}
}
