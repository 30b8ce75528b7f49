package builtins_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// warnedElsewhere is the Engines suffix of a builtin that is ignored, with
// a transcript warning, on the engines it does not name.
const warnedElsewhere = " (ignored with a warning elsewhere)"

// claims parses a builtin's Engines: the engines it works on ("any" is
// every one), and whether elsewhere it is ignored with a warning.
func claims(t *testing.T, bi builtins.Builtin) (works []string, warns bool) {
	spec, warns := strings.CutSuffix(bi.Engines, warnedElsewhere)
	if spec == "any" {
		return []string{runner.EngineSim, runner.EngineDocker, runner.EngineNone}, warns
	}
	for _, e := range strings.Split(spec, ", ") {
		if (runner.Config{Engine: e}).Validate() != nil {
			t.Fatalf("%s: Engines %q: %q is not an engine (want any, or names from sim, docker, none, optionally with %q)",
				bi.Name, bi.Engines, e, warnedElsewhere)
		}
		works = append(works, e)
	}
	return works, warns
}

// TestExamples runs every builtin's Example as the one case of a scenario
// whose module code is builtins.ExamplePrelude, on the simulator and with
// --engine none, and checks the builtin's Engines claim (checkClaim).
func TestExamples(t *testing.T) {
	dir := exampleDir(t)
	for _, bi := range builtins.All() {
		if bi.Example == "" {
			t.Errorf("%s has no example", bi.Name)
			continue
		}
		for _, eng := range []string{runner.EngineSim, runner.EngineNone} {
			t.Run(bi.Name+"/"+eng, func(t *testing.T) {
				checkClaim(t, dir, bi, runner.Config{Engine: eng, Seed: 1})
			})
		}
	}
}

// TestExamplesOnDocker checks the Engines claims on a real swarm for the
// examples that can run there: those of builtins that work on any engine
// (their examples pass with --engine none, so need no swarm) and those
// ignored with a warning off the simulator. The examples of builtins that
// deploy are left out: they deploy the discourse fixture, whose images the
// test swarm does not have.
func TestExamplesOnDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping real-engine test in -short mode")
	}
	dir := exampleDir(t)
	for _, bi := range builtins.All() {
		if works, warns := claims(t, bi); !warns && !slices.Contains(works, runner.EngineNone) {
			continue
		}
		t.Run(bi.Name, func(t *testing.T) {
			checkClaim(t, dir, bi, runner.Config{Engine: runner.EngineDocker,
				RunID: fmt.Sprintf("builtins-examples-%d", os.Getpid())})
		})
	}
}

// checkClaim runs bi's example on cfg's engine and checks it against the
// builtin's Engines: on an engine it claims the example passes; on one it
// does not, it passes with an "ignored" warning when the claim says so,
// and fails otherwise.
func checkClaim(t *testing.T, dir string, bi builtins.Builtin, cfg runner.Config) {
	t.Helper()
	works, warns := claims(t, bi)
	eng := cfg.Engine
	path := filepath.Join(dir, strings.ReplaceAll(bi.Name, ".", "_")+"_"+eng+".star")
	src := builtins.ExamplePrelude + "\ndef test_example():\n    " +
		strings.ReplaceAll(bi.Example, "\n", "\n    ") + "\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Vars = map[string]string{"recipe": "checkout/discourse"}
	cfg.AllowRun = true // exec.run's example runs sh
	res := runner.RunFile(context.Background(), path, cfg)
	err, events := res.Err, []interp.Event(nil)
	for _, c := range res.Cases {
		if err == nil {
			err = c.Err
		}
		events = append(events, c.Transcript.Events()...)
	}
	if eng == runner.EngineDocker && errors.Is(err, engine.ErrUnavailable) && os.Getenv("CI") != "true" {
		t.Skipf("skipping real-engine test: %v (CI=true makes this a failure)", err)
	}
	warned := slices.ContainsFunc(events, func(e interp.Event) bool {
		return e.Kind == "warning" && strings.Contains(e.Msg, bi.Name+" ignored")
	})
	switch claimed := slices.Contains(works, eng); {
	case claimed && err != nil:
		t.Errorf("Engines %q, but the example fails on %s:\n%s\n%s", bi.Engines, eng, interp.Describe(err), src)
	case !claimed && warns && (err != nil || !warned):
		t.Errorf("Engines %q, but on %s the example does not pass with a %q warning (err %v):\n%s",
			bi.Engines, eng, bi.Name+" ignored", err, src)
	case !claimed && !warns && err == nil:
		t.Errorf("Engines %q, but the example passes on %s too: claim it", bi.Engines, eng)
	}
}

// exampleDir makes the folder examples run in, and changes to it: the
// fixture recipe at examples/recipes/discourse, as from the repository
// root, and a committed checkout of it at checkout/discourse (the recipe
// var of git.repo's example).
func exampleDir(t *testing.T) string {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "examples", "recipes", "discourse")
	if err := os.CopyFS(fixture, os.DirFS("../examples/recipes/discourse")); err != nil {
		t.Fatal(err)
	}
	// An operator's app env file, for coop.abra_app's example.
	appEnv, err := os.ReadFile("testdata/abra/servers/example.com/forum.example.com.env")
	if err == nil {
		err = os.MkdirAll(filepath.Join(dir, "servers", "example.com"), 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "servers", "example.com", "forum.example.com.env"), appEnv, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	r, err := gitcache.Init(filepath.Join(dir, "checkout", "discourse"))
	if err == nil {
		err = gitcache.CopyTree(r, fixture)
	}
	if err == nil {
		_, err = r.Commit("chore: publish 0.7.0+3.3.1 release", "0.7.0+3.3.1")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}
