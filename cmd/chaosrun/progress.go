package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/engine/converge"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/progress"
	"github.com/coop-cloud/chaosrun/runner"
)

const flagProgress = "progress"

// Values of --progress.
const (
	progressAuto  = "auto"  // live lines on a terminal, plain lines otherwise
	progressLive  = "live"  // live lines even when stderr is not a terminal
	progressPlain = "plain" // a line each time a wait's state changes
	progressOff   = "off"
)

func progressFlag() cli.Flag {
	return &cli.StringFlag{Name: flagProgress, Value: progressAuto,
		Usage: "status of convergence waits on stderr: auto (live on a terminal, plain otherwise), live, plain or off (never with --json)"}
}

// newProgress makes the progress writer a run asks for, or nil (none) with
// --json or --progress off. It writes to stderr; on the simulator waits
// take no wall time, so it shows no wall time passing either.
func newProgress(c *cli.Context, cfg runner.Config) (*progress.Writer, error) {
	mode := c.String(flagProgress)
	var o progress.Options
	switch mode {
	case progressAuto:
		if f, ok := c.App.ErrWriter.(*os.File); ok {
			o = progress.Detect(f)
		}
	case progressLive:
		o = progress.Live()
	case progressPlain, progressOff:
	default:
		return nil, usageError(fmt.Errorf("bad --progress %q: want auto, live, plain or off", mode))
	}
	if mode == progressOff || c.Bool(flagJSON) {
		return nil, nil
	}
	o.Extrapolate = cfg.Engine != runner.EngineSim
	return progress.New(c.App.ErrWriter, o), nil
}

// withProgress wires p into a run's options: every case reports its waits
// to p, and p's live lines are erased before anything else is printed.
func withProgress(opts interp.Options, p *progress.Writer) interp.Options {
	if p == nil {
		return opts
	}
	start, sink, done := opts.StartCase, opts.Sink, opts.CaseDone
	opts.StartCase = func(c *interp.Case) error {
		if start != nil {
			if err := start(c); err != nil {
				return err
			}
		}
		builtins.SetProgress(c, func(thread string, v converge.Verdict) {
			p.Update(waitKey(c.File, c.Name, thread), progress.Status{Thread: thread, Service: v.Service,
				State: v.State, Running: v.Running, Desired: v.Desired, Took: v.Took, Timeout: v.Timeout})
		})
		return nil
	}
	opts.Sink = func(c *interp.Case, e interp.Event) {
		if e.Kind == "verdict" {
			p.Done(waitKey(c.File, c.Name, e.Thread))
		}
		p.Clear()
		if sink != nil {
			sink(c, e)
		}
	}
	opts.CaseDone = func(file string, r interp.CaseResult) {
		p.Done(waitKey(file, r.Name, ""))
		p.Clear()
		if done != nil {
			done(file, r)
		}
	}
	return opts
}

// waitKey names a thread's wait; with thread "" it is the prefix of every
// wait of the case.
func waitKey(file, caseName, thread string) string {
	return file + "\x00" + caseName + "\x00" + thread
}

// explainFailure is the CaseFailed hook: what the failed case's services
// look like now, before its cleanups remove them.
func explainFailure(c *interp.Case, _ error) string { return builtins.Explain(c) }

// indent writes every line of text with prefix before it: nothing for "",
// and no line for a final newline.
func indent(w io.Writer, text, prefix string) {
	if text == "" {
		return
	}
	indentLines(w, strings.TrimSuffix(text, "\n"), prefix)
}

// indentLines writes each "\n"-separated line of text with prefix before
// it, empty ones included: "" is one empty line, and a final newline ends
// with one too (error messages are printed so, whatever they hold).
func indentLines(w io.Writer, text, prefix string) {
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(w, "%s%s\n", prefix, line)
	}
}
