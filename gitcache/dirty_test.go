package gitcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestStatusMatchesGitCLI(t *testing.T) {
	needGit(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, r *Repo, home string)
		dirty bool
	}{
		{"clean", func(*testing.T, *Repo, string) {}, false},
		{"modified", func(t *testing.T, r *Repo, _ string) { write(t, r.Path(), "a.txt", "changed\n") }, true},
		{"staged", func(t *testing.T, r *Repo, _ string) {
			write(t, r.Path(), "b.txt", "new\n")
			stage(t, r, "b.txt")
		}, true},
		{"untracked", func(t *testing.T, r *Repo, _ string) { write(t, r.Path(), "compose.ccci.yml", "x\n") }, true},
		{"untracked in folder", func(t *testing.T, r *Repo, _ string) { write(t, r.Path(), "d/e/f.txt", "x\n") }, true},
		{"deleted", func(t *testing.T, r *Repo, _ string) { os.Remove(filepath.Join(r.Path(), "a.txt")) }, true},
		{"executable bit", func(t *testing.T, r *Repo, _ string) { os.Chmod(filepath.Join(r.Path(), "a.txt"), 0o755) }, true},
		{"ignored", func(t *testing.T, r *Repo, _ string) { write(t, r.Path(), "debug.log", "x\n") }, false},
		{"ignored folder", func(t *testing.T, r *Repo, _ string) { write(t, r.Path(), "tmp/x.txt", "x\n") }, false},
		{"info/exclude", func(t *testing.T, r *Repo, _ string) {
			write(t, r.Path(), ".git/info/exclude", "*.bak\n")
			write(t, r.Path(), "compose.yml.bak", "x\n")
		}, false},
		{"nested .gitignore", func(t *testing.T, r *Repo, _ string) {
			write(t, r.Path(), "sub/.gitignore", "*.tmp\n")
			write(t, r.Path(), "sub/x.tmp", "x\n")
		}, true}, // the nested .gitignore itself is untracked
		{"negated pattern", func(t *testing.T, r *Repo, _ string) {
			write(t, r.Path(), ".git/info/exclude", "*.bak\n!keep.bak\n")
			write(t, r.Path(), "keep.bak", "x\n")
		}, true},
		{"empty folder", func(t *testing.T, r *Repo, _ string) { os.Mkdir(filepath.Join(r.Path(), "empty"), 0o755) }, false},
		{"touched, same content", func(t *testing.T, r *Repo, _ string) {
			future := time.Now().Add(time.Hour)
			os.Chtimes(filepath.Join(r.Path(), "a.txt"), future, future)
		}, false},
		{"rewritten, same content", func(t *testing.T, r *Repo, _ string) {
			time.Sleep(10 * time.Millisecond)
			write(t, r.Path(), "a.txt", "hello\n")
		}, false},
		{"globally excluded", func(t *testing.T, r *Repo, home string) {
			write(t, home, ".gitexcludes", "*.swp\n")
			write(t, home, ".gitconfig", "[core]\n\texcludesfile = "+filepath.Join(home, ".gitexcludes")+"\n")
			write(t, r.Path(), "compose.yml.swp", "x\n")
		}, false},
		{"default global ignore file", func(t *testing.T, r *Repo, home string) {
			write(t, home, ".config/git/ignore", ".DS_Store\n")
			write(t, r.Path(), ".DS_Store", "x\n")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := isolateGit(t)
			r := newRepo(t, map[string]string{"a.txt": "hello\n", ".gitignore": "*.log\ntmp/\n"})
			tt.setup(t, r, home)
			got := state(t, r) // before the CLI, which refreshes the index
			if want := cliState(t, r.Path()); got != want {
				st, _ := r.Status()
				t.Errorf("HEAD and dirtiness %q, git CLI says %q (go-git status %q)", got, want, st)
			}
			if dirty := strings.HasSuffix(got, " dirty"); dirty != tt.dirty {
				t.Errorf("dirty = %v, want %v", dirty, tt.dirty)
			}
		})
	}
}

// TestContentSumsSeeQuickRewrites rewrites a file with content of the same
// size and gives it back its old modification time, as a file system with
// coarse timestamps would when both writes fall in one tick: the content
// hash the status fingerprint and the build cache use must be the new
// content's, not one remembered under the same stat data.
func TestContentSumsSeeQuickRewrites(t *testing.T) {
	isolateGit(t)
	r := newRepo(t, map[string]string{"a.txt": "aaaa\n"})
	path := filepath.Join(r.Path(), "a.txt")
	for _, data := range []string{"bbbb\n", "aaaa\n", "cccc\n"} {
		before, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.contents.sum(path, before); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteFile("a.txt", []byte(data)); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, before.ModTime(), before.ModTime()); err != nil {
			t.Fatal(err)
		}
		info, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.contents.sum(path, info)
		if want := plumbing.ComputeHash(plumbing.BlobObject, []byte(data)); err != nil || got != want {
			t.Fatalf("after writing %q: sum %s, %v; want %s", data, got, err, want)
		}
	}
}
