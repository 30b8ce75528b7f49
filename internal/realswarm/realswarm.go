// Package realswarm lets tests that time a real swarm, or load it
// heavily, take turns across packages: `go test ./...` runs packages at
// once, and a conformance case's measured durations moved by about 2 s
// when a docker CLI comparison ran beside it on the same two cores
// (docs/conformance.md). A test helper package.
package realswarm

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Hold waits until no other test holds the real swarm, then holds it
// until t ends.
func Hold(t testing.TB) {
	t.Helper()
	Lock(t, "chaosrun-realswarm.lock")
}

// Lock waits for the named lock file in the temp folder (a flock, which
// tests of every package on the machine see), then holds it until t ends.
func Lock(t testing.TB, name string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), name), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}
