package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

const flagJUnit = "junit"

func junitFlag() cli.Flag {
	return &cli.StringFlag{Name: flagJUnit, Usage: "also write a JUnit XML report to `FILE` (written on failure and Ctrl-C too)"}
}

// The JUnit XML shape CI servers read (Jenkins, GitLab, GitHub test
// reporters, Drone plugins): testsuites > testsuite per scenario file >
// testcase per case, with a failure or error element when it did not pass.
type (
	junitSuites struct {
		XMLName  xml.Name      `xml:"testsuites"`
		Name     string        `xml:"name,attr"`
		Tests    int           `xml:"tests,attr"`
		Failures int           `xml:"failures,attr"`
		Errors   int           `xml:"errors,attr"`
		Skipped  int           `xml:"skipped,attr,omitempty"`
		Time     string        `xml:"time,attr"`
		Suites   []*junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
		seconds    float64
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Classname string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",cdata"`
	}
)

// junitReport collects a run's verdicts and writes them as JUnit XML. Its
// counts agree with the --json summary: tests = passed + failed, and
// failures + errors = failed (errors are files that could not run, the
// JSON "ERROR" verdicts). A nil *junitReport collects nothing.
type junitReport struct {
	mu     sync.Mutex
	path   string
	props  []junitProperty
	suites []*junitSuite
}

// newJUnit returns a report to be written to path, or nil when path is "".
// It creates the file at once so a path that cannot be written is a usage
// error before anything runs.
func newJUnit(path string, props ...junitProperty) (*junitReport, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, usageError(fmt.Errorf("--junit: %v", err))
	}
	f.Close()
	return &junitReport{path: path, props: props}, nil
}

// runProperties describe a run's configuration in the report.
func runProperties(cfg runner.Config) []junitProperty {
	props := []junitProperty{{"engine", cfg.Engine}}
	if cfg.Engine == runner.EngineSim {
		props = append(props, junitProperty{"seed", fmt.Sprint(cfg.Seed)})
	}
	return props
}

// suite returns the suite of a scenario file, adding it when new.
func (j *junitReport) suite(file string) *junitSuite {
	for _, s := range j.suites {
		if s.Name == file {
			return s
		}
	}
	s := &junitSuite{Name: file, Properties: j.props}
	j.suites = append(j.suites, s)
	return s
}

// add records one test case; at most one of failure and errored is set.
func (j *junitReport) add(file, name string, took time.Duration, failure, errored *junitProblem) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.suite(file)
	s.Tests++
	s.seconds += took.Seconds()
	switch {
	case failure != nil:
		s.Failures++
	case errored != nil:
		s.Errors++
	}
	s.Cases = append(s.Cases, junitCase{Classname: file, Name: name, Time: seconds(took.Seconds()),
		Failure: failure, Error: errored})
}

// caseDone records a finished case: a failed one carries the error's first
// line as message, and the error, the failure detail, the rerun command and
// the transcript as body.
func (j *junitReport) caseDone(file string, c interp.CaseResult, cfg runner.Config, userStop bool) {
	if j == nil || !isCase(c) {
		return
	}
	if c.Err == nil {
		j.add(file, c.Name, c.Elapsed, nil, nil)
		return
	}
	desc := interp.Describe(c.Err)
	var body strings.Builder
	body.WriteString(desc + "\n")
	body.WriteString(c.Detail)
	if c.Name != interp.LoadCase {
		fmt.Fprintf(&body, "rerun: %s\n", rerunCommand(file, c.Name, cfg))
	}
	body.WriteString("\n" + c.Transcript.Text())
	message, _, _ := strings.Cut(desc, "\n")
	j.add(file, c.Name, c.Elapsed, &junitProblem{Message: message, Type: codeName(caseCode(c, userStop)), Body: xmlSafe(body.String())}, nil)
}

// notRun records cases a cut-short run did not start as skipped.
func (j *junitReport) notRun(file string, names []string, reason string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.suite(file)
	for _, name := range names {
		s.Tests++
		s.Skipped++
		s.Cases = append(s.Cases, junitCase{Classname: file, Name: name, Time: seconds(0),
			Skipped: &junitSkipped{Message: "not run: " + reason}})
	}
}

// fileError records a file that could not run (the JSON "ERROR" verdict).
func (j *junitReport) fileError(res *interp.FileResult) {
	if j == nil || res.Err == nil {
		return
	}
	message, _, _ := strings.Cut(res.Err.Error(), "\n")
	j.add(res.File, interp.LoadCase, 0, nil, &junitProblem{Message: message, Type: codeName(exitCode(res.Err)), Body: xmlSafe(res.Err.Error() + "\n")})
}

// golden records a `chaosrun test` comparison: the scenario's golden
// transcript, failed with the diff as body when msg is not "".
func (j *junitReport) golden(file, msg string) {
	if j == nil {
		return
	}
	var failure *junitProblem
	if msg != "" {
		message := "transcript differs from " + runner.GoldenPath(file)
		if strings.Contains(msg, "no golden file") {
			message = "no golden file " + runner.GoldenPath(file)
		}
		failure = &junitProblem{Message: message, Type: "failed", Body: xmlSafe(msg)}
	}
	j.add(file, "golden", 0, failure, nil)
}

// write writes the report; it may be called more than once.
func (j *junitReport) write() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	all := junitSuites{Name: "chaosrun", Suites: j.suites}
	total := 0.0
	for _, s := range j.suites {
		s.Time = seconds(s.seconds)
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
		total += s.seconds
	}
	all.Time = seconds(total)
	out, err := xml.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("--junit: %v", err)
	}
	if err := os.WriteFile(j.path, append([]byte(xml.Header), append(out, '\n')...), 0o644); err != nil {
		return fmt.Errorf("--junit: %v", err)
	}
	return nil
}

// seconds renders a time attribute: seconds with millisecond precision.
func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// codeName names an exit code's class for the failure's type attribute.
func codeName(code int) string {
	switch code {
	case exitFailed:
		return "failed"
	case exitUsage:
		return "script error"
	case exitEnvironment:
		return "environment error"
	case exitInterrupted:
		return "interrupted"
	}
	return fmt.Sprintf("exit %d", code)
}

// xmlSafe replaces the characters XML 1.0 cannot hold (escape codes, say)
// by U+FFFD; a CDATA section is not escaped by encoding/xml.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF) {
			return r
		}
		return '\uFFFD'
	}, s)
}
