package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/progress"
	"github.com/coop-cloud/chaosrun/runner"
)

const (
	flagEngine  = "engine"
	flagSeed    = "seed"
	flagVar     = "var"
	flagJSON    = "json"
	flagTimeout = "timeout"
	flagVerbose = "verbose"
	flagRun     = "run"
	flagRoot    = "root"
	// flagCaseTimeout bounds each case; case_timeout() sets a case's own.
	flagCaseTimeout = "case-timeout"
)

// Usages of --seed where it seeds a single run, and of --var for scenarios.
const (
	seedUsage = "seed of the simulator's randomness"
	varUsage  = "`key=value` for the scenario's vars dict (repeatable)"
)

// Flags shared by several commands; usage says what each command does
// with them.
func engineFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: flagEngine, Value: runner.EngineSim, Usage: usage, EnvVars: []string{"CHAOSRUN_ENGINE"}}
}
func seedFlag(usage string) cli.Flag { return &cli.Int64Flag{Name: flagSeed, Value: 1, Usage: usage} }
func varFlag(usage string) cli.Flag  { return &cli.StringSliceFlag{Name: flagVar, Usage: usage} }
func rootFlag(usage string) cli.Flag { return &cli.StringFlag{Name: flagRoot, Usage: usage} }
func maxMemoryFlag() cli.Flag {
	return &cli.StringFlag{Name: flagMaxMemory, Usage: "stop the running cases when chaosrun's heap grows past this size, like \"2GiB\" (0: none; default a quarter of the memory it may use)"}
}
func caseTimeoutFlag() cli.Flag {
	return &cli.DurationFlag{Name: flagCaseTimeout, Usage: "fail a case that runs longer than this much wall time, cleanups apart, and go on with the next (0: none; case_timeout() sets a case's own)"}
}
func keepFlag(usage string) cli.Flag { return &cli.BoolFlag{Name: "keep", Usage: usage} }
func verboseFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagVerbose, Aliases: []string{"v"}, Usage: "record the engine events convergence waits see (task and update states) in the transcript"}
}
func allowRunFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagAllowRun, Usage: "let scripts run external commands with exec.run (the docker CLI, a harness step)"}
}

const flagAllowRun = "allow-run"

func adoptFlag() cli.Flag {
	return &cli.BoolFlag{Name: "adopt", Usage: "docker engine: allow changing stacks chaosrun did not create"}
}

// runFlags are the flags of `chaosrun run` (and of bare `chaosrun FILE`).
func runFlags() []cli.Flag {
	return []cli.Flag{
		engineFlag("swarm engine: sim (simulated, deterministic), docker (DOCKER_HOST) or none (wall clock, no swarm)"),
		seedFlag(seedUsage),
		varFlag(varUsage),
		varFileFlag(),
		&cli.BoolFlag{Name: flagJSON, Usage: "print events as JSON lines, then a summary object"},
		&cli.DurationFlag{Name: flagTimeout, Usage: "stop the run after this much wall time (0: none)"},
		caseTimeoutFlag(),
		maxMemoryFlag(),
		verboseFlag(),
		&cli.StringFlag{Name: flagRun, Usage: "run only the test_* case with this name"},
		rootFlag("folder that load() may not leave (default: each scenario's folder)"),
		keepFlag("docker engine: leave the stacks, secrets and networks the run created"),
		adoptFlag(),
		&cli.StringFlag{Name: "run-id", Usage: "docker engine: the chaosrun.run label value of what the run creates (default: random)"},
		junitFlag(),
		htmlFlag(htmlUsage),
		allowRunFlag(),
		progressFlag(),
	}
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run scenarios and print their transcripts",
		ArgsUsage: "FILE.star [FILE...]",
		Flags:     runFlags(),
		Action:    runAction,
	}
}

// runAction runs every file named on the command line.
func runAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError(errors.New("no scenario file given (usage: chaosrun FILE.star [FILE...])"))
	}
	cfg, err := configFrom(c)
	if err != nil {
		return err
	}
	files := c.Args().Slice()
	if cfg.Only != "" {
		if files, err = filesWithCase(files, cfg.Only); err != nil {
			return err
		}
	}
	prog, err := newProgress(c, cfg)
	if err != nil {
		return err
	}
	defer prog.Close()
	if d := c.Duration(flagTimeout); d < 0 {
		return usageError(fmt.Errorf("--timeout: got %v, want a duration that is not negative (0: none)", d))
	}
	report, err := newJUnit(c.String(flagJUnit), runProperties(cfg)...)
	if err != nil {
		return err
	}
	pictures, err := newHTMLReport(c.String(flagHTML), "chaosrun "+strings.Join(files, " "), &cfg)
	if err != nil {
		return err
	}
	ctx, userStop, stop := interruptible(c.Context, c.App.Writer, c.App.ErrWriter, c.Duration(flagTimeout))
	defer stop()
	out := newPrinter(c.App.Writer, c.Bool(flagJSON), cfg, userStop)
	opts := runOptions(cfg, out, report, pictures, prog)
	for i, path := range files {
		res := interp.RunFile(ctx, path, opts)
		out.file(res)
		report.fileError(res)
		if ctx.Err() != nil {
			reportNotRun(ctx, res, files[i+1:], cfg.Only, out, report)
			break
		}
	}
	out.summary()
	if err := report.write(); err != nil {
		return &exitError{code: worse(out.code, exitUsage), err: err}
	}
	if err := pictures.write(); err != nil {
		return &exitError{code: worse(out.code, exitUsage), err: err}
	}
	if out.code != exitOK {
		return &exitError{code: out.code, silent: true}
	}
	return nil
}

// runOptions are the interp options of a run: events and verdicts go to
// out, verdicts to report too, waits to prog, and a failed case is
// explained before its cleanups.
func runOptions(cfg runner.Config, out *printer, report *junitReport, pictures *htmlReport, prog *progress.Writer) interp.Options {
	opts := runner.Options(cfg)
	opts.Sink = out.event
	opts.CaseStart = out.caseStart
	opts.CaseDone = func(file string, r interp.CaseResult) {
		out.caseDone(file, r)
		report.caseDone(file, r, cfg, out.userStop())
		pictures.caseDone(file, r, cfg)
	}
	opts.CaseFailed = explainFailure
	return withProgress(opts, prog)
}

// reportNotRun reports the cases the end of ctx (Ctrl-C, --timeout) kept
// from running, so a cut-short run never drops them silently: the rest of
// res's file, then every case of the files after it.
func reportNotRun(ctx context.Context, res *interp.FileResult, rest []string, only string, out *printer, report *junitReport) {
	reason := "interrupted"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = "timed out"
	}
	out.notRun(res.File, res.NotRun, reason)
	report.notRun(res.File, res.NotRun, reason)
	for _, file := range rest {
		names, err := interp.CaseNames(file)
		if err != nil {
			names = []string{interp.LoadCase}
		}
		if only != "" {
			names = []string{only} // filesWithCase kept only files that have it
		}
		out.notRun(file, names, reason)
		report.notRun(file, names, reason)
	}
}

// limitsFrom reads --case-timeout and --max-memory, refusing bad values
// as usage errors.
func limitsFrom(c *cli.Context) (time.Duration, uint64, error) {
	d := c.Duration(flagCaseTimeout)
	if d < 0 {
		return 0, 0, usageError(fmt.Errorf("--%s: got %v, want a duration that is not negative (0: none)", flagCaseTimeout, d))
	}
	budget, err := memoryBudget(c.String(flagMaxMemory))
	if err != nil {
		return 0, 0, usageError(err)
	}
	return d, budget, nil
}

// configFrom reads the run flags.
func configFrom(c *cli.Context) (runner.Config, error) {
	vars, err := varsFrom(c)
	if err != nil {
		return runner.Config{}, usageError(err)
	}
	caseTimeout, budget, err := limitsFrom(c)
	if err != nil {
		return runner.Config{}, err
	}
	cfg := runner.Config{Engine: c.String(flagEngine), Seed: c.Int64(flagSeed), Vars: vars, MemoryBudget: budget,
		Root: c.String(flagRoot), Only: c.String(flagRun), Verbose: c.Bool(flagVerbose), CaseTimeout: caseTimeout,
		RunID: runID(c.String("run-id")), Keep: c.Bool("keep"), Adopt: c.Bool("adopt"), Log: c.App.ErrWriter,
		AllowRun: c.Bool(flagAllowRun)}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError(err)
	}
	return cfg, nil
}

// interruptible returns a context cancelled by the first Ctrl-C or SIGTERM,
// by stdout's reader going away (see outputWriter), or by the timeout; a
// second Ctrl-C exits at once. userStop reports whether the run was
// interrupted (not timed out).
func interruptible(parent context.Context, stdout, stderr io.Writer, timeout time.Duration) (ctx context.Context, userStop func() bool, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	stopTimeout := func() {}
	if timeout > 0 {
		var tctx context.Context
		tctx, stopTimeout = context.WithTimeout(ctx, timeout)
		ctx = tctx
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var mu sync.Mutex
	interrupted := false
	done := make(chan struct{})
	go func() {
		notice := "chaosrun: interrupted; running cleanups (Ctrl-C again to exit at once)"
		select {
		case <-sigs:
		case <-outputClosed(stdout):
			notice = "chaosrun: output closed (broken pipe); stopping and running cleanups"
		case <-done:
			return
		}
		mu.Lock()
		interrupted = true
		mu.Unlock()
		fmt.Fprintln(stderr, notice)
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "chaosrun: interrupted twice; exiting without cleanup")
			exit(exitInterrupted)
		case <-done:
		}
	}()
	userStop = func() bool { mu.Lock(); defer mu.Unlock(); return interrupted }
	stop = func() { close(done); signal.Stop(sigs); stopTimeout(); cancel() }
	return ctx, userStop, stop
}

// failureDetail is the block printed under a failed case.
func failureDetail(file string, c interp.CaseResult, cfg runner.Config) string {
	var b strings.Builder
	indentLines(&b, interp.Describe(c.Err), "    ")
	indent(&b, c.Detail, "    ")
	if c.Name != interp.LoadCase {
		fmt.Fprintf(&b, "    rerun: %s\n", rerunCommand(file, c.Name, cfg))
	}
	return b.String()
}

// rerunCommand is the command that runs just this case again: it names
// the engine, seed, root and vars the run used, each word shell-quoted, so
// pasting it reproduces the case and runs nothing else.
func rerunCommand(file, name string, cfg runner.Config) string {
	if strings.HasPrefix(file, "-") {
		file = "./" + file // a file, never a flag
	}
	words := []string{"chaosrun", file}
	if name != "" && name != interp.FileCaseName(file) {
		words = append(words, "--run", name)
	}
	words = append(words, "--engine", cfg.Engine)
	if cfg.Engine == runner.EngineSim {
		words = append(words, "--seed", fmt.Sprint(cfg.Seed))
	}
	if cfg.Root != "" {
		words = append(words, "--root", cfg.Root)
	}
	if cfg.AllowRun {
		words = append(words, "--"+flagAllowRun)
	}
	keys := make([]string, 0, len(cfg.Vars))
	for k := range cfg.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		words = append(words, "--var", k+"="+cfg.Vars[k])
	}
	return builtins.ShellLine(words)
}

// runID is the given run ID, or a new random one.
func runID(given string) string {
	if given != "" {
		return given
	}
	return newRunID()
}

// newRunID names a run for the chaosrun.run label.
func newRunID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
