package gitcache

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
)

// isolateGit points HOME and XDG_CONFIG_HOME at a fresh folder so that
// neither go-git nor the git CLI sees the user's global configuration.
func isolateGit(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	return home
}

// needGit skips the test when the git CLI is absent.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not found; skipping the comparison with it")
	}
}

// gitCLI runs the git CLI in dir and returns its trimmed output.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

// cliState is HEAD and whether the work tree is dirty, by the git CLI.
func cliState(t *testing.T, dir string) string {
	t.Helper()
	s := gitCLI(t, dir, "rev-parse", "HEAD")
	if gitCLI(t, dir, "status", "--porcelain") != "" {
		s += " dirty"
	}
	return s
}

// state is cliState by r.
func state(t *testing.T, r *Repo) string {
	t.Helper()
	s, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	dirty, err := r.IsDirty()
	if err != nil {
		t.Fatal(err)
	}
	if dirty {
		s += " dirty"
	}
	return s
}

// newRepo makes a repository in a temp dir with one commit of files.
func newRepo(t *testing.T, files map[string]string) *Repo {
	t.Helper()
	r, err := Init(filepath.Join(t.TempDir(), "recipe"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := r.WriteFile(name, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Commit("init", ""); err != nil {
		t.Fatal(err)
	}
	return r
}

// Two releases' history (newHistory): base, tagged baseTag, and an untagged
// head that changes compose.yml, then an untracked overlay.
const (
	baseTag = "1.0.0+1"
	overlay = "overlay.yml"
)

type history struct {
	repo       *Repo
	base, head string
}

// newHistory makes two releases' history in a folder named recipe.
func newHistory(t *testing.T) history {
	t.Helper()
	h := commitReleases(t, newRepo(t, map[string]string{"README.md": "r\n"}))
	if err := h.repo.WriteFile(overlay, []byte("o\n")); err != nil {
		t.Fatal(err)
	}
	return h
}

// commitReleases commits the base and the head of two releases' history
// in r.
func commitReleases(t *testing.T, r *Repo) history {
	t.Helper()
	h := history{repo: r}
	for _, c := range []struct{ content, tag string }{{"base\n", baseTag}, {"head\n", ""}} {
		if err := r.WriteFile("compose.yml", []byte(c.content)); err != nil {
			t.Fatal(err)
		}
		hash, err := r.Commit(strings.TrimSpace(c.content), c.tag)
		if err != nil {
			t.Fatal(err)
		}
		h.base, h.head = h.head, hash
	}
	return h
}

// stage stages one path like `git add`.
func stage(t *testing.T, r *Repo, name string) {
	t.Helper()
	wt, err := r.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{Path: name}); err != nil {
		t.Fatal(err)
	}
}

// write writes a file under dir.
func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
