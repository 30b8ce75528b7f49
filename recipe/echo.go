package recipe

import (
	"fmt"
	"strconv"
)

// EchoLimit is how much of an input value an error message echoes; a
// longer value is cut there and its size is said (README, "Limits").
const EchoLimit = 80

// echo quotes s for an error message like %q, cut to EchoLimit bytes of s
// (at a rune boundary) followed by "… (N bytes)" when s is longer.
func echo(s string) string {
	head, tail := cutEcho(s)
	return strconv.Quote(head) + tail
}

// echoRaw is echo without the quotes, for text that the message shows as
// written, such as ${NAME}.
func echoRaw(s string) string {
	head, tail := cutEcho(s)
	return head + tail
}

// cutEcho splits s into what an error message shows of it and the
// "… (N bytes)" that says it was cut, or "".
func cutEcho(s string) (head, tail string) {
	if len(s) <= EchoLimit {
		return s, ""
	}
	cut := EchoLimit
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], fmt.Sprintf("… (%d bytes)", len(s))
}

// utf8RuneStart reports whether b can begin a UTF-8 encoded rune.
func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
