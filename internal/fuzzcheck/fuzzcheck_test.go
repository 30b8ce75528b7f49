package fuzzcheck

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that records a failure instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestMessage(t *testing.T) {
	b := Bounds{Lines: 2, LineBytes: 10}
	for _, tc := range []struct {
		input, msg string
		b          Bounds
		fail       bool
	}{
		{"x", "short", b, false},
		{"x", "panic: runtime error", Bounds{}, true},
		{`fail("panic")`, "panic", Bounds{}, false},
		{"x", "goroutine 1 [running]:", Bounds{}, true},
		{"x", "a\nb", b, false},
		{"x", "a\nb\nc", b, true},
		{"x", strings.Repeat("y", 11), b, true},
		{"x", strings.Repeat("y", 11), Bounds{Lines: 2}, false},
	} {
		r := &recorder{TB: t}
		Message(r, tc.input, tc.msg, tc.b)
		if r.failed != tc.fail {
			t.Errorf("Message(%q, %q, %+v) failed = %v, want %v", tc.input, tc.msg, tc.b, r.failed, tc.fail)
		}
	}
}
