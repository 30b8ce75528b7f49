package gitcache

import (
	"os"
	"sync"
)

// TempDir is the folder temporary checkouts go in: $CHAOSRUN_TMPDIR when
// set, else /dev/shm when it is a writable directory (memory-backed: a
// simulated run spends most of its time in git's file operations, which
// take half as long there as on a disk), else os.TempDir().
func TempDir() string {
	tempDirOnce.Do(func() {
		tempDir = os.TempDir()
		if d := os.Getenv("CHAOSRUN_TMPDIR"); d != "" {
			tempDir = d
			return
		}
		if f, err := os.CreateTemp("/dev/shm", "chaosrun-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			tempDir = "/dev/shm"
		}
	})
	return tempDir
}

var (
	tempDirOnce sync.Once
	tempDir     string
)
