package gitcache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckout(t *testing.T) {
	isolateGit(t)
	h := newHistory(t)
	r := h.repo
	tests := []struct {
		ref, want string
	}{
		{baseTag, h.base},
		{h.head, h.head},
		{h.base[:7], h.base},
		{"main", h.head},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := r.Checkout(tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			head, _ := r.Head()
			if got != tt.want || head != tt.want {
				t.Errorf("Checkout(%q) = %s, HEAD %s; want %s", tt.ref, got, head, tt.want)
			}
			if _, err := os.Stat(filepath.Join(r.Path(), overlay)); err != nil {
				t.Errorf("untracked overlay not kept: %v", err)
			}
			if dirty, err := r.IsDirty(); err != nil || !dirty {
				t.Errorf("IsDirty = %v, %v with the untracked overlay", dirty, err)
			}
		})
	}
}

func TestCheckoutMatchesGitCLI(t *testing.T) {
	needGit(t)
	isolateGit(t)
	h := newHistory(t)
	write(t, h.repo.Path(), "compose.yml", "local change\n")
	write(t, h.repo.Path(), "notes.log", "kept\n")
	if _, err := h.repo.Checkout(baseTag); err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, h.repo.Path(), "status", "--porcelain"); got != "?? notes.log\n?? "+overlay {
		t.Errorf("git status after checkout -f of the base:\n%s", got)
	}
	if got := gitCLI(t, h.repo.Path(), "rev-parse", "HEAD"); got != h.base {
		t.Errorf("git rev-parse HEAD = %s, want %s", got, h.base)
	}
	if data, _ := h.repo.ReadFile("compose.yml"); string(data) != "base\n" {
		t.Errorf("compose.yml is %q, not the base's", data)
	}
}

func TestCheckoutUnknownRef(t *testing.T) {
	isolateGit(t)
	r := newRepo(t, map[string]string{"a": "a"})
	for _, ref := range []string{"0.9.0+3.5.0", "deadbeef", "", "no such ref"} {
		_, err := r.Checkout(ref)
		var ue *UnknownRefError
		if !errors.As(err, &ue) {
			t.Fatalf("Checkout(%q) = %v, want an UnknownRefError", ref, err)
		}
		if !strings.Contains(err.Error(), r.Path()) || !strings.Contains(err.Error(), `"`+ref+`"`) {
			t.Errorf("error %q does not name the ref and the repository", err)
		}
	}
}

func TestOpen(t *testing.T) {
	isolateGit(t)
	h := newHistory(t)
	r, err := Open(h.repo.Path())
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := r.Head(); head != h.head {
		t.Errorf("Head = %s, want %s", head, h.head)
	}
	if r.Name() != "recipe" {
		t.Errorf("Name = %q", r.Name())
	}
	dir := t.TempDir()
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), dir+": not a git repository") {
		t.Errorf("Open(non-repository) = %v", err)
	}
}

func TestCommitsAreReproducible(t *testing.T) {
	isolateGit(t)
	a, b := newHistory(t), newHistory(t)
	if a.base != b.base || a.head != b.head {
		t.Errorf("two histories differ: %s %s vs %s %s", a.base, a.head, b.base, b.head)
	}
	tags, _ := a.repo.TagsAt(a.base)
	if len(tags) != 1 || tags[0] != baseTag {
		t.Errorf("tags at base = %v", tags)
	}
}

func TestWorkTreePaths(t *testing.T) {
	r := newRepo(t, map[string]string{"a": "a"})
	for _, name := range []string{"../x", "/etc/passwd", ".git/config", "."} {
		if err := r.WriteFile(name, nil); err == nil {
			t.Errorf("WriteFile(%q) succeeded", name)
		}
	}
	if err := r.WriteFile("sub/b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	if data, err := r.ReadFile("sub/b.txt"); err != nil || string(data) != "b" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
}

// TestCLIRepository opens a repository the git CLI made, with an annotated
// tag and an index the CLI wrote, as a real recipe clone is.
func TestCLIRepository(t *testing.T) {
	needGit(t)
	isolateGit(t)
	dir := filepath.Join(t.TempDir(), "recipe")
	env := []string{"-c", "user.name=t", "-c", "user.email=t@example.invalid"}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitCLI(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "compose.yml", "one\n")
	gitCLI(t, dir, "add", "-A")
	gitCLI(t, dir, append(env, "commit", "-q", "-m", "one")...)
	gitCLI(t, dir, append(env, "tag", "-a", "-m", "release", "1.0.0+1")...)
	write(t, dir, "compose.yml", "two\n")
	gitCLI(t, dir, append(env, "commit", "-q", "-am", "two")...)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := state(t, r), cliState(t, dir); got != want {
		t.Errorf("HEAD and dirtiness %s, git CLI %s", got, want)
	}
	got, err := r.Checkout("1.0.0+1")
	if err != nil {
		t.Fatal(err)
	}
	if want := gitCLI(t, dir, "rev-parse", "1.0.0+1^{commit}"); got != want {
		t.Errorf("Checkout(annotated tag) = %s, want %s", got, want)
	}
	if got, want := state(t, r), cliState(t, dir); got != want {
		t.Errorf("after checkout: HEAD and dirtiness %s, git CLI %s", got, want)
	}
	if tags, _ := r.TagsAt(got); len(tags) != 1 || tags[0] != "1.0.0+1" {
		t.Errorf("TagsAt = %v", tags)
	}
	gitCLI(t, dir, "checkout", "-q", "-f", "main")
	if got, want := state(t, r), cliState(t, dir); got != want {
		t.Errorf("after CLI checkout: HEAD and dirtiness %s, git CLI %s", got, want)
	}
}

// TestCheckoutSymlinkTree covers checkout's slow path: a tree with a
// symlink goes through go-git's reset, limited to tracked paths, so an
// untracked file is kept and the git CLI sees a clean checkout.
func TestCheckoutSymlinkTree(t *testing.T) {
	needGit(t)
	isolateGit(t)
	r := newRepo(t, map[string]string{"a.txt": "one\n"})
	if err := os.Symlink("a.txt", filepath.Join(r.Path(), "link")); err != nil {
		t.Fatal(err)
	}
	v1, err := r.Commit("link", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("a.txt", []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit("two", ""); err != nil {
		t.Fatal(err)
	}
	write(t, r.Path(), "untracked.txt", "kept\n")
	if got, err := r.Checkout("v1"); err != nil || got != v1 {
		t.Fatalf("Checkout(v1) = %s, %v; want %s", got, err, v1)
	}
	if data, _ := r.ReadFile("a.txt"); string(data) != "one\n" {
		t.Errorf("a.txt = %q after checking out v1", data)
	}
	if target, err := os.Readlink(filepath.Join(r.Path(), "link")); err != nil || target != "a.txt" {
		t.Errorf("link = %q, %v", target, err)
	}
	if got := gitCLI(t, r.Path(), "status", "--porcelain"); got != "?? untracked.txt" {
		t.Errorf("git status after the checkout:\n%s", got)
	}
}
