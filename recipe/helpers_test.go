package recipe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureSrc is the discourse fixture folder.
const fixtureSrc = "../examples/recipes/discourse"

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

// cliChaosVersion is abra's chaos version computed with the git CLI.
func cliChaosVersion(t *testing.T, dir string) string {
	v := gitCLI(t, dir, "rev-parse", "--short=8", "HEAD")
	if gitCLI(t, dir, "status", "--porcelain") != "" {
		v += DirtySuffix
	}
	return v
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

// buildFixture builds the discourse fixture in a temp dir removed after t.
func buildFixture(t *testing.T) *Fixture {
	t.Helper()
	f, err := BuildDiscourseFixture(fixtureSrc, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Remove)
	return f
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
