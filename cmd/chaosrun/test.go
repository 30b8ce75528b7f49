package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/runner"
)

func testCommand() *cli.Command {
	return &cli.Command{
		Name:  "test",
		Usage: "run scenarios on the simulator and compare each transcript with its golden file",
		Description: "The golden transcript of a scenario lives at golden/<its path without .star>.golden\n" +
			"(scenarios/discourse_upgrade.star → golden/scenarios/discourse_upgrade.golden).\n" +
			"Paths are taken relative to the repository root, where chaosrun test must run.\n" +
			"Folders are searched for *.star, skipping lib/ and testdata/ folders.",
		ArgsUsage: "[PATH...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "update", Usage: "rewrite the golden files"},
			seedFlag(seedUsage),
			junitFlag(),
			htmlFlag(htmlUsage),
			caseTimeoutFlag(),
			maxMemoryFlag(),
		},
		Action: testAction,
	}
}

func testAction(c *cli.Context) error {
	paths := c.Args().Slice()
	if len(paths) == 0 {
		paths = runner.ScenarioDirs()
	}
	files, err := runner.ScenarioFiles(paths)
	if err != nil {
		return usageError(err)
	}
	if err := somethingToCompare(paths, files, c.Bool("update")); err != nil {
		return err
	}
	report, err := newJUnit(c.String(flagJUnit), junitProperty{"seed", fmt.Sprint(c.Int64(flagSeed))})
	if err != nil {
		return err
	}
	cfg := runner.Config{Engine: runner.EngineSim, Seed: c.Int64(flagSeed)}
	if cfg.CaseTimeout, cfg.MemoryBudget, err = limitsFrom(c); err != nil {
		return err
	}
	pictures, err := newHTMLReport(c.String(flagHTML), "chaosrun test "+strings.Join(paths, " "), &cfg)
	if err != nil {
		return err
	}
	failed := 0
	for _, f := range files {
		msg, err := checkGolden(f, cfg, c.Bool("update"), pictures)
		if err != nil {
			return err
		}
		report.golden(f, msg)
		if msg != "" {
			failed++
			fmt.Fprintf(c.App.Writer, "--- FAIL %s\n%s", f, msg)
		} else {
			fmt.Fprintf(c.App.Writer, "ok   %s\n", f)
		}
	}
	if err := report.write(); err != nil {
		return err
	}
	if err := pictures.write(); err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(c.App.Writer, "FAIL: %d of %d golden files differ\n", failed, len(files))
		return &exitError{code: exitFailed, silent: true}
	}
	return nil
}

// somethingToCompare refuses a `chaosrun test` that would compare nothing:
// no scenario under the paths, or (without --update) no golden file for
// any of them.
func somethingToCompare(paths, files []string, update bool) error {
	switch {
	case len(paths) == 0:
		return usageError(errors.New("test: no scenarios/ or examples/ folder here: nothing to compare (run it from the repository root, or give paths)"))
	case len(files) == 0:
		return usageError(fmt.Errorf("test: no scenario file (*.star) under %s: nothing to compare", strings.Join(paths, ", ")))
	}
	if update {
		return nil
	}
	for _, f := range files {
		if _, err := os.Stat(runner.GoldenPath(f)); err == nil {
			return nil
		}
	}
	return usageError(fmt.Errorf("test: no scenario under %s has a golden file (%s): nothing to compare (chaosrun test --update writes them)",
		strings.Join(paths, ", "), runner.GoldenPath(files[0])))
}

// checkGolden runs one scenario and compares (or, with update, rewrites)
// its golden transcript. It returns a diff, or "" when they agree.
func checkGolden(file string, cfg runner.Config, update bool, pictures *htmlReport) (string, error) {
	res := runner.GoldenResult(file, cfg)
	pictures.file(res, cfg)
	got := runner.Golden(res)
	path := runner.GoldenPath(file)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		return "", os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("    no golden file %s (run chaosrun test --update %s)\n", path, file), nil
	}
	if err != nil {
		return "", err
	}
	return runner.Diff(path, string(want), "got", got), nil
}
