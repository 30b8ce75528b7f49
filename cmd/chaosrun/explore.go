package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/interp"
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
			"It exits 1 when a case failed more often than --max-failure-rate allows (by default, at\n" +
			"all), 2 when a run had a script error, 130 when interrupted.",
		ArgsUsage: "FILE.star | --merge A.json [B.json...]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "runs", Value: 100, Usage: "number of seeds"},
			seedFlag("first seed"),
			&cli.IntFlag{Name: "jobs", Value: runtime.NumCPU(), Usage: "runs in parallel"},
			&cli.StringFlag{Name: "shard", Usage: "`i/n`: run only the i-th of n shares of the seeds"},
			varFlag(varUsage),
			varFileFlag(),
			rootFlag("folder that load() may not leave (default: the scenario's folder)"),
			&cli.StringFlag{Name: flagRun, Usage: "explore only the test_* case with this name"},
			&cli.BoolFlag{Name: flagJSON, Usage: "print the summary as JSON (mergeable)"},
			&cli.StringSliceFlag{Name: flagMerge, Usage: "merge these JSON summaries, and the files after the flags, instead of running (repeatable)"},
			maxFailureRateFlag(),
			htmlFlag("also write a report to `FILE`: rates, failures and their seeds, the simulator's draws in passing against failing runs, and the timelines of a few replayed seeds (one self-contained HTML page)"),
			caseTimeoutFlag(),
			maxMemoryFlag(),
			&cli.BoolFlag{Name: "strict", Hidden: true, Usage: "what explore does by default now: exit 1 when a run failed"},
		},
		Action: exploreAction,
	}
}

const flagMerge = "merge"

func exploreAction(c *cli.Context) error {
	th, err := parseThresholds(c.StringSlice(flagMaxFailureRate))
	if err != nil {
		return usageError(err)
	}
	if p := c.String(flagHTML); p != "" {
		if err := checkWritable(p); err != nil {
			return usageError(err)
		}
	}
	if files := c.StringSlice(flagMerge); len(files) > 0 {
		sum, err := mergeSummaries(append(files, c.Args().Slice()...))
		if err != nil {
			return usageError(err)
		}
		if err := th.checkNames(sum.File, caseNames(sum)); err != nil {
			return usageError(err)
		}
		ctx, _, stop := interruptible(c.Context, c.App.Writer, c.App.ErrWriter, 0)
		defer stop()
		if err := exploreHTML(ctx, c, sum, runner.Config{}); err != nil {
			return err
		}
		return finishExplore(c, sum, th, 0, 0, false)
	}
	if c.NArg() != 1 {
		return usageError(errors.New("explore: give one scenario file, or --merge and summaries"))
	}
	path := c.Args().First()
	cfg := runner.Config{Engine: runner.EngineSim, Root: c.String(flagRoot), Only: c.String(flagRun)}
	if cfg.Vars, err = varsFrom(c); err != nil {
		return usageError(err)
	}
	if cfg.CaseTimeout, cfg.MemoryBudget, err = limitsFrom(c); err != nil {
		return err
	}
	if err := checkExploreCases(path, cfg.Only, th); err != nil {
		return err
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
	if j := c.Int("jobs"); j < 1 {
		return usageError(fmt.Errorf("--jobs: got %d, want at least 1", j))
	}
	opts := runner.ExploreOptions{Runs: c.Int("runs"), Seed: c.Int64(flagSeed), Jobs: c.Int("jobs"), Shard: shard, Shards: shards}
	ctx, userStop, stop := interruptible(c.Context, c.App.Writer, c.App.ErrWriter, 0)
	defer stop()
	start := time.Now()
	sum, err := runner.Explore(ctx, path, cfg, opts)
	if err != nil && !userStop() {
		return err
	}
	took := time.Since(start)
	if err := exploreHTML(ctx, c, sum, cfg); err != nil {
		return err
	}
	return finishExplore(c, sum, th, took, opts.Jobs, userStop())
}

// exploreHTML writes the --html report, if asked for.
func exploreHTML(ctx context.Context, c *cli.Context, sum *runner.ExploreSummary, cfg runner.Config) error {
	p := c.String(flagHTML)
	if p == "" {
		return nil
	}
	if err := writeExploreHTML(ctx, p, sum, cfg, c.App.ErrWriter); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}

// checkExploreCases checks --run and the thresholds' case names against
// the scenario's cases before anything runs. A file that cannot be read
// is left to Explore to report.
func checkExploreCases(path, only string, th thresholds) error {
	if only != "" {
		if _, err := filesWithCase([]string{path}, only); err != nil {
			return err
		}
	}
	names, err := interp.CaseNames(path)
	if err != nil {
		return nil
	}
	if err := th.checkNames(path, names); err != nil {
		return usageError(err)
	}
	return nil
}

func caseNames(sum *runner.ExploreSummary) []string {
	names := make([]string, len(sum.Cases))
	for i, cs := range sum.Cases {
		names[i] = cs.Name
	}
	return names
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

// mergeSummaries adds up the --json summaries of a sweep's shards; a file
// given twice, shards that share seeds and counts that cannot be are
// refused, naming the file.
func mergeSummaries(files []string) (*runner.ExploreSummary, error) {
	sum := &runner.ExploreSummary{}
	seen := map[string]string{}
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		if first, dup := seen[abs]; dup {
			return nil, fmt.Errorf("explore --merge: %s is %s again: each shard's summary counts once", f, first)
		}
		seen[abs] = f
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("explore --merge: %v", err)
		}
		var s runner.ExploreSummary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("explore --merge: %s: not a --json summary: %v", f, err)
		}
		if err := sum.Merge(&s); err != nil {
			return nil, fmt.Errorf("explore --merge: %s: %v", f, err)
		}
	}
	return sum, nil
}

// finishExplore prints the summary as text or JSON and exits as the
// thresholds judge it (130 when the user interrupted).
func finishExplore(c *cli.Context, sum *runner.ExploreSummary, th thresholds, took time.Duration, jobs int, interrupted bool) error {
	code, line := th.verdict(sum)
	if sum.Interrupted {
		line += fmt.Sprintf("; interrupted: %d case runs cut off, %d seeds not run", interruptedRuns(sum), sum.NotRun())
	}
	if interrupted {
		code = worse(code, exitInterrupted)
	}
	w := c.App.Writer
	if c.Bool(flagJSON) {
		b, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintln(w, string(b))
		if code != exitOK {
			return &exitError{code: code, err: errors.New(line)} // on stderr: stdout is the JSON
		}
		return nil
	}
	writeExplore(w, sum, took, jobs)
	fmt.Fprintln(w, line)
	if code != exitOK {
		return &exitError{code: code, silent: true}
	}
	return nil
}

func interruptedRuns(sum *runner.ExploreSummary) int {
	n := 0
	for _, cs := range sum.Cases {
		n += cs.Interrupted
	}
	return n
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
		fmt.Fprintf(w, "  %-40s %5d passed %5d failed (%.1f%%)", cs.Name, cs.Passed, cs.Failed, 100*failureRate(cs))
		if cs.Interrupted > 0 {
			fmt.Fprintf(w, " %5d interrupted", cs.Interrupted)
		}
		fmt.Fprintln(w)
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
		if seed := cs.FirstFailingSeed; seed != nil {
			fmt.Fprintf(w, "      first failing seed %d: %s\n", *seed,
				rerunCommand(sum.File, cs.Name, runner.Config{Engine: runner.EngineSim, Seed: *seed, Vars: sum.Vars, Root: sum.Root}))
		}
	}
}
