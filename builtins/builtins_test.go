package builtins_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// TestStarlark runs builtins/testdata/*.star. Each file is split into
// chunks at lines holding only "---"; each chunk runs as its own scenario
// on the simulator. A chunk with a comment `### "regexp"` must fail with an
// error matching regexp, raised on that comment's line: the error's
// Starlark position, or for an error without one (a resolve error) a
// ":<line>:" in its description, must name that line. An error that names
// no position at all (a failing cleanup's) is marked `### unplaced "regexp"`
// and must indeed name none. Any other chunk must pass.
func TestStarlark(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.star")
	if len(files) == 0 {
		t.Fatal("no testdata/*.star files")
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		chs, err := chunks(string(src))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, ch := range chs {
			name := filepath.Base(file) + ":" + strconv.Itoa(ch.line)
			t.Run(name, func(t *testing.T) {
				if err := runChunk(filepath.Base(file), ch); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

type chunk struct {
	line    int    // first line of the chunk in its file
	src     string // padded with blank lines so positions match the file
	wantErr *regexp.Regexp
	errLine int
	// unplaced says the error names no position (### unplaced "...").
	unplaced bool
}

// marker matches `### "regexp"` or ### `regexp` (no escapes are processed),
// optionally with "unplaced " before the regexp.
var marker = regexp.MustCompile("### (unplaced )?(?:\"(.*)\"|`(.*)`)\\s*$")

// chunks splits src at "---" lines. A chunk can expect only one error, so
// a second marker in one chunk is refused, as is a "###" that is not a
// well-formed marker (it would otherwise leave the chunk expecting success).
func chunks(src string) ([]chunk, error) {
	var out []chunk
	lines := strings.Split(src, "\n")
	start := 0
	flush := func(end int) error {
		ch := chunk{line: start + 1, src: strings.Repeat("\n", start) + strings.Join(lines[start:end], "\n")}
		for i := start; i < end; i++ {
			m := marker.FindStringSubmatch(lines[i])
			switch {
			case m == nil && strings.Contains(lines[i], "###"):
				return fmt.Errorf("line %d: malformed expected-error marker (want ### \"regexp\" or ### unplaced \"regexp\")", i+1)
			case m == nil:
				continue
			case ch.wantErr != nil:
				return fmt.Errorf("line %d: second expected-error marker in the chunk (first at line %d); split the chunk with ---", i+1, ch.errLine)
			}
			re, err := regexp.Compile(m[2] + m[3])
			if err != nil {
				return fmt.Errorf("line %d: %v", i+1, err)
			}
			ch.wantErr, ch.errLine, ch.unplaced = re, i+1, m[1] != ""
		}
		out = append(out, ch)
		return nil
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "---" {
			if err := flush(i); err != nil {
				return nil, err
			}
			start = i + 1
		}
	}
	if err := flush(len(lines)); err != nil {
		return nil, err
	}
	return out, nil
}

// runChunk runs ch as the file testdata/.chunk-base and says how it broke its
// expectation, or nil.
func runChunk(base string, ch chunk) error {
	// Next to its file, so that its relative paths mean what they say there.
	path := filepath.Join("testdata", ".chunk-"+base)
	if err := os.WriteFile(path, []byte(ch.src), 0o644); err != nil {
		return err
	}
	defer os.Remove(path)
	res := runner.RunFile(context.Background(), path, runner.Config{Engine: runner.EngineSim, Seed: 1,
		Vars: map[string]string{"who": "tester"}})
	err := res.Err
	for _, c := range res.Cases {
		if c.Err != nil && err == nil {
			err = c.Err
		}
	}
	switch {
	case ch.wantErr == nil && err != nil:
		return fmt.Errorf("unexpected error:\n%s", interp.Describe(err))
	case ch.wantErr == nil:
		return nil
	case err == nil:
		return fmt.Errorf("succeeded, want an error matching %q at line %d", ch.wantErr, ch.errLine)
	}
	msg := interp.Describe(err)
	if !ch.wantErr.MatchString(msg) {
		return fmt.Errorf("error %q does not match %q", msg, ch.wantErr)
	}
	line := ":" + strconv.Itoa(ch.errLine) + ":"
	pos := interp.Position(err)
	switch {
	case ch.unplaced:
		if pos != "" || regexp.MustCompile(`:\d+:`).MatchString(msg) {
			return fmt.Errorf("error %q (at %q) names a position, but its marker at line %d says unplaced", msg, pos, ch.errLine)
		}
	case pos != "":
		if !strings.Contains(pos, line) {
			return fmt.Errorf("error raised at %s, want line %d", pos, ch.errLine)
		}
	case !strings.Contains(msg, line):
		return fmt.Errorf("error %q does not name line %d (an error that names no position is marked ### unplaced)", msg, ch.errLine)
	}
	return nil
}

// TestDriver checks that the driver of TestStarlark refuses what it must:
// each src is one testdata file, and want is "" when every chunk of it
// meets its expectation, or what the driver's complaint must contain.
func TestDriver(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"expected error", `fail("x") ### "x"`, ""},
		{"expected success", `print(1)`, ""},
		{"expected unplaced", "def test_a():\n    defer(fail, \"c\") ### unplaced \"c\"", ""},
		{"chunks are separate", "fail(\"x\") ### \"x\"\n---\nprint(1)", ""},
		{"unexpected error", `fail("x")`, "unexpected error"},
		{"unexpected success", `print(1) ### "x"`, "succeeded, want an error"},
		{"other error", `fail("x") ### "y"`, "does not match"},
		{"other line", "fail(\"x\")\nprint(1) ### \"x\"", "want line 2"},
		{"placed but marked unplaced", `fail("x") ### unplaced "x"`, "says unplaced"},
		{"unplaced but marked placed", "def test_a():\n    defer(fail, \"c\") ### \"c\"", "does not name line 2"},
		{"two markers", "fail(\"x\") ### \"x\"\nfail(\"y\") ### \"y\"", "line 2: second expected-error marker in the chunk (first at line 1)"},
		{"two markers in a later chunk", "print(1)\n---\nfail(\"x\") ### \"x\"\nfail(\"y\") ### \"y\"", "line 4: second"},
		{"malformed marker", `print(1) ### "x`, "line 1: malformed expected-error marker"},
		{"bad regexp", `fail("x") ### "("`, "line 1: error parsing regexp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chs, err := chunks(tt.src)
			for _, ch := range chs {
				if err == nil {
					err = runChunk("self.star", ch)
				}
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("driver complained: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("driver accepted it, want a complaint containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("driver complained %q, want %q", err, tt.want)
			}
		})
	}
}

// TestDocsFresh fails when docs/builtins.md is not what the registry
// generates, showing where they first differ; `go run ./cmd/chaosrun doc
// --markdown > docs/builtins.md` refreshes it.
func TestDocsFresh(t *testing.T) {
	got, err := os.ReadFile("../docs/builtins.md")
	if err != nil {
		t.Fatal(err)
	}
	if d := firstDiff(string(got), builtins.Markdown()); d != "" {
		t.Fatalf("docs/builtins.md is stale; run: go run ./cmd/chaosrun doc --markdown > docs/builtins.md\n%s", d)
	}
}

// firstDiff shows the first line where got and want differ and the few
// lines after it in each, or "" when they are equal.
func firstDiff(got, want string) string {
	if got == want {
		return ""
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	show := func(lines []string) string {
		if i >= len(lines) {
			return "\t(end of file)\n"
		}
		var b strings.Builder
		for _, l := range lines[i:min(i+3, len(lines))] {
			fmt.Fprintf(&b, "\t%q\n", l)
		}
		return b.String()
	}
	return fmt.Sprintf("first difference at line %d:\nfile has:\n%sgenerated:\n%s", i+1, show(g), show(w))
}

func TestFirstDiff(t *testing.T) {
	tests := []struct{ got, want, diff string }{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "first difference at line 2:\nfile has:\n\t\"b\"\n\t\"c\"\n\t\"\"\ngenerated:\n\t\"B\"\n\t\"c\"\n\t\"\"\n"},
		{"a\n", "a\nb", "first difference at line 2:\nfile has:\n\t\"\"\ngenerated:\n\t\"b\"\n"},
		{"a", "a\nb", "first difference at line 2:\nfile has:\n\t(end of file)\ngenerated:\n\t\"b\"\n"},
	}
	for _, tt := range tests {
		if d := firstDiff(tt.got, tt.want); d != tt.diff {
			t.Errorf("firstDiff(%q, %q) =\n%s\nwant\n%s", tt.got, tt.want, d, tt.diff)
		}
	}
}
