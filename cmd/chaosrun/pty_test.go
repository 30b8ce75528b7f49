package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestProgressOnATerminal runs chaosrun with its stderr on a
// pseudo-terminal: in the default --progress auto mode it must draw live
// status lines (escape codes redrawing in place), coloured unless NO_COLOR
// is set, and keep them out of stdout.
func TestProgressOnATerminal(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		var stdout bytes.Buffer
		cmd := exec.Command(chaosrunBin, "--run", "test_clean_upgrade", "scenarios/testapp_upgrade.star")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "TERM=xterm")
		if noColor {
			cmd.Env = append(cmd.Env, "NO_COLOR=1")
		}
		cmd.Stdout, cmd.Stderr = &stdout, tty
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		var term bytes.Buffer
		done := make(chan struct{})
		go func() { io.Copy(&term, ptmx); close(done) }()
		if err := waitCmd(t, cmd, time.Minute); err != nil {
			t.Fatalf("chaosrun: %v\n%s", err, stdout.String())
		}
		select {
		case <-done:
			ptmx.Close()
		case <-time.After(5 * time.Second):
			ptmx.Close() // ends the copy
			<-done
		}
		got := term.String()
		if !strings.Contains(got, "testapp_example_com_app") || !strings.Contains(got, "\x1b[") {
			t.Errorf("NO_COLOR=%v: no live status line on the terminal:\n%q", noColor, got)
		}
		if hasColour := strings.Contains(got, "\x1b[3") || strings.Contains(got, "\x1b[9"); hasColour == noColor {
			t.Errorf("NO_COLOR=%v: colour codes present = %v:\n%q", noColor, hasColour, got)
		}
		if strings.Contains(stdout.String(), "\x1b[") {
			t.Errorf("escape codes leaked into stdout:\n%q", stdout.String())
		}
	}
}
