package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The common JUnit XML shape, as CI servers read it; declared here rather
// than reusing junit.go's types so the test checks the format, not the code.
type xmlSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Tests    string     `xml:"tests,attr"`
	Failures string     `xml:"failures,attr"`
	Errors   string     `xml:"errors,attr"`
	Skipped  string     `xml:"skipped,attr"`
	Time     string     `xml:"time,attr"`
	Suites   []xmlSuite `xml:"testsuite"`
}

type xmlSuite struct {
	Name     string    `xml:"name,attr"`
	Tests    string    `xml:"tests,attr"`
	Failures string    `xml:"failures,attr"`
	Errors   string    `xml:"errors,attr"`
	Time     string    `xml:"time,attr"`
	Cases    []xmlCase `xml:"testcase"`
}

type xmlCase struct {
	Classname string      `xml:"classname,attr"`
	Name      string      `xml:"name,attr"`
	Time      string      `xml:"time,attr"`
	Failure   *xmlProblem `xml:"failure"`
	Error     *xmlProblem `xml:"error"`
	Skipped   *xmlProblem `xml:"skipped"`
}

type xmlProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// readJUnit parses a report and checks the attributes CI servers need:
// counts that add up, and a time on every element.
func readJUnit(t *testing.T, path string) xmlSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no JUnit report: %v", err)
	}
	var r xmlSuites
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("report is not JUnit XML: %v\n%s", err, data)
	}
	var tests, failures, errors int
	for _, s := range r.Suites {
		var f, e int
		for _, c := range s.Cases {
			if c.Classname != s.Name || c.Name == "" || !isSeconds(c.Time) {
				t.Errorf("testcase %+v: want classname %q, a name and a time", c, s.Name)
			}
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
		}
		if s.Tests != strconv.Itoa(len(s.Cases)) || s.Failures != strconv.Itoa(f) || s.Errors != strconv.Itoa(e) || !isSeconds(s.Time) {
			t.Errorf("testsuite %s: tests=%s failures=%s errors=%s time=%s, counted %d, %d, %d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Time, len(s.Cases), f, e)
		}
		tests, failures, errors = tests+len(s.Cases), failures+f, errors+e
	}
	if r.Tests != strconv.Itoa(tests) || r.Failures != strconv.Itoa(failures) || r.Errors != strconv.Itoa(errors) || !isSeconds(r.Time) {
		t.Errorf("testsuites: tests=%s failures=%s errors=%s time=%s, counted %d, %d, %d",
			r.Tests, r.Failures, r.Errors, r.Time, tests, failures, errors)
	}
	return r
}

func isSeconds(s string) bool { _, err := strconv.ParseFloat(s, 64); return err == nil }

// summary is the last line of a --json run.
type summary struct{ Passed, Failed, Exit int }

func TestJUnitAgreesWithJSON(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		exit  int
		// per case "file name verdict", verdict "" (passed), failure or error
		want     []string
		failType string
		body     []string // in the failure's body
	}{
		{"passing", []string{"testdata/passes.star"}, 0, []string{"testdata/passes.star passes "}, "", nil},
		{"module events", []string{"testdata/module_prints.star"}, 0,
			[]string{"testdata/module_prints.star test_a ", "testdata/module_prints.star test_b "}, "", nil},
		{"failing", []string{"testdata/passes.star", "testdata/fails.star"}, 1,
			[]string{"testdata/passes.star passes ", "testdata/fails.star test_fails failure"}, "failed",
			[]string{"testdata/fails.star:2:14: assert.eq: got 1, want 2",
				"rerun: chaosrun testdata/fails.star --run test_fails --engine sim --seed 1"}},
		{"file error", []string{"testdata/syntax.star", "testdata/passes.star"}, 2,
			[]string{"testdata/syntax.star (load) error", "testdata/passes.star passes "}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := filepath.Join(t.TempDir(), "report.xml")
			cmd := exec.Command(chaosrunBin, append([]string{"--json", "--junit", report}, tt.files...)...)
			out, _ := cmd.Output()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Fatalf("exit %d, want %d\n%s", code, tt.exit, out)
			}
			r := readJUnit(t, report)
			var got []string
			for _, s := range r.Suites {
				for _, c := range s.Cases {
					verdict := ""
					if c.Failure != nil {
						verdict = "failure"
						if c.Failure.Type != tt.failType || c.Failure.Message == "" || strings.Contains(c.Failure.Message, "\n") {
							t.Errorf("failure type %q message %q: want type %q and a one-line message", c.Failure.Type, c.Failure.Message, tt.failType)
						}
						for _, b := range tt.body {
							if !strings.Contains(c.Failure.Body, b) {
								t.Errorf("failure body does not contain %q:\n%s", b, c.Failure.Body)
							}
						}
					}
					if c.Error != nil {
						verdict = "error"
					}
					got = append(got, c.Classname+" "+c.Name+" "+verdict)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("testcases:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
			var sum summary
			if err := json.Unmarshal(lines[len(lines)-1], &sum); err != nil {
				t.Fatalf("last JSON line: %v\n%s", err, out)
			}
			failures, _ := strconv.Atoi(r.Failures)
			errors, _ := strconv.Atoi(r.Errors)
			if r.Tests != strconv.Itoa(sum.Passed+sum.Failed) || failures+errors != sum.Failed || sum.Exit != tt.exit {
				t.Errorf("JUnit tests=%s failures=%d errors=%d disagree with the JSON summary %+v", r.Tests, failures, errors, sum)
			}
		})
	}
}

func TestJUnitFailureHasTranscript(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	exec.Command(chaosrunBin, "--junit", report, "testdata/prints_then_fails.star").Run()
	r := readJUnit(t, report)
	if len(r.Suites) != 1 || len(r.Suites[0].Cases) != 1 || r.Suites[0].Cases[0].Failure == nil {
		t.Fatalf("want one failed case, got %+v", r)
	}
	if body := r.Suites[0].Cases[0].Failure.Body; !strings.Contains(body, "[+0s] main print: before the check") {
		t.Errorf("failure body has no transcript:\n%s", body)
	}
}

func TestJUnitBadPathIsUsageError(t *testing.T) {
	cmd := exec.Command(chaosrunBin, "--junit", filepath.Join(t.TempDir(), "no", "such", "dir", "r.xml"), "testdata/passes.star")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(string(out), "--junit") {
		t.Errorf("exit %d, want %d and a message naming --junit:\n%s", code, exitUsage, out)
	}
}

// syncBuffer is a buffer the command's output copier and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestJUnitWrittenOnInterrupt sends Ctrl-C during a wall-clock sleep: the
// report must still be written, after the cleanups, with the case marked
// interrupted.
func TestJUnitWrittenOnInterrupt(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	cmd := exec.Command(chaosrunBin, "--engine", "none", "--junit", report, "testdata/passes.star", "testdata/sleep_hour.star")
	out, exited := startAndWaitFor(t, cmd, "sleep: 1h0m0s", 10*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	waitExited(t, cmd, exited, 10*time.Second)
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, out.String())
	}
	r := readJUnit(t, report)
	if r.Tests != "2" || r.Failures != "1" {
		t.Fatalf("tests=%s failures=%s, want 2 and 1", r.Tests, r.Failures)
	}
	f := r.Suites[1].Cases[0].Failure
	if f == nil || f.Type != "interrupted" || !strings.Contains(f.Body, "print: cleanup ran") {
		t.Errorf("interrupted case: %+v, want type interrupted and the cleanup in the transcript", f)
	}
}

func TestJUnitOfGoldenTest(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	cmd := exec.Command(chaosrunBin, "test", "--junit", report, "examples/hello.star", "cmd/chaosrun/testdata/passes.star")
	cmd.Dir = "../.."
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != exitFailed {
		t.Fatalf("exit %d, want %d (passes.star has no golden file)\n%s", code, exitFailed, out)
	}
	r := readJUnit(t, report)
	if r.Tests != "2" || r.Failures != "1" {
		t.Fatalf("tests=%s failures=%s, want 2 and 1", r.Tests, r.Failures)
	}
	f := r.Suites[1].Cases[0].Failure
	if f == nil || f.Message != "no golden file golden/cmd/chaosrun/testdata/passes.golden" {
		t.Errorf("failure %+v, want the missing golden file named", f)
	}
}

func TestXMLSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain\ttext\n", "plain\ttext\n"},
		{"colour \x1b[31mred\x1b[0m", "colour \uFFFD[31mred\uFFFD[0m"},
		{"nul\x00", "nul\uFFFD"},
	}
	for _, tt := range tests {
		if got := xmlSafe(tt.in); got != tt.want {
			t.Errorf("xmlSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
