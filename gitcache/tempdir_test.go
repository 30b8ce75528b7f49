package gitcache

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// helperBase, set in a helper process's environment, makes
// TestRunFolderHelper act as a run: it makes a run folder there, prints its
// path and waits until its stdin closes.
const helperBase = "GITCACHE_TEST_RUN_FOLDER_BASE"

func TestRunFolderHelper(t *testing.T) {
	base := os.Getenv(helperBase)
	if base == "" {
		t.Skip("only run as a helper process by TestSweepDead")
	}
	dir, _, err := makeRunFolder(base)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0) // the folder stays, as after a crash
}

// startRun starts a helper process that holds a run folder in base; it
// returns the process, its folder and the pipe whose closing ends it.
func startRun(t *testing.T, base string) (*exec.Cmd, string, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFolderHelper$")
	cmd.Env = append(os.Environ(), helperBase+"="+base)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	dir := strings.TrimSpace(line)
	if err != nil || !strings.HasPrefix(dir, base) {
		t.Fatalf("helper run: %q, %v", line, err)
	}
	return cmd, dir, stdin
}

// TestSweepDead: a sweep removes the run folders of processes that are
// gone (killed outright, or exited without removing theirs, or a name whose
// pid is alive but whose lock nobody holds, as after pid reuse), and never
// a live run's, another process's or this one's, nor anything else
// (issue 14).
func TestSweepDead(t *testing.T) {
	base := t.TempDir()
	mine, lock, err := makeRunFolder(base)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	_, live, _ := startRun(t, base)
	killed, crashed, _ := startRun(t, base)
	if err := killed.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
		t.Fatal(err)
	}
	killed.Wait()
	exited, gone, stdin := startRun(t, base)
	stdin.Close()
	exited.Wait()
	reused := fmt.Sprintf("chaosrun-pid%d-1", os.Getpid()) // a live pid, but no lock
	keep := []string{"chaosrun-git-123", "chaosrun-probe-1", ".chaosrun-starting-1"}
	for _, d := range append([]string{reused}, keep...) {
		if err := os.MkdirAll(filepath.Join(base, d, "repo"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "chaosrun-pid1-2"), nil, 0o644); err != nil { // a file, not a run folder
		t.Fatal(err)
	}

	removed := sweepDead(base)
	slices.Sort(removed)
	want := []string{filepath.Base(crashed), filepath.Base(gone), reused}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	for _, d := range append([]string{mine, live, "chaosrun-pid1-2"}, keep...) {
		if _, err := os.Stat(filepath.Join(base, filepath.Base(d))); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(d), err)
		}
	}
	for _, d := range want {
		if _, err := os.Stat(filepath.Join(base, d)); err == nil {
			t.Errorf("%s is still there", d)
		}
	}
}
