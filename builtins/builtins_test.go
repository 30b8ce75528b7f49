package builtins_test

import (
	"context"
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
		for _, ch := range chunks(string(src)) {
			name := filepath.Base(file) + ":" + strconv.Itoa(ch.line)
			t.Run(name, func(t *testing.T) { runChunk(t, filepath.Base(file), ch) })
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

func chunks(src string) []chunk {
	var out []chunk
	lines := strings.Split(src, "\n")
	start := 0
	flush := func(end int) {
		ch := chunk{line: start + 1, src: strings.Repeat("\n", start) + strings.Join(lines[start:end], "\n")}
		for i := start; i < end; i++ {
			if m := marker.FindStringSubmatch(lines[i]); m != nil {
				ch.wantErr, ch.errLine, ch.unplaced = regexp.MustCompile(m[2]+m[3]), i+1, m[1] != ""
			}
		}
		out = append(out, ch)
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "---" {
			flush(i)
			start = i + 1
		}
	}
	flush(len(lines))
	return out
}

func runChunk(t *testing.T, base string, ch chunk) {
	dir := t.TempDir()
	path := filepath.Join(dir, base)
	if err := os.WriteFile(path, []byte(ch.src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runner.RunFile(context.Background(), path, runner.Config{Engine: runner.EngineSim, Seed: 1,
		Vars: map[string]string{"who": "tester"}})
	var err error
	if res.Err != nil {
		err = res.Err
	}
	for _, c := range res.Cases {
		if c.Err != nil && err == nil {
			err = c.Err
		}
	}
	switch {
	case ch.wantErr == nil && err != nil:
		t.Errorf("unexpected error:\n%s", interp.Describe(err))
	case ch.wantErr != nil && err == nil:
		t.Errorf("succeeded, want an error matching %q at line %d", ch.wantErr, ch.errLine)
	case ch.wantErr != nil:
		msg := interp.Describe(err)
		if !ch.wantErr.MatchString(msg) {
			t.Errorf("error %q does not match %q", msg, ch.wantErr)
		}
		line := ":" + strconv.Itoa(ch.errLine) + ":"
		pos := interp.Position(err)
		switch {
		case ch.unplaced:
			if pos != "" || regexp.MustCompile(`:\d+:`).MatchString(msg) {
				t.Errorf("error %q (at %q) names a position, but its marker at line %d says unplaced", msg, pos, ch.errLine)
			}
		case pos != "":
			if !strings.Contains(pos, line) {
				t.Errorf("error raised at %s, want line %d", pos, ch.errLine)
			}
		case !strings.Contains(msg, line):
			t.Errorf("error %q does not name line %d (an error that names no position is marked ### unplaced)", msg, ch.errLine)
		}
	}
}

// TestDocsFresh fails when docs/builtins.md is not what the registry
// generates; `go run ./cmd/chaosrun doc --markdown > docs/builtins.md`
// refreshes it.
func TestDocsFresh(t *testing.T) {
	want := builtins.Markdown()
	got, err := os.ReadFile("../docs/builtins.md")
	if err != nil || string(got) != want {
		t.Fatalf("docs/builtins.md is stale; run: go run ./cmd/chaosrun doc --markdown > docs/builtins.md")
	}
}
