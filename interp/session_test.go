package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// lines returns a readline over the given source lines.
func lines(src string) func() ([]byte, error) {
	ls := strings.SplitAfter(src, "\n")
	return func() ([]byte, error) {
		if len(ls) == 0 || ls[0] == "" {
			return nil, io.EOF
		}
		l := ls[0]
		ls = ls[1:]
		return []byte(l), nil
	}
}

// blocking is a builtin that waits for its thread's context to end.
var blocking = starlark.NewBuiltin("block", func(t *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
	<-Context(t).Done()
	return nil, Context(t).Err()
})

func TestSessionKeepsGlobalsAndSurvivesErrors(t *testing.T) {
	var events []string
	s, err := NewSession(context.Background(), Options{StartCase: virtualCases,
		Vars: map[string]string{"who": "me"},
		Sink: func(c *Case, e Event) { events = append(events, e.Text()) }})
	if err != nil {
		t.Fatal(err)
	}
	read := lines("x = 2\nx * 21\n_ + 1\nundefined_name\ndef f(n):\n    return n + x\n\nprint(f(1), vars['who'])\n")
	var got []string
	for {
		f, err := s.Parse(read)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.Exec(context.Background(), f)
		switch {
		case err != nil:
			got = append(got, "error: "+Describe(err))
		case v != starlark.None:
			got = append(got, v.String())
		}
	}
	want := []string{"42", "43", "error: <stdin>:1:1: undefined: undefined_name"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results %q, want %q", got, want)
	}
	if strings.Join(events, "|") != "[+0s] main print: 3 me" {
		t.Errorf("events %q, want the print", events)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestSessionCancelEndsOnlyTheChunk(t *testing.T) {
	s, err := NewSession(context.Background(), Options{Predeclared: starlark.StringDict{"block": blocking}})
	if err != nil {
		t.Fatal(err)
	}
	read := lines("block()\n1 + 1\n")
	f, _ := s.Parse(read)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Exec(ctx, f); err == nil || !strings.Contains(Describe(err), "timed out: context deadline exceeded") {
		t.Fatalf("blocked chunk: err %v, want the deadline", err)
	}
	f, _ = s.Parse(read)
	if v, err := s.Exec(context.Background(), f); err != nil || v.String() != "2" {
		t.Errorf("next chunk: %v, %v; want 2 (a cancelled chunk must not cancel the session)", v, err)
	}
}

func TestSessionCloseRunsCleanups(t *testing.T) {
	ran := false
	s, err := NewSession(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Case.Defer("note", func(context.Context) error { ran = true; return nil })
	s.Case.Defer("broken", func(context.Context) error { return fmt.Errorf("boom") })
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "cleanup broken: boom") {
		t.Errorf("Close: %v, want the failed cleanup", err)
	}
	if !ran {
		t.Error("cleanup did not run")
	}
}

func TestCaseFailedRunsBeforeCleanups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.star")
	src := "def test_ok():\n    pass\n\ndef test_bad():\n    fail('no')\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var order []string
	fail := starlark.NewBuiltin("fail", func(t *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		CaseOf(t).Defer("c", func(context.Context) error { order = append(order, "cleanup"); return nil })
		return nil, Failf("%s", args[0])
	})
	res := run(t, path, Options{Predeclared: starlark.StringDict{"fail": fail},
		CaseFailed: func(c *Case, err error) string {
			order = append(order, "failed "+c.Name)
			return "detail of " + c.Name
		}})
	if got := strings.Join(order, ","); got != "failed test_bad,cleanup" {
		t.Errorf("order %s, want the hook before the cleanup, for the failed case only", got)
	}
	for _, c := range res.Cases {
		want := map[string]string{"test_bad": "detail of test_bad"}[c.Name]
		if c.Detail != want {
			t.Errorf("%s: Detail %q, want %q", c.Name, c.Detail, want)
		}
	}
}

func TestSessionParsePassesReadErrors(t *testing.T) {
	s, err := NewSession(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	tests := []struct {
		name string
		read func() ([]byte, error)
		want error
	}{
		{"end of input", lines(""), io.EOF},
		{"end inside a block", lines("def f():\n    pass\n"), io.EOF},
		{"an interrupt", func() ([]byte, error) { return nil, stop }, stop},
	}
	for _, tt := range tests {
		if _, err := s.Parse(tt.read); err != tt.want {
			t.Errorf("%s: Parse error %v, want %v", tt.name, err, tt.want)
		}
	}
}
