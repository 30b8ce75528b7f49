package cut

import (
	"strings"
	"testing"
)

func TestQuoteAndRaw(t *testing.T) {
	long := strings.Repeat("a", Limit-1) + "é" // the rune straddles the limit
	for _, tc := range []struct{ in, quote, raw string }{
		{"short", `"short"`, "short"},
		{strings.Repeat("x", Limit), `"` + strings.Repeat("x", Limit) + `"`, strings.Repeat("x", Limit)},
		{strings.Repeat("x", 10<<20), `"` + strings.Repeat("x", Limit) + `"… (10485760 bytes)`, strings.Repeat("x", Limit) + "… (10485760 bytes)"},
		{long, `"` + strings.Repeat("a", Limit-1) + `"… (81 bytes)`, strings.Repeat("a", Limit-1) + "… (81 bytes)"},
		{"a\nb", `"a\nb"`, "a\nb"},
	} {
		if got := Quote(tc.in); got != tc.quote {
			t.Errorf("Quote(%.20q…) = %.120q, want %.120q", tc.in, got, tc.quote)
		}
		if got := Raw(tc.in); got != tc.raw {
			t.Errorf("Raw(%.20q…) = %.120q, want %.120q", tc.in, got, tc.raw)
		}
	}
}

func TestErrorsAndText(t *testing.T) {
	lines := func(n int) []string {
		var l []string
		for i := range n {
			l = append(l, "line "+strings.Repeat("i", i%3))
		}
		return l
	}
	ten := strings.Join(lines(10), "\n")
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"one"}, "one"},
		{lines(10), ten},
		{lines(11), ten + "\n... and 1 more error"},
		{lines(365410), ten + "\n... and 365400 more errors"},
		{[]string{strings.Repeat("y", 1000)}, strings.Repeat("y", LineLimit) + "… (1000 bytes)"},
	} {
		if got := Errors(tc.in); got != tc.want {
			t.Errorf("Errors(%d problems) = %.200q, want %.200q", len(tc.in), got, tc.want)
		}
		if got := Text(strings.Join(tc.in, "\n")); len(tc.in) > 0 && got != tc.want {
			t.Errorf("Text(%d lines) = %.200q, want %.200q", len(tc.in), got, tc.want)
		}
	}
}
