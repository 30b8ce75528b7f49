// Package interp runs chaosrun scenarios: Starlark files that reproduce
// deploy problems. It knows nothing of Docker, git or compose; the
// vocabulary comes from the predeclared builtins its caller passes in.
//
// # Scenario language
//
// A scenario is a Starlark file (with while loops, sets, top-level if/for
// and reassignment of top-level names allowed: one dialect for files,
// loads and the REPL). It runs top to bottom. If it defines functions named
// test_*, each one then runs as its own case, in file order, after the
// module has loaded (so globals are frozen), with fresh per-case state: a
// new clock and a new engine from the Host, and every Shared value put
// back as the module code left it. A file with no test_* function is one
// case, named after the file. Every command runs a file through Module
// (docs/scripts.md).
//
// load("lib/x.star", "name") resolves relative to the loading file, runs
// each module once per run, and cannot reach outside the run's root folder
// (by default the folder of the scenario).
//
// Every effect is recorded in the case's Transcript: an ordered list of
// events, each with its offset from the case start on the engine's clock,
// the thread that caused it, a kind and a message. print() goes there too.
//
// Cancelling the run's context (Ctrl-C, --timeout), or a case's own time
// running out (Options.CaseTimeout, Case.SetTimeout), cancels every
// Starlark thread of the running case and the context that blocking
// builtins watch; the case's cleanups then run, each bounded by two minutes.
// Runs of repeated events fold in the transcript (Transcript).
package interp
