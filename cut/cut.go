// Package cut bounds what an error message echoes of its input (README,
// Limits): a long value is cut to Limit bytes and its size said, and a long
// list of problems is cut to its first MaxErrors and a count of the rest.
// Every error that quotes a recipe, scenario or argument value goes
// through it, so a 10 MB name or a file with a hundred thousand problems
// still gives a message of a few lines.
package cut

import (
	"fmt"
	"strconv"
	"strings"
)

// Limit is how much of an input value an error message echoes; a longer
// value is cut there and its size is said.
const Limit = 80

// LineLimit is how long one line of a message made elsewhere (a library's
// error, which may hold input it read) may be before Text cuts it.
const LineLimit = 4 * Limit

// MaxErrors is how many problems a message lists before it says how many
// more there are.
const MaxErrors = 10

// Quote quotes s for an error message like %q, cut to Limit bytes of s (at
// a rune boundary) followed by "… (N bytes)" when s is longer.
func Quote(s string) string {
	head, tail := split(s, Limit)
	return strconv.Quote(head) + tail
}

// Raw is Quote without the quotes, for text that the message shows as
// written, such as ${NAME} or a service name.
func Raw(s string) string {
	head, tail := split(s, Limit)
	return head + tail
}

// Errors joins problems one per line: the first MaxErrors of them, each
// cut to LineLimit, then "... and N more errors" when there are more.
func Errors(problems []string) string {
	shown := problems
	if len(shown) > MaxErrors {
		shown = shown[:MaxErrors]
	}
	lines := make([]string, 0, len(shown)+1)
	for _, p := range shown {
		head, tail := split(p, LineLimit)
		lines = append(lines, head+tail)
	}
	if more := len(problems) - len(shown); more > 0 {
		lines = append(lines, More(more))
	}
	return strings.Join(lines, "\n")
}

// Text bounds a message made elsewhere that may list many problems, one
// per line, as Errors does.
func Text(msg string) string { return Errors(strings.Split(msg, "\n")) }

// More is the line that stands for problems left out.
func More(n int) string {
	if n == 1 {
		return "... and 1 more error"
	}
	return fmt.Sprintf("... and %d more errors", n)
}

// split cuts s into what a message shows of it, at most limit bytes ending
// at a rune boundary, and the "… (N bytes)" that says it was cut, or "".
func split(s string, limit int) (head, tail string) {
	if len(s) <= limit {
		return s, ""
	}
	cut := limit
	for cut > 0 && s[cut]&0xC0 == 0x80 { // a UTF-8 continuation byte
		cut--
	}
	return s[:cut], fmt.Sprintf("… (%d bytes)", len(s))
}
