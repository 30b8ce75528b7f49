package gitcache

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// TestPrivateTreeFollowsTheDisk runs checkouts, writes and commits on a
// private checkout and checks after each step that the status read through
// its model of the work tree is go-git's status of the disk, and that after
// Sync the disk holds what the model says.
func TestPrivateTreeFollowsTheDisk(t *testing.T) {
	isolateGit(t)
	r, err := InitPrivate(filepath.Join(t.TempDir(), "recipe"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) func() error {
		return func() error { return r.WriteFile(name, []byte(data)) }
	}
	commit := func(tag string) func() error {
		return func() error { _, err := r.Commit("c", tag); return err }
	}
	checkout := func(ref string) func() error {
		return func() error { _, err := r.Checkout(ref); return err }
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"write", write("compose.yml", "a\n")},
		{"write nested", write("sub/env", "X=1\n")},
		{"commit base", commit("base")},
		{"edit", write("compose.yml", "b\n")},
		{"add a file", write("extra.yml", "e\n")},
		{"commit head", commit("head")},
		{"untracked overlay", write("overlay.yml", "o\n")},
		{"same overlay again", write("overlay.yml", "o\n")},
		{"checkout base", checkout("base")},                   // removes extra.yml, keeps the overlay
		{"write the removed file", write("extra.yml", "u\n")}, // untracked now
		{"dirty tracked", write("compose.yml", "dirty\n")},
		{"checkout head", checkout("head")},
		{"checkout main", checkout("main")},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if r.model == nil {
			t.Fatalf("%s: the model was dropped", step.name)
		}
		got, err := r.Status()
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.status0() // writes what is pending, then asks go-git
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: status %q, go-git on disk %q", step.name, got, want)
		}
		if err := r.Sync(); err != nil {
			t.Fatal(err)
		}
		if got, want := modelFiles(r), diskFiles(t, r.Path()); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: model %v, disk %v", step.name, got, want)
		}
	}
}

// modelFiles lists the model as path → blob hash.
func modelFiles(r *Repo) map[string]string {
	out := map[string]string{}
	for name, f := range r.model.files {
		out[name] = f.sum.String()
	}
	return out
}

// diskFiles lists the work tree's files as path → blob hash.
func diskFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == ".git" {
				return fs.SkipDir
			}
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = plumbing.ComputeHash(plumbing.BlobObject, data).String()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInitPrivateWantsAnEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "x", "x\n")
	if _, err := InitPrivate(dir); err == nil || !strings.Contains(err.Error(), "empty folder") {
		t.Errorf("InitPrivate of a folder with files: %v", err)
	}
}

// TestPrivateStoreFlushes checks that what a private checkout keeps in
// memory (references, the index) reaches disk before something reads the
// folder as a repository: a clone sees the newest commit and tag, and after
// Flush go-git and the git CLI read the same HEAD, tags and status.
func TestPrivateStoreFlushes(t *testing.T) {
	isolateGit(t)
	r, err := InitPrivate(filepath.Join(t.TempDir(), "recipe"))
	if err != nil {
		t.Fatal(err)
	}
	h := commitReleases(t, r)
	base, head := h.base, h.head
	if _, err := r.Checkout(baseTag); err != nil {
		t.Fatal(err)
	}
	clone, err := Clone(r, filepath.Join(t.TempDir(), "clone"), true)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := clone.Head(); err != nil || got != base {
		t.Errorf("clone's HEAD %s, %v; want the source's detached HEAD %s", got, err, base)
	}
	if ref, err := clone.repo.Reference("refs/remotes/origin/main", true); err != nil || ref.Hash().String() != head {
		t.Errorf("clone's origin/main %v, %v; want the newest commit %s", ref, err, head)
	}
	if tags, err := clone.TagsAt(base); err != nil || len(tags) != 1 || tags[0] != baseTag {
		t.Errorf("clone's tags at base: %v, %v", tags, err)
	}
	if err := r.flush(); err != nil {
		t.Fatal(err)
	}
	disk, err := Open(r.Path())
	if err != nil {
		t.Fatal(err)
	}
	names := []plumbing.ReferenceName{plumbing.HEAD, "refs/heads/main", "refs/tags/" + baseTag}
	if got, want := readRefs(t, r.repo, names), readRefs(t, disk.repo, names); !reflect.DeepEqual(got, want) {
		t.Errorf("references in memory %v, on disk %v", got, want)
	}
	mem, err := r.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := disk.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(indexNames(mem), indexNames(onDisk)) {
		t.Errorf("index in memory %v, on disk %v", indexNames(mem), indexNames(onDisk))
	}
	needGit(t)
	if got := gitCLI(t, r.Path(), "rev-parse", "HEAD"); got != base {
		t.Errorf("git rev-parse HEAD = %s, want %s", got, base)
	}
	if got := gitCLI(t, r.Path(), "status", "--porcelain"); got != "" {
		t.Errorf("git status after the flush: %q", got)
	}
}

// indexNames lists an index's entries as "name hash".
func indexNames(idx *index.Index) []string {
	var out []string
	for _, e := range idx.Entries {
		out = append(out, e.Name+" "+e.Hash.String())
	}
	return out
}

// TestPrivateCheckoutWritesAtSync: a private checkout's checkout changes
// the model and the index only; the files change at Sync, which any Repo
// method that reads the folder runs first.
func TestPrivateCheckoutWritesAtSync(t *testing.T) {
	isolateGit(t)
	r, err := InitPrivate(filepath.Join(t.TempDir(), "recipe"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"base", "head"} {
		if err := r.WriteFile("compose.yml", []byte(v+"\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Commit(v, v); err != nil {
			t.Fatal(err)
		}
	}
	onDisk := func() string {
		data, err := os.ReadFile(filepath.Join(r.Path(), "compose.yml"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if _, err := r.Checkout("base"); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(); got != "head\n" {
		t.Errorf("before Sync the file holds %q, want the old content", got)
	}
	if got, err := r.ReadFile("compose.yml"); err != nil || string(got) != "base\n" {
		t.Errorf("ReadFile = %q, %v; want the checked-out content", got, err)
	}
	if got := onDisk(); got != "base\n" {
		t.Errorf("after ReadFile the file holds %q", got)
	}
}
