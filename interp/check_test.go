package interp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// TestCheckBoundsItsReport: a file with thousands of problems reports its
// first ten and a count, and a long name is echoed cut.
func TestCheckBoundsItsReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("lib.star", "one = 1\n")
	var undefined, loads strings.Builder
	for i := range 500 {
		fmt.Fprintf(&undefined, "x%d = nope%d\n", i, i)
	}
	for i := range 30 {
		fmt.Fprintf(&loads, "load(\"missing%d.star\", \"x%d\")\n", i, i)
	}
	long := strings.Repeat("n", 1<<20)
	tests := []struct {
		name, file string
		lines      int
		want       []string
	}{
		{"500 undefined names", // not 5000: starlark's own spelling hints took 35 s
			write("undefined.star", undefined.String()), 11,
			[]string{"undefined.star:1:6: undefined: nope0\n", "undefined.star:10:6: undefined: nope9\n... and 490 more errors"}},
		{"30 loads of missing files", write("loads.star", loads.String()), 11,
			[]string{`loads.star:1:6: load "missing0.star": no such file`, "\n... and 20 more errors"}},
		{"a 1 MiB undefined name", write("long.star", "x = "+long+"\n"), 1,
			[]string{"long.star:1:5: undefined: nnnn", "… (1048"}},
		{"a 1 MiB module name", write("longload.star", fmt.Sprintf("load(%q, \"x\")\n", long)), 1,
			[]string{`longload.star:1:6: load "nnnn`, `"… (1048576 bytes): no such file`}},
		{"a 1 MiB symbol name", write("longsym.star", fmt.Sprintf("load(\"lib.star\", %q)\n", long)), 1,
			[]string{"longsym.star:1:19: load \"lib.star\": module defines no nnnn", "… (1048576 bytes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Check(tt.file, starlark.StringDict{"print": nil}, dir)
			msg := errors.Join(errs...).Error()
			if n := strings.Count(msg, "\n") + 1; n != tt.lines || len(msg) > 2000 {
				t.Errorf("%d lines, %d bytes, want %d lines:\n%.600s", n, len(msg), tt.lines, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("report %.600q lacks %q", msg, w)
				}
			}
		})
	}
}
