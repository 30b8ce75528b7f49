package gitcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkedRepo makes a checkout with committed symlinks next to a sibling
// folder outside it, and returns it with the sibling's path:
//
//	recipe/file, recipe/dir/f      recipe/in -> file, recipe/indir -> dir
//	recipe/compose.yml -> /etc/passwd   recipe/outdir -> ../sibling
//	recipe/other.yml -> ../sibling/compose.yml
//	sibling/compose.yml
func linkedRepo(t *testing.T) (*Repo, string) {
	t.Helper()
	r := newRepo(t, map[string]string{"file": "inside\n", "dir/f": "inside f\n"})
	sibling := filepath.Join(filepath.Dir(r.Path()), "sibling")
	write(t, sibling, "compose.yml", "the sibling's\n")
	for name, target := range map[string]string{
		"in": "file", "indir": "dir", "compose.yml": "/etc/passwd", "outdir": "../sibling", "other.yml": "../sibling/compose.yml",
	} {
		if err := os.Symlink(target, filepath.Join(r.Path(), name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Commit("links", ""); err != nil {
		t.Fatal(err)
	}
	return r, sibling
}

// TestReadWriteStayInWorkTree checks that ReadFile and WriteFile follow a
// symlink only while it stays in the work tree (issue 14): a committed link
// to /etc/passwd or to another folder's file is not read, a write through
// a committed symlinked folder creates nothing outside, and .., absolute
// paths and .git are refused; links inside still work.
func TestReadWriteStayInWorkTree(t *testing.T) {
	r, sibling := linkedRepo(t)
	reads := []struct{ name, want string }{
		{"in", "inside\n"},
		{"indir/f", "inside f\n"},
		{"compose.yml", "error: compose.yml is a symlink to /etc/passwd, outside the work tree"},
		{"other.yml", "error: other.yml is a symlink to ../sibling/compose.yml, outside the work tree"},
		{"outdir/compose.yml", "error: outdir/compose.yml: outdir is a symlink to ../sibling, outside the work tree"},
		{"../sibling/compose.yml", "error: ../sibling/compose.yml leaves the work tree"},
		{"/etc/passwd", "error: /etc/passwd is an absolute path; paths are relative to the work tree"},
		{".git/config", "error: .git/config: path inside .git"},
	}
	for _, tc := range reads {
		data, err := r.ReadFile(tc.name)
		got := string(data)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("ReadFile(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	writes := []struct{ name, want string }{
		{"indir/new", ""},
		{"outdir/new", "outdir/new: outdir is a symlink to ../sibling, outside the work tree"},
		{"other.yml", "other.yml is a symlink to ../sibling/compose.yml, outside the work tree"},
		{"../sibling/new", "../sibling/new leaves the work tree"},
		{"/tmp/new", "/tmp/new is an absolute path; paths are relative to the work tree"},
	}
	for _, tc := range writes {
		err := r.WriteFile(tc.name, []byte("written\n"))
		if got := errString(err); got != tc.want {
			t.Errorf("WriteFile(%q): got %q, want %q", tc.name, got, tc.want)
		}
	}
	if data, err := os.ReadFile(filepath.Join(r.Path(), "dir", "new")); err != nil || string(data) != "written\n" {
		t.Errorf("indir/new was not written into dir/new: %q, %v", data, err)
	}
	assertUntouched(t, sibling)
}

// TestPrivateSyncStaysInWorkTree: a private checkout's pending write is
// made at Sync inside the work tree, even when a folder on its way became a
// symlink out of it on disk.
func TestPrivateSyncStaysInWorkTree(t *testing.T) {
	top := t.TempDir()
	r, err := InitPrivate(filepath.Join(top, "recipe"))
	if err != nil {
		t.Fatal(err)
	}
	sibling := filepath.Join(top, "sibling")
	write(t, sibling, "compose.yml", "the sibling's\n")
	if err := r.WriteFile("outdir/new", []byte("written\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sibling", filepath.Join(r.Path(), "outdir")); err != nil {
		t.Fatal(err)
	}
	err = r.Sync()
	if want := "outdir/new: outdir is a symlink to ../sibling, outside the work tree"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Sync: got %v, want %q", err, want)
	}
	assertUntouched(t, sibling)
}

// TestCheckoutDoesNotWriteThroughOldLink: checking out a commit with a
// folder where the checked-out commit has a symlink out of the work tree
// removes the link first, as git does, instead of writing the folder's
// files through it.
func TestCheckoutDoesNotWriteThroughOldLink(t *testing.T) {
	dir, sibling, folder, link := linkHistory(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{link, folder} {
		if _, err := r.Checkout(ref); err != nil {
			t.Fatal(err)
		}
	}
	assertUntouched(t, sibling)
	if info, err := os.Lstat(filepath.Join(dir, "outdir")); err != nil || !info.IsDir() {
		t.Errorf("outdir after the checkout: %v, %v; want a folder", info, err)
	}
}

// TestRestoreDoesNotWriteThroughLink: a case checks out a commit where a
// folder of the snapshot is a symlink out of the work tree; restoring the
// snapshot refuses, naming the link, instead of writing the folder's files
// through it.
func TestRestoreDoesNotWriteThroughLink(t *testing.T) {
	dir, sibling, folder, link := linkHistory(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Checkout(folder); err != nil {
		t.Fatal(err)
	}
	s, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Checkout(link); err != nil {
		t.Fatal(err)
	}
	err = r.Restore(s)
	if want := "outdir/new: outdir is a symlink to ../sibling, outside the work tree"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Restore: got %v, want %q", err, want)
	}
	assertUntouched(t, sibling)
}

// linkHistory makes, with the git CLI (go-git cannot commit a folder turned
// into a link), a checkout whose first commit has the file outdir/new and
// whose second has outdir -> ../sibling instead, next to the folder
// sibling; it returns the checkout's folder, sibling and the two commits.
func linkHistory(t *testing.T) (dir, sibling, folder, link string) {
	t.Helper()
	needGit(t)
	isolateGit(t)
	top := t.TempDir()
	dir, sibling = filepath.Join(top, "recipe"), filepath.Join(top, "sibling")
	write(t, sibling, "compose.yml", "the sibling's\n")
	write(t, dir, "outdir/new", "written\n")
	commit := func(msg string) string {
		gitCLI(t, dir, "add", "-A")
		gitCLI(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", msg)
		return gitCLI(t, dir, "rev-parse", "HEAD")
	}
	gitCLI(t, dir, "init", "-q")
	folder = commit("outdir is a folder")
	if err := os.RemoveAll(filepath.Join(dir, "outdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sibling", filepath.Join(dir, "outdir")); err != nil {
		t.Fatal(err)
	}
	return dir, sibling, folder, commit("outdir is a link")
}

// assertUntouched fails unless the sibling folder holds only its
// compose.yml, unchanged.
func assertUntouched(t *testing.T, sibling string) {
	t.Helper()
	entries, _ := os.ReadDir(sibling)
	data, _ := os.ReadFile(filepath.Join(sibling, "compose.yml"))
	if len(entries) != 1 || string(data) != "the sibling's\n" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("outside the work tree, sibling holds %v and compose.yml %q", names, data)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestReadErrorNamesCheckoutPath: an error about a file of a checkout
// opened through a symlinked path names the file under that path, which
// SetShown's name replaces, not under the real one (a temp path in a
// transcript).
func TestReadErrorNamesCheckoutPath(t *testing.T) {
	r := newRepo(t, map[string]string{"file": "x\n"})
	alias := filepath.Join(filepath.Dir(r.Path()), "alias")
	if err := os.Symlink(r.Path(), alias); err != nil {
		t.Fatal(err)
	}
	a, err := Open(alias)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.ReadFile("missing.txt")
	if want := filepath.Join(alias, "missing.txt"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadFile(missing.txt): got %v, want it to name %s", err, want)
	}
}
