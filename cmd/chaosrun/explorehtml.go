package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
	"github.com/coop-cloud/chaosrun/timeline"
)

// Bounds on the timelines an explore report replays: the first seed of
// each distinct failure (at most replayPerCase per case, the most
// frequent first) and one passing seed per case.
const (
	replayPerCase = 3
	replayTotal   = 12
)

// writeExploreHTML replays a few seeds of the sweep with recording and
// writes the report to path.
func writeExploreHTML(ctx context.Context, path string, sum *runner.ExploreSummary, base runner.Config, warn io.Writer) error {
	rep := timeline.Explore{File: sum.File, Runs: sum.Runs, Seeds: seedRangesText(sum)}
	cfg := runner.Config{Engine: runner.EngineSim, Vars: sum.Vars, Root: sum.Root, CaseTimeout: base.CaseTimeout, MemoryBudget: base.MemoryBudget}
	// replay replays a seed whose sweep run ended with failure ("" when
	// it passed) and warns when the replay ends otherwise.
	replay := func(name string, seed int64, failure string) int {
		if len(rep.Timelines) >= replayTotal || ctx.Err() != nil {
			return -1
		}
		c, r, ok := replayCase(ctx, sum.File, name, seed, cfg)
		if !ok {
			return -1
		}
		if got := replayedAs(r); got != failure {
			fmt.Fprintf(warn, "chaosrun: explore --html: %s seed %d %s when replayed, but %s in the sweep\n",
				name, seed, outcome(got), outcome(failure))
		}
		rep.Timelines = append(rep.Timelines, c)
		return len(rep.Timelines) - 1
	}
	for _, cs := range sum.Cases {
		ec := timeline.ExploreCase{Name: cs.Name, Runs: cs.Runs, Passed: cs.Passed, Failed: cs.Failed, Errors: cs.Errors,
			Interrupted: cs.Interrupted, Passing: -1}
		for _, d := range cs.Draws {
			ec.Draws = append(ec.Draws, timeline.RunDraws{Seed: d.Seed, Passed: d.Passed, Values: d.Values})
		}
		for i, msg := range failuresByCount(cs) {
			f := timeline.Failure{Message: msg, Seeds: cs.FailureSeeds[msg], Replay: replayTemplate(sum, cs.Name), Timeline: -1}
			if i < replayPerCase && len(f.Seeds) > 0 {
				f.Timeline = replay(cs.Name, f.Seeds[0], msg)
			}
			ec.Failures = append(ec.Failures, f)
		}
		if seed, ok := passingSeed(sum, cs); ok {
			ec.Passing = replay(cs.Name, seed, "")
		}
		rep.Cases = append(rep.Cases, ec)
	}
	var b bytes.Buffer
	if err := timeline.WriteExplore(&b, rep); err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	if err := writeAtomically(path, b.Bytes()); err != nil {
		return fmt.Errorf("--html %s: %v", path, err)
	}
	return nil
}

// replayCase runs one case of file at seed with recording and returns
// its timeline and result.
func replayCase(ctx context.Context, file, name string, seed int64, cfg runner.Config) (timeline.Case, interp.CaseResult, bool) {
	cfg.Seed, cfg.Only, cfg.Recordings = seed, name, runner.NewRecordings()
	res := runner.RunFile(ctx, file, cfg)
	for _, r := range res.Cases {
		if r.Name == name {
			return cfg.Recordings.Timeline(file, r, cfg, r.Detail, rerunCommand(file, name, cfg)), r, true
		}
	}
	return timeline.Case{}, interp.CaseResult{}, false
}

// replayedAs is how a replayed case ended, as explore names it: "" for
// a pass, else its failure.
func replayedAs(r interp.CaseResult) string {
	if r.Passed() {
		return ""
	}
	return runner.FailureKey(r.Err)
}

// outcome says how a run ended: passed, or failed with the message.
func outcome(failure string) string {
	if failure == "" {
		return "passed"
	}
	return fmt.Sprintf("failed with %q", failure)
}

// failuresByCount lists a case's failure messages, the most frequent
// first (ties by message).
func failuresByCount(cs *runner.CaseStats) []string {
	msgs := make([]string, 0, len(cs.Failures))
	for m := range cs.Failures {
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b string) int {
		if cs.Failures[a] != cs.Failures[b] {
			return cs.Failures[b] - cs.Failures[a]
		}
		return strings.Compare(a, b)
	})
	return msgs
}

// passingSeed is the first seed the draws record as passing, else the
// first seed of the sweep that failed with nothing, when the case passed
// at all.
func passingSeed(sum *runner.ExploreSummary, cs *runner.CaseStats) (int64, bool) {
	if cs.Passed == 0 {
		return 0, false
	}
	for _, d := range cs.Draws {
		if d.Passed {
			return d.Seed, true
		}
	}
	failed := map[int64]bool{}
	for _, seeds := range cs.FailureSeeds {
		for _, s := range seeds {
			failed[s] = true
		}
	}
	for _, r := range sum.SeedRanges {
		for i := 0; i < r.Count; i++ {
			seed := r.First + int64(i)
			if r.Shards > 1 && i%r.Shards != r.Shard-1 {
				continue
			}
			if !failed[seed] {
				return seed, true
			}
		}
	}
	return 0, false
}

// replayTemplate is the command that replays a case, with {seed} for the
// seed.
func replayTemplate(sum *runner.ExploreSummary, name string) string {
	cmd := rerunCommand(sum.File, name, runner.Config{Engine: runner.EngineSim, Seed: -1, Vars: sum.Vars, Root: sum.Root})
	return strings.Replace(cmd, "--seed -1", "--seed {seed}", 1)
}

// seedRangesText names the seeds a summary covers.
func seedRangesText(sum *runner.ExploreSummary) string {
	parts := make([]string, len(sum.SeedRanges))
	for i, r := range sum.SeedRanges {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}
