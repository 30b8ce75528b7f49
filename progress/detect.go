package progress

import (
	"os"
	"time"

	"golang.org/x/term"
)

// Live returns the options of live lines: coloured unless NO_COLOR is set
// (https://no-color.org), redrawn every second, with no width limit.
func Live() Options {
	return Options{Live: true, Color: os.Getenv("NO_COLOR") == "", Tick: time.Second}
}

// Detect returns the options that suit f: live lines when f is a terminal
// (and TERM is not "dumb"), as wide as the terminal, coloured unless
// NO_COLOR is set (https://no-color.org), redrawn every second.
func Detect(f *os.File) Options {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) || os.Getenv("TERM") == "dumb" {
		return Options{}
	}
	o := Live()
	if w, _, err := term.GetSize(fd); err == nil {
		o.Width = w
	}
	return o
}
