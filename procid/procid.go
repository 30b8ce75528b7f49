// Package procid names a process so that another process can later tell
// whether it is still running: its host name, its pid, and a start mark
// that defeats pid reuse. On Linux the start mark is the kernel's boot id,
// the process's pid namespace and its start time in clock ticks since boot;
// elsewhere there is none, and a live pid is taken as the same process.
//
// Only a process on the same host, boot and pid namespace can be checked:
// any other is Unknown, never Gone.
package procid

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
)

// ID names a process.
type ID struct {
	Host  string // its host name (os.Hostname); "" when unknown
	PID   int
	Start string // "<boot id>/<pid namespace>/<start ticks>" on Linux; "" elsewhere
}

func (id ID) String() string {
	return fmt.Sprintf("pid %d on %s", id.PID, id.Host)
}

// place is the part of Start that names where the process ran (boot and
// pid namespace), without when it started.
func (id ID) place() string {
	if i := strings.LastIndexByte(id.Start, '/'); i >= 0 {
		return id.Start[:i]
	}
	return ""
}

// State is what can be said of an ID's process from here.
type State int

const (
	// Unknown: the process ran on another host, another boot or another
	// pid namespace, so this process cannot look at it.
	Unknown State = iota
	// Running: the process is still running.
	Running
	// Gone: the process has exited (its pid is free, or now names a later
	// process).
	Gone
)

var self struct {
	once sync.Once
	id   ID
}

// Self is this process's ID (computed once).
func Self() ID {
	self.once.Do(func() {
		host, _ := os.Hostname()
		self.id = ID{Host: host, PID: os.Getpid(), Start: startMark(os.Getpid())}
	})
	return self.id
}

// Of is the ID of process pid on this host, as Self would be in it; it
// fails when the process does not exist.
func Of(pid int) (ID, error) {
	if !exists(pid) {
		return ID{}, fmt.Errorf("process %d: not running", pid)
	}
	id := ID{Host: Self().Host, PID: pid, Start: startMark(pid)}
	if Self().Start != "" && id.Start == "" {
		return ID{}, fmt.Errorf("process %d: cannot read its start time", pid)
	}
	return id, nil
}

// Check says whether id's process is still running, seen from this
// process, with a short reason: "is still running", "has exited", ...
func Check(id ID) (State, string) {
	me := Self()
	switch {
	case id.Host != me.Host:
		return Unknown, "ran on another host"
	case id.place() != me.place():
		return Unknown, "ran on this host name under another boot or pid namespace (a reboot, another machine or another container)"
	case id.PID <= 0:
		return Unknown, "has no valid pid"
	case id.Start == "":
		// No start mark where it was recorded, or here: a live pid is
		// taken as the same process.
		if exists(id.PID) {
			return Running, "is still running (or its pid was reused)"
		}
		return Gone, "has exited"
	}
	now := startMark(id.PID)
	switch {
	case now == id.Start && zombie(id.PID):
		return Gone, "has exited (its parent has not reaped it yet)"
	case now == id.Start:
		return Running, "is still running"
	case now != "":
		return Gone, "has exited (its pid now names a later process)"
	case exists(id.PID):
		// The pid exists but its start cannot be read (another user's
		// process under hidepid): do not guess that it is gone.
		return Running, "may still be running (its pid exists, its start time cannot be read)"
	}
	return Gone, "has exited"
}

// exists reports whether a process with this pid exists (a zombie counts:
// its pid is not free yet).
func exists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
