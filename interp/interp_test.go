package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/clock"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func virtualCases(c *Case) error { c.Clock = clock.NewVirtual(epoch); return nil }

func run(t *testing.T, path string, opts Options) *FileResult {
	t.Helper()
	if opts.StartCase == nil {
		opts.StartCase = virtualCases
	}
	return RunFile(context.Background(), path, opts)
}

func caseNames(res *FileResult) []string {
	var names []string
	for _, c := range res.Cases {
		names = append(names, c.Name)
	}
	return names
}

func TestLoadRelativeCachedAndCasesInFileOrder(t *testing.T) {
	res := run(t, "testdata/root/uses_lib.star", Options{})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got, want := strings.Join(caseNames(res), ","), "test_b,test_a,(load)"; got != want {
		t.Fatalf("cases %s, want %s", got, want)
	}
	for _, c := range res.Cases {
		if c.Err != nil {
			t.Fatalf("%s: %v", c.Name, Describe(c.Err))
		}
	}
	if got := res.Cases[2].Transcript.Text(); got != "[+0s] main print: util loaded\n" {
		t.Errorf("load transcript %q: util.star should load once", got)
	}
	if got := res.Cases[0].Transcript.Text(); got != "[+0s] main print: 8\n" {
		t.Errorf("test_b transcript %q", got)
	}
}

func TestScriptErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"testdata/root/escapes.star", `load "../outside/secret.star": outside the scenario root`},
		{"testdata/root/cycle_a.star", "import cycle"},
		{"testdata/root/missing_symbol.star", "load: name triple not found in module lib/more.star"},
	}
	for _, tt := range tests {
		res := run(t, tt.file, Options{})
		if len(res.Cases) != 1 || res.Cases[0].Err == nil {
			t.Errorf("%s: want one failed case, got %+v", tt.file, res)
			continue
		}
		if msg := Describe(res.Cases[0].Err); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: error %q does not contain %q", tt.file, msg, tt.want)
		}
	}
	res := run(t, "testdata/root/syntax.star", Options{})
	var se *ScriptError
	if !errors.As(res.Err, &se) || !strings.HasPrefix(se.Error(), "testdata/root/syntax.star:1:8: ") {
		t.Errorf("syntax error: got %v, want a ScriptError at testdata/root/syntax.star:1:8", res.Err)
	}
	res = run(t, "testdata/root/nope.star", Options{})
	if res.Err == nil || res.Err.Error() != "testdata/root/nope.star: no such scenario file" {
		t.Errorf("missing file: got %v", res.Err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct{ file, want string }{
		{"testdata/root/uses_lib.star", ""},
		{"testdata/root/escapes.star", "outside the scenario root"},
		{"testdata/root/missing_symbol.star", "module defines no triple"},
		{"testdata/root/syntax.star", "syntax.star:1:8"},
	}
	for _, tt := range tests {
		errs := Check(tt.file, starlark.StringDict{"print": nil}, "")
		got := errors.Join(errs...)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("%s: unexpected %v", tt.file, got)
		case tt.want != "" && (got == nil || !strings.Contains(got.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.file, got, tt.want)
		}
	}
}

func TestVarsAndJSONSink(t *testing.T) {
	var buf bytes.Buffer
	dir := t.TempDir()
	path := dir + "/v.star"
	writeFile(t, path, `print(vars["k"])`+"\n"+`print(vars.get("z", "dflt"))`)
	res := run(t, path, Options{Vars: map[string]string{"k": "v"},
		Sink: func(c *Case, e Event) { JSONSink(&buf, "v.star", c.Name)(e) }})
	if res.Cases[0].Err != nil {
		t.Fatal(res.Cases[0].Err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d JSON lines, want 2: %s", len(lines), buf.String())
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &ev); err != nil || ev["msg"] != "dflt" || ev["case"] != "v" {
		t.Errorf("second line %s (err %v)", lines[1], err)
	}
}

func TestCancelStopsBlockedBuiltinAndRunsCleanups(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/c.star"
	writeFile(t, path, "def test_wait():\n    block()\n")
	cleaned := false
	block := starlark.NewBuiltin("block", func(thread *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		CaseOf(thread).Defer("mark", func(context.Context) error { cleaned = true; return nil })
		// Longer than the bound below, so a cancellation that does not
		// reach the builtin fails the test instead of hanging it.
		return starlark.None, clock.Real{}.Sleep(Context(thread), 10*time.Second)
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	res := RunFile(ctx, path, Options{Predeclared: starlark.StringDict{"block": block}})
	if took := time.Since(start); took > time.Second {
		t.Errorf("cancel took %s, want under a second", took)
	}
	if !cleaned {
		t.Error("cleanup did not run")
	}
	if c := res.Cases[0]; !c.Interrupted || !strings.HasPrefix(c.Err.Error(), "interrupted: ") {
		t.Errorf("case: interrupted=%v err=%v", c.Interrupted, c.Err)
	}
}

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestModuleRunsTestlessFileOncePerCase: a file with no test_* function is
// its own case, so loading it as a Module runs nothing, and each RunCase
// runs it once.
func TestModuleRunsTestlessFileOncePerCase(t *testing.T) {
	path := t.TempDir() + "/plain.star"
	writeFile(t, path, "count()\n")
	n := 0
	count := starlark.NewBuiltin("count", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		n++
		return starlark.None, nil
	})
	opts := Options{Predeclared: starlark.StringDict{"count": count}, StartCase: virtualCases}
	m, err := LoadModule(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("loading ran the file %d times, want 0", n)
	}
	if got := strings.Join(m.Cases(), ","); got != "plain" {
		t.Fatalf("cases %q, want plain", got)
	}
	for i := 1; i <= 2; i++ {
		if r := m.RunCase(context.Background(), "plain", virtualCases); r.Err != nil || n != i {
			t.Errorf("run %d: err %v, file ran %d times", i, r.Err, n)
		}
	}
}
