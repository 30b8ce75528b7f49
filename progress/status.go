// Package progress shows what the convergence waits of a run are doing:
// one live status line per waiting thread, redrawn in place on a terminal,
// or a plain line each time a wait's state changes when output is a log.
//
//	discourse_example_com_app  updating  0/1 running  3m12s / 26m0s
//
// Progress is for people watching a run: it goes to stderr and never into a
// transcript, a golden file or JSON output.
package progress

import (
	"fmt"
	"strings"
	"time"

	"github.com/morikuni/aec"
)

// Status is the state of one convergence wait.
type Status struct {
	// Thread names the waiting Starlark thread; "main" is not shown.
	Thread string
	// Service is the full service name.
	Service string
	// State is the update state ("updating", "completed", ...), or "" while
	// the update has not started.
	State string
	// Running and Desired count up-to-date running tasks and slots.
	Running, Desired int
	// Took is the time waited so far; Timeout the wait's bound.
	Took, Timeout time.Duration
}

// Text renders the status as one line with no colour.
func (s Status) Text() string { return s.render(s.Took, false) }

// render renders the status with took as the elapsed time.
func (s Status) render(took time.Duration, color bool) string {
	state := s.State
	if state == "" {
		state = "waiting"
	}
	if color {
		state = aec.Apply(state, stateColor(s.State))
	}
	line := fmt.Sprintf("%s  %s  %d/%d running  %s / %s", s.Service, state, s.Running, s.Desired,
		short(took), short(s.Timeout))
	if s.Thread != "" && s.Thread != "main" {
		line = s.Thread + ": " + line
	}
	return line
}

// changed reports whether t differs from s in more than elapsed time.
func (s Status) changed(t Status) bool {
	s.Took, t.Took = 0, 0
	return s != t
}

// stateColor is the colour of an update state on a terminal.
func stateColor(state string) aec.ANSI {
	switch {
	case state == "completed":
		return aec.GreenF
	case strings.Contains(state, "rollback"), strings.Contains(state, "paused"):
		return aec.RedF
	}
	return aec.YellowF
}

// short renders a duration to the second ("3m12s", "26m0s", "0s").
func short(d time.Duration) string {
	return d.Truncate(time.Second).String()
}
