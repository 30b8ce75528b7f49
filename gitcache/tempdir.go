package gitcache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
)

// TempDir is the folder this process's temporary checkouts go in: its run
// folder, chaosrun-pid<pid>-<random>, inside the base folder, which is
// $CHAOSRUN_TMPDIR when set, else /dev/shm when it is a writable directory
// (memory-backed: a simulated run spends most of its time in git's file
// operations, which take half as long there as on a disk), else
// os.TempDir(). The run folder is made on first use, after removing the run
// folders of processes that are gone (see sweepDead); RemoveTempDir removes
// it. When it cannot be made, TempDir is the base folder itself.
func TempDir() string {
	tempMu.Lock()
	defer tempMu.Unlock()
	if tempDir == "" {
		base := baseDir()
		sweepDead(base)
		tempDir = base
		if dir, lock, err := makeRunFolder(base); err == nil {
			tempDir, runLock = dir, lock
		}
	}
	return tempDir
}

// RemoveTempDir removes this process's run folder and what is in it, if
// TempDir made one. chaosrun calls it as it exits, however the run ended
// (signals included); a run killed outright leaves its folder to the next
// run's sweep.
func RemoveTempDir() {
	tempMu.Lock()
	defer tempMu.Unlock()
	if runLock != nil {
		os.RemoveAll(tempDir)
		runLock.Close()
		runLock = nil
	}
}

var (
	tempMu  sync.Mutex
	tempDir string
	// runLock is the open run folder, locked while this process lives:
	// kept here so that it is never closed (and unlocked) by the collector.
	runLock *os.File
)

func baseDir() string {
	if d := os.Getenv("CHAOSRUN_TMPDIR"); d != "" {
		return d
	}
	if f, err := os.CreateTemp("/dev/shm", "chaosrun-probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		return "/dev/shm"
	}
	return os.TempDir()
}

// A run folder is locked (flock) by its process for as long as the process
// lives: the kernel drops the lock when it dies, however it dies (a crash,
// SIGKILL, SIGPIPE). So a run folder whose lock can be taken belongs to a
// process that is gone. Unlike a pid, a lock cannot be fooled by a pid that
// was reused, a reboot or another pid namespace sharing the folder; the pid
// in the name is for people.
const (
	runFolderPrefix = "chaosrun-pid"
	startingPrefix  = ".chaosrun-starting-"
)

var runFolderName = regexp.MustCompile(`^chaosrun-pid[0-9]+-[0-9]+$`)

// makeRunFolder makes a run folder in base and locks it. It is made under a
// name sweepDead ignores and renamed once locked, so no sweep ever sees it
// unlocked; it returns the folder and the open, locked directory.
func makeRunFolder(base string) (string, *os.File, error) {
	starting, err := os.MkdirTemp(base, startingPrefix)
	if err != nil {
		return "", nil, err
	}
	lock, err := os.Open(starting)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	dir := filepath.Join(base, fmt.Sprintf("%s%d-%s", runFolderPrefix, os.Getpid(), strings.TrimPrefix(filepath.Base(starting), startingPrefix)))
	if err == nil {
		err = os.Rename(starting, dir)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		os.RemoveAll(starting)
		return "", nil, err
	}
	return dir, lock, nil
}

// sweepDead removes the run folders in base whose process is gone: those
// whose lock it can take. It returns their names; a folder it cannot open
// (another user's) or whose lock is held is left alone.
func sweepDead(base string) []string {
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !runFolderName.MatchString(e.Name()) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if removeIfUnlocked(dir) {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// removeIfUnlocked removes dir if no process holds its lock, holding the
// lock while it does so that no other sweep works on it at the same time.
func removeIfUnlocked(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false // held: its process is alive (EWOULDBLOCK), or no locks here
	}
	err = os.RemoveAll(dir)
	return err == nil || errors.Is(err, os.ErrNotExist)
}
