package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/runner"
)

func exploreCommand() *cli.Command {
	return &cli.Command{
		Name:  "explore",
		Usage: "run every case of a scenario under many seeds on the simulator and count the outcomes",
		Description: "Seeds --seed, --seed+1, ... vary what the simulator draws (boot jitter, host load, fault\n" +
			"timing). For each case it reports passes, failures, the distinct failure messages with\n" +
			"counts and the command that replays the first failing seed. --shard i/n keeps every n-th\n" +
			"seed so CI jobs can split a sweep; --merge adds up their --json summaries.\n" +
			"It exits 0 when the sweep ran, whatever the outcomes (--strict: 1 if any run failed).",
		ArgsUsage: "FILE.star",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "runs", Value: 100, Usage: "number of seeds"},
			seedFlag("first seed"),
			&cli.IntFlag{Name: "jobs", Value: runtime.NumCPU(), Usage: "runs in parallel"},
			&cli.StringFlag{Name: "shard", Usage: "`i/n`: run only the i-th of n shares of the seeds"},
			varFlag(varUsage),
			&cli.StringFlag{Name: flagRun, Usage: "explore only the test_* case with this name"},
			&cli.BoolFlag{Name: flagJSON, Usage: "print the summary as JSON (mergeable)"},
			&cli.StringSliceFlag{Name: "merge", Usage: "merge these JSON summaries instead of running (repeatable)"},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 when any run failed"},
		},
		Action: exploreAction,
	}
}

func exploreAction(c *cli.Context) error {
	if files := c.StringSlice("merge"); len(files) > 0 {
		sum, err := mergeSummaries(files)
		if err != nil {
			return usageError(err)
		}
		return printExplore(c, sum, 0, 0)
	}
	if c.NArg() != 1 {
		return usageError(errors.New("explore: give one scenario file"))
	}
	vars, err := parseVars(c.StringSlice(flagVar))
	if err != nil {
		return usageError(err)
	}
	shard, shards, err := parseShard(c.String("shard"))
	if err != nil {
		return usageError(err)
	}
	if os.Getenv("GOGC") == "" {
		// Explore allocates a little per run and keeps little: collecting
		// less often is about 13% faster (measured on discourse_upgrade).
		debug.SetGCPercent(400)
	}
	if only := c.String(flagRun); only != "" {
		if _, err := filesWithCase(c.Args().Slice(), only); err != nil {
			return err
		}
	}
	opts := runner.ExploreOptions{Runs: c.Int("runs"), Seed: c.Int64(flagSeed), Jobs: max(c.Int("jobs"), 1), Shard: shard, Shards: shards}
	cfg := runner.Config{Engine: runner.EngineSim, Vars: vars, Only: c.String(flagRun)}
	ctx, userStop, stop := interruptible(c.Context, c.App.ErrWriter, 0)
	defer stop()
	start := time.Now()
	sum, err := runner.Explore(ctx, c.Args().First(), cfg, opts)
	if err != nil && !userStop() {
		return err
	}
	if perr := printExplore(c, sum, time.Since(start), opts.Jobs); perr != nil {
		return perr
	}
	if userStop() {
		return &exitError{code: exitInterrupted, silent: true}
	}
	return nil
}

func parseShard(s string) (int, int, error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("bad --shard %q: want i/n with 1 <= i <= n", s)
	}
	return i, n, nil
}

func mergeSummaries(files []string) (*runner.ExploreSummary, error) {
	sum := &runner.ExploreSummary{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("explore: %v", err)
		}
		var s runner.ExploreSummary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("explore: %s: not a --json summary: %v", f, err)
		}
		if err := sum.Merge(&s); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// printExplore prints the summary as text or JSON.
func printExplore(c *cli.Context, sum *runner.ExploreSummary, took time.Duration, jobs int) error {
	w := c.App.Writer
	if c.Bool(flagJSON) {
		b, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintln(w, string(b))
	} else {
		writeExplore(w, sum, took, jobs)
	}
	if c.Bool("strict") {
		for _, cs := range sum.Cases {
			if cs.Failed > 0 {
				return &exitError{code: exitFailed, silent: true}
			}
		}
	}
	return nil
}

func writeExplore(w io.Writer, sum *runner.ExploreSummary, took time.Duration, jobs int) {
	fmt.Fprintf(w, "explore %s: %d seeds", sum.File, sum.Runs)
	if took > 0 {
		total := 0
		for _, cs := range sum.Cases {
			total += cs.Runs
		}
		fmt.Fprintf(w, " in %s with %d jobs (%.0f seeds/s, %.0f case runs/s)", took.Round(time.Millisecond), jobs,
			float64(sum.Runs)/took.Seconds(), float64(total)/took.Seconds())
	}
	fmt.Fprintln(w)
	for _, cs := range sum.Cases {
		fmt.Fprintf(w, "  %-40s %5d passed %5d failed (%.1f%%)\n", cs.Name, cs.Passed, cs.Failed, 100*float64(cs.Failed)/float64(max(cs.Runs, 1)))
		msgs := make([]string, 0, len(cs.Failures))
		for m := range cs.Failures {
			msgs = append(msgs, m)
		}
		sort.Slice(msgs, func(i, j int) bool {
			if cs.Failures[msgs[i]] != cs.Failures[msgs[j]] {
				return cs.Failures[msgs[i]] > cs.Failures[msgs[j]]
			}
			return msgs[i] < msgs[j]
		})
		for _, m := range msgs {
			fmt.Fprintf(w, "      %5d× %s\n", cs.Failures[m], m)
		}
		if cs.FirstFailingSeed >= 0 {
			fmt.Fprintf(w, "      first failing seed %d: %s\n", cs.FirstFailingSeed,
				rerunCommand(sum.File, cs.Name, runner.Config{Engine: runner.EngineSim, Seed: cs.FirstFailingSeed}))
		}
	}
}
