package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/coop-cloud/chaosrun/interp"
)

// GoldenDir is where expected transcripts live, relative to the repository root.
const GoldenDir = "golden"

// GoldenPath is where the golden transcript of a scenario lives: the
// scenario's path under the repository root, with .star replaced by
// .golden, under golden/. scenarios/discourse_upgrade.star →
// golden/scenarios/discourse_upgrade.golden.
func GoldenPath(scenario string) string {
	rel := filepath.ToSlash(filepath.Clean(scenario))
	return filepath.Join(GoldenDir, strings.TrimSuffix(rel, ".star")+".golden")
}

// Golden renders a file result in the golden format: for each case a
// header with its verdict, its transcript, and for a failure the error.
// It holds no wall-clock time, random ID or temp path as long as the
// transcript holds none (the simulator's clock and IDs are seeded).
func Golden(res *interp.FileResult) string {
	var b strings.Builder
	if res.Err != nil {
		fmt.Fprintf(&b, "=== %s: ERROR\n%s\n", res.File, res.Err)
		return b.String()
	}
	for _, c := range loadFirst(res.Cases) {
		fmt.Fprintf(&b, "=== %s: %s\n", c.Name, Verdict(c))
		b.WriteString(c.Transcript.Text())
		if c.Err != nil {
			for _, line := range strings.Split(interp.Describe(c.Err), "\n") {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	return b.String()
}

// loadFirst puts the (load) pseudo-case, which runs first but ends last,
// at the front.
func loadFirst(cases []interp.CaseResult) []interp.CaseResult {
	out := make([]interp.CaseResult, 0, len(cases))
	for _, c := range cases {
		if c.Name == interp.LoadCase {
			out = append(out, c)
		}
	}
	for _, c := range cases {
		if c.Name != interp.LoadCase {
			out = append(out, c)
		}
	}
	return out
}

// Verdict is PASS or FAIL.
func Verdict(c interp.CaseResult) string {
	if c.Passed() {
		return "PASS"
	}
	return "FAIL"
}

// GoldenRun runs a scenario on the simulator with cfg's seed and limits
// (its engine, vars and case selection are not used) and renders its
// golden transcript. The scenario must not need --var values.
func GoldenRun(file string, cfg Config) string { return Golden(GoldenResult(file, cfg)) }

// GoldenResult runs a scenario as GoldenRun does (recording timelines
// when cfg.Recordings is set) and returns its result.
func GoldenResult(file string, cfg Config) *interp.FileResult {
	return RunFile(context.Background(), file, Config{Engine: EngineSim, Seed: cfg.Seed,
		CaseTimeout: cfg.CaseTimeout, MemoryBudget: cfg.MemoryBudget, Recordings: cfg.Recordings})
}
