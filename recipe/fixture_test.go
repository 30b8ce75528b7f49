package recipe

// The discourse fixture built in Go, for this package's tests; scenarios
// build the same history in Starlark (scenarios/lib/discourse.star).

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/gitcache"
)

// fixtureSrc is the discourse fixture folder.
const fixtureSrc = "../examples/recipes/discourse"

// Edit replaces Old, which must occur exactly once, with New in File.
type Edit struct {
	File, Old, New string
}

// Discourse fixture history (examples/recipes/discourse/README.md).
const (
	// DiscourseBaseTag tags the first commit, the published release.
	DiscourseBaseTag = "0.7.0+3.3.1"
	// DiscourseBaseMessage is the first commit's message.
	DiscourseBaseMessage = "chore: publish 0.7.0+3.3.1 release"
	// DiscourseHeadMessage is the untagged head commit's message, as on the
	// real PR head 7ae7b0f (seed journal).
	DiscourseHeadMessage = "chore: upgrade to 0.9.0+3.5.0"
	// DiscourseOverlay is written untracked after the two commits.
	DiscourseOverlay = "compose.ccci.yml"
)

// DiscourseHeadEdits turn the base compose.yml into the head's: the version
// label, the db image, and the app healthcheck's start_period (so the app
// task spec changes and swarm really rolls the app service).
var DiscourseHeadEdits = []Edit{
	{"compose.yml", "coop-cloud.${STACK_NAME}.version=0.7.0+3.3.1", "coop-cloud.${STACK_NAME}.version=0.9.0+3.5.0"},
	{"compose.yml", "image: postgres:15.6", "image: postgres:15.8"},
	{"compose.yml", "start_period: 5m", "start_period: 20m"},
}

// Fixture is a built fixture repository.
type Fixture struct {
	Repo *gitcache.Repo
	// TempRoot is the temporary folder holding the checkout when the
	// builder made one, else "".
	TempRoot string
	// Base and Head are the full hashes of the two commits.
	Base, Head string
}

// BuildDiscourseFixture builds the discourse fixture's history in a new
// repository at dir from the
// fixture folder src (examples/recipes/discourse): every file but the
// overlay committed and tagged DiscourseBaseTag, DiscourseHeadEdits
// committed as the head, then the overlay written untracked. With an
// empty dir the checkout is a folder named discourse (the recipe name abra
// would derive) in a new temporary folder, which Remove deletes.
func BuildDiscourseFixture(src, dir string) (*Fixture, error) {
	f := &Fixture{}
	if dir == "" {
		root, err := os.MkdirTemp(gitcache.TempDir(), "chaosrun-fixture-")
		if err != nil {
			return nil, err
		}
		f.TempRoot, dir = root, filepath.Join(root, "discourse")
	}
	r, err := gitcache.Init(dir)
	if err != nil {
		f.Remove()
		return nil, err
	}
	f.Repo = r
	if err := f.build(src); err != nil {
		f.Remove()
		return nil, err
	}
	return f, nil
}

// Remove deletes the temporary folder the builder made, if any.
func (f *Fixture) Remove() {
	if f.TempRoot != "" {
		os.RemoveAll(f.TempRoot)
	}
}

// build makes the fixture's history in f.Repo.
func (f *Fixture) build(src string) error {
	r := f.Repo
	var err error
	if err := gitcache.CopyTree(r, src, DiscourseOverlay); err != nil {
		return err
	}
	if f.Base, err = r.Commit(DiscourseBaseMessage, DiscourseBaseTag); err != nil {
		return err
	}
	for _, e := range DiscourseHeadEdits {
		if err := applyEdit(r, e); err != nil {
			return err
		}
	}
	if f.Head, err = r.Commit(DiscourseHeadMessage, ""); err != nil {
		return err
	}
	overlay, err := os.ReadFile(filepath.Join(src, DiscourseOverlay))
	if err != nil {
		return err
	}
	return r.WriteFile(DiscourseOverlay, overlay)
}

// applyEdit applies one Edit to the work tree.
func applyEdit(r *gitcache.Repo, e Edit) error {
	data, err := r.ReadFile(e.File)
	if err != nil {
		return err
	}
	if n := strings.Count(string(data), e.Old); n != 1 {
		return fmt.Errorf("%s: %q occurs %d times, want 1", e.File, e.Old, n)
	}
	return r.WriteFile(e.File, []byte(strings.Replace(string(data), e.Old, e.New, 1)))
}

// buildFixture builds the discourse fixture in a temp dir removed after t.
func buildFixture(t testing.TB) *Fixture {
	t.Helper()
	f, err := BuildDiscourseFixture(fixtureSrc, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Remove)
	return f
}

// removeOverlay deletes the fixture's untracked overlay, leaving a clean tree.
func removeOverlay(t *testing.T, f *Fixture) {
	t.Helper()
	if err := os.Remove(filepath.Join(f.Repo.Path(), DiscourseOverlay)); err != nil {
		t.Fatal(err)
	}
}
