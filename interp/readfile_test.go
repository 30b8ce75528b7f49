package interp

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSourceRefuses checks that readSource refuses what would hang or
// exhaust memory (README, Limits), and reads a file at the limit.
func TestReadSourceRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.star")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big, limit := filepath.Join(dir, "big.star"), filepath.Join(dir, "limit.star")
	os.WriteFile(big, make([]byte, MaxSourceBytes+1), 0o644)
	os.WriteFile(limit, make([]byte, MaxSourceBytes), 0o644)
	deep := filepath.Join(dir, "deep.star")
	os.WriteFile(deep, []byte("x = 1"+strings.Repeat("+1", 2_000_000)), 0o644) // overflowed the stack
	for _, tc := range []struct{ path, want string }{
		{fifo, "f.star: not a regular file (a FIFO), want a scenario file"},
		{"/dev/zero", "/dev/zero: not a regular file (a device), want a scenario file"},
		{dir, "not a regular file (a directory)"},
		{big, "big.star: larger than 4MiB, the most a scenario file may hold"},
		{limit, ""},
		{deep, "deep.star:1: expression nested deeper than 10000 (operators, calls and brackets in one expression), the most chaosrun parses"},
	} {
		_, err := readSource(tc.path)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.want != "" && (err == nil || !strings.Contains(readError(tc.path, err), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.path, err, tc.want)
		}
	}
}

// TestTooDeep checks the nesting scan that keeps Starlark's recursive
// resolver from overflowing Go's stack: deep chains are refused at their
// line, and what only looks long (strings, comments, long flat lists,
// many short lines) is not.
func TestTooDeep(t *testing.T) {
	n := MaxNesting
	chain := func(op string, k int) string { return "x" + strings.Repeat(op, k) }
	for _, tc := range []struct {
		name, src string
		want      int
	}{
		{"a + chain over the bound", "# top\n\nx = " + chain("+1", n+1) + "\n", 3},
		{"a + chain at the bound", "x = " + chain("+1", n) + "\n", 0},
		{"an attribute chain", "y = " + chain(".a", n+1), 1},
		{"a call chain", "y = " + chain("()", n+1), 1},
		{"a chain of and", "y = " + chain(" and x", n+1), 1},
		{"a chain over continued lines", "y = 1 \\\n" + strings.Repeat("+ 1 \\\n", n+1) + "\n", n + 2},
		{"brackets deeper than the bound", "y = " + strings.Repeat("[", n+1), 1},
		{"a long chain in a string", `s = "` + chain("+", 3*n) + `"`, 0},
		{"a long chain in a triple-quoted string, then one in code",
			"s = '''\n" + chain("+", 3*n) + "\n'''\nx = " + chain("+1", n+1), 4},
		{"an escaped quote does not end a string", `s = "\"` + chain("+", 3*n) + `"`, 0},
		{"a long chain in a comment", "# " + chain("+", 3*n) + "\nx = 1\n", 0},
		{"a long flat list of tuples", "l = [" + strings.Repeat("(1 + 2, -3),\n", 3*n) + "]\n", 0},
		{"many short lines", strings.Repeat("x = a.b + c[1] * -2\n", 3*n), 0},
		{"numbers with dots and exponents", "x = [" + strings.Repeat("1.5e+3, ", 3*n) + "]", 0},
	} {
		if got := tooDeep([]byte(tc.src)); got != tc.want {
			t.Errorf("%s: tooDeep = line %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestShippedScenariosAreNotTooDeep: the nesting bound leaves every
// Starlark file of the repository alone.
func TestShippedScenariosAreNotTooDeep(t *testing.T) {
	var files int
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".star") {
			return err
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if line := tooDeep(src); line > 0 {
			t.Errorf("%s:%d: refused as too deep", path, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("found only %d .star files; the walk is broken", files)
	}
}
