package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// printer writes a run's output: events as they happen, then a verdict per
// case, as text or as JSON lines.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	json    bool
	current *interp.Case
	cfg     runner.Config
	// userStop reports whether the user interrupted the run.
	userStop func() bool
	passed   int
	failed   int
	notRunN  int // cases a cut-short run did not start
	code     int
}

func newPrinter(w io.Writer, asJSON bool, cfg runner.Config, userStop func() bool) *printer {
	return &printer{w: w, json: asJSON, cfg: cfg, userStop: userStop}
}

// event prints one event as it is recorded.
func (p *printer) event(c *interp.Case, e interp.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		interp.JSONSink(p.w, c.File, c.Name)(e)
		return
	}
	p.runLine(c)
	fmt.Fprintln(p.w, e.Text())
}

// caseStart prints a case's RUN line as it starts, so that a case that
// hangs before recording anything is seen by name; p.mu is not held.
func (p *printer) caseStart(c *interp.Case) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.json {
		p.runLine(c)
	}
}

// runLine prints the RUN line of c unless its events are the last printed;
// the (load) pseudo-case gets one only when it records something.
func (p *printer) runLine(c *interp.Case) {
	if c != p.current {
		p.current = c
		fmt.Fprintf(p.w, "=== RUN %s %s\n", c.File, c.Name)
	}
}

// jsonResult is the JSON shape of a case verdict.
type jsonResult struct {
	Type    string  `json:"type"`
	File    string  `json:"file,omitempty"`
	Case    string  `json:"case,omitempty"`
	Verdict string  `json:"verdict,omitempty"`
	Error   string  `json:"error,omitempty"`
	Elapsed float64 `json:"elapsed,omitempty"`
	Rerun   string  `json:"rerun,omitempty"`
	Detail  string  `json:"detail,omitempty"`
	Exit    int     `json:"exit,omitempty"`
}

// jsonSummary is the last JSON line of a run.
type jsonSummary struct {
	Type   string `json:"type"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	NotRun int    `json:"not_run,omitempty"`
	Exit   int    `json:"exit"`
}

// verdictNotRun is the verdict of a case a cut-short run did not start.
const verdictNotRun = "NOT RUN"

// notRun reports cases that did not run because the run was cut short
// (reason: interrupted or timed out).
func (p *printer) notRun(file string, names []string, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range names {
		p.notRunN++
		if p.json {
			p.writeJSON(jsonResult{Type: "case", File: file, Case: name, Verdict: verdictNotRun, Error: reason})
		} else {
			fmt.Fprintf(p.w, "--- %s %s %s (%s)\n", verdictNotRun, file, name, reason)
		}
	}
}

// isCase says whether a result is reported as a case: every test_* case,
// and the module code's pseudo-case (interp.LoadCase) only when it failed
// (a module-level cleanup, say). Its events print as they happen either
// way; a passing one is not a case, so the summary counts only test_*.
func isCase(c interp.CaseResult) bool { return c.Name != interp.LoadCase || !c.Passed() }

// caseDone prints a case's verdict as soon as it has finished.
func (p *printer) caseDone(file string, c interp.CaseResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = nil
	if !isCase(c) {
		return
	}
	p.code = worse(p.code, caseCode(c, p.userStop()))
	if c.Passed() {
		p.passed++
	} else {
		p.failed++
	}
	if p.json {
		r := jsonResult{Type: "case", File: file, Case: c.Name, Verdict: runner.Verdict(c), Elapsed: c.Elapsed.Seconds()}
		if c.Err != nil {
			r.Error = interp.Describe(c.Err)
			r.Rerun = rerunCommand(file, c.Name, p.cfg)
			r.Detail = c.Detail
		}
		p.writeJSON(r)
		return
	}
	fmt.Fprintf(p.w, "--- %s %s %s (%s)\n", runner.Verdict(c), file, c.Name, interp.FormatOffset(c.Elapsed))
	if c.Err != nil {
		fmt.Fprint(p.w, failureDetail(file, c, p.cfg))
	}
}

// file prints what concerns a whole file: an error that kept it from
// running, or an interruption.
func (p *printer) file(res *interp.FileResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if res.Err != nil {
		code := exitCode(res.Err)
		p.code = worse(p.code, code)
		p.failed++
		if p.json {
			p.writeJSON(jsonResult{Type: "case", File: res.File, Verdict: "ERROR", Error: res.Err.Error(), Exit: code})
		} else {
			var b strings.Builder // one write, as before
			fmt.Fprintf(&b, "--- ERROR %s\n", res.File)
			indentLines(&b, res.Err.Error(), "    ")
			io.WriteString(p.w, b.String())
		}
	}
	if res.Interrupted && p.userStop() {
		p.code = worse(p.code, exitInterrupted)
	}
}

// summary prints the final line (text) or object (JSON).
func (p *printer) summary() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		p.writeJSON(jsonSummary{Type: "summary", Passed: p.passed, Failed: p.failed, NotRun: p.notRunN, Exit: p.code})
		return
	}
	verdict := "PASS"
	if p.code != exitOK {
		verdict = "FAIL"
	}
	fmt.Fprintf(p.w, "%s: %d passed, %d failed", verdict, p.passed, p.failed)
	if p.notRunN > 0 {
		fmt.Fprintf(p.w, ", %d not run", p.notRunN)
	}
	fmt.Fprintln(p.w)
}

func (p *printer) writeJSON(v any) {
	line, _ := json.Marshal(v)
	p.w.Write(append(line, '\n'))
}
