// Package fuzzcheck is the property the fuzz targets check of what
// chaosrun says about hostile input (docs/fuzzing.md): no Go panic or
// runtime dump in a message, a bounded number of lines, each of a bounded
// length. It is a test helper package, imported only by _test files.
package fuzzcheck

import (
	"strings"
	"testing"
)

// Bounds are how many lines a message may have and how long each may be
// (0: any length, for messages that may quote what a script chose to say).
type Bounds struct {
	Lines, LineBytes int
}

// Message fails tb when msg, said about input, holds a panic or goroutine
// dump that input did not itself spell out, or exceeds b.
func Message(tb testing.TB, input, msg string, b Bounds) {
	tb.Helper()
	for _, word := range []string{"panic", "goroutine "} {
		if strings.Contains(msg, word) && !strings.Contains(input, word) {
			tb.Fatalf("message holds %q:\n%.2000s", word, msg)
		}
	}
	lines := strings.Split(msg, "\n")
	if b.Lines > 0 && len(lines) > b.Lines {
		tb.Fatalf("message of %d lines, want at most %d:\n%.2000s", len(lines), b.Lines, msg)
	}
	for _, l := range lines {
		if b.LineBytes > 0 && len(l) > b.LineBytes {
			tb.Fatalf("message line of %d bytes, want at most %d: %.300q…", len(l), b.LineBytes, l)
		}
	}
}
