package gitcache

import (
	"fmt"
	"strings"
	"testing"
)

// treeState is what a case can see of a checkout: HEAD, its tags, status
// and every file with its content.
func treeState(t *testing.T, r *Repo) string {
	t.Helper()
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	tags, err := r.TagsAt(head)
	if err != nil {
		t.Fatal(err)
	}
	status, err := r.Status()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = r.eachFile(func(name string, f snapFile) error {
		data, err := r.ReadFile(name)
		files = append(files, fmt.Sprintf("%s %o %q", name, f.perm, data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := r.LatestTag()
	return fmt.Sprintf("head %s tags %v latest %s\nstatus %v\n%s", head[:8], tags, latest, status, strings.Join(files, "\n"))
}

// TestRestoreUndoesWhatACaseDid: whatever a case does to a fixture
// checkout (checkout, edit, new files, commits, tags), Restore gives the
// next case the state the snapshot recorded, for private and on-disk
// checkouts alike.
func TestRestoreUndoesWhatACaseDid(t *testing.T) {
	isolateGit(t)
	kinds := []struct {
		name string
		init func(string) (*Repo, error)
	}{{"private", InitPrivate}, {"owned", Init}}
	cases := []struct {
		name string
		act  func(r *Repo) error
	}{
		{"checkout", func(r *Repo) error { _, err := r.Checkout("v1"); return err }},
		{"edit", func(r *Repo) error { return r.WriteFile("compose.yml", []byte("changed")) }},
		{"new file", func(r *Repo) error { return r.WriteFile("dir/new.txt", []byte("new")) }},
		{"untracked edited", func(r *Repo) error { return r.WriteFile("overlay.yml", []byte("other")) }},
		{"commit and tag", func(r *Repo) error {
			if err := r.WriteFile("compose.yml", []byte("three")); err != nil {
				return err
			}
			_, err := r.Commit("three", "v3")
			return err
		}},
		{"all", func(r *Repo) error {
			if _, err := r.Checkout("v1"); err != nil {
				return err
			}
			if err := r.WriteFile("x", []byte("x")); err != nil {
				return err
			}
			_, err := r.Commit("x", "vx")
			return err
		}},
	}
	for _, k := range kinds {
		for _, c := range cases {
			t.Run(k.name+"/"+c.name, func(t *testing.T) {
				r, err := k.init(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				mustWrite(t, r, "compose.yml", "one")
				mustCommit(t, r, "one", "v1")
				mustWrite(t, r, "compose.yml", "two")
				mustCommit(t, r, "two", "v2")
				mustWrite(t, r, "overlay.yml", "untracked")
				want := treeState(t, r)
				s, err := r.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if err := c.act(r); err != nil {
					t.Fatal(err)
				}
				if treeState(t, r) == want {
					t.Fatal("the action changed nothing: the case tests nothing")
				}
				if err := r.Restore(s); err != nil {
					t.Fatal(err)
				}
				if got := treeState(t, r); got != want {
					t.Errorf("after Restore:\n%s\nwant:\n%s", got, want)
				}
				// A second round from the restored state restores again.
				if err := c.act(r); err != nil {
					t.Fatal(err)
				}
				if err := r.Restore(s); err != nil {
					t.Fatal(err)
				}
				if got := treeState(t, r); got != want {
					t.Errorf("after a second Restore:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
}

func mustWrite(t *testing.T, r *Repo, name, data string) {
	t.Helper()
	if err := r.WriteFile(name, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

func mustCommit(t *testing.T, r *Repo, msg, tag string) {
	t.Helper()
	if _, err := r.Commit(msg, tag); err != nil {
		t.Fatal(err)
	}
}
