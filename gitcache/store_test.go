package gitcache

import (
	"reflect"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// TestStoreReadsAsDisk checks that a repository this package created reads
// its references and index from memory exactly as go-git reads them from
// disk afterwards, after each kind of write.
func TestStoreReadsAsDisk(t *testing.T) {
	isolateGit(t)
	r := newRepo(t, map[string]string{"compose.yml": "version: \"3.8\"\n"})
	other := newRepo(t, map[string]string{"x": "x\n"})
	if _, err := other.Commit("tagged", "9.9.9"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"commit with tag", func() error { _, err := r.Commit("second", "1.0.0"); return err }},
		{"write and commit", func() error {
			if err := r.WriteFile("compose.yml", []byte("version: \"3.9\"\n")); err != nil {
				return err
			}
			_, err := r.Commit("third", "")
			return err
		}},
		{"checkout tag", func() error { _, err := r.Checkout("1.0.0"); return err }},
		{"checkout branch", func() error { _, err := r.Checkout("main"); return err }},
		{"fetch tags", func() error { return r.FetchTags(other) }},
		{"remove tag", func() error { return r.repo.DeleteTag("1.0.0") }},
	}
	names := []plumbing.ReferenceName{plumbing.HEAD, "refs/heads/main", "refs/tags/1.0.0", "refs/tags/9.9.9", "refs/heads/none"}
	for _, step := range steps {
		// Read everything once before the step, so that what the store
		// remembers is what the step must update.
		readRefs(t, r.repo, names)
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		disk, err := git.PlainOpen(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := readRefs(t, r.repo, names), readRefs(t, disk, names); !reflect.DeepEqual(got, want) {
			t.Errorf("after %s: references %v, on disk %v", step.name, got, want)
		}
		got, err := r.repo.Storer.Index()
		if err != nil {
			t.Fatal(err)
		}
		want, err := disk.Storer.Index()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after %s: index %+v, on disk %+v", step.name, got, want)
		}
	}
}

// readRefs reads names, a not-found reference as "-".
func readRefs(t *testing.T, repo *git.Repository, names []plumbing.ReferenceName) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		ref, err := repo.Storer.Reference(n)
		switch {
		case err == plumbing.ErrReferenceNotFound:
			out = append(out, "-")
		case err != nil:
			t.Fatalf("%s: %v", n, err)
		default:
			out = append(out, ref.String())
		}
	}
	return out
}

// TestStoreIndexIsACopy checks that changing a returned index leaves the
// remembered one alone, as a fresh read from disk would.
func TestStoreIndexIsACopy(t *testing.T) {
	isolateGit(t)
	r := newRepo(t, map[string]string{"a": "a\n", "b": "b\n"})
	idx, err := r.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	idx.Entries[0].Name = "changed"
	idx.Entries = idx.Entries[:1]
	again, err := r.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Entries) != 2 || again.Entries[0].Name != "a" {
		t.Errorf("index after changing a copy: %+v", again.Entries)
	}
}
