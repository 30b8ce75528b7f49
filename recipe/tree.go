package recipe

import (
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// treeModel is what a private checkout's work tree holds: every file
// written through the Repo, with its blob hash and its Lstat after the
// write. A private checkout (InitPrivate) is a temporary folder that only
// its Repo changes, so the status fingerprint, the build-cache key and
// checkout's comparisons read the model instead of walking and statting the
// folder; simulated explore runs spent a fifth of their time there. Every
// write still goes to disk, which the compose loader, the git CLI and
// clones read.
type treeModel struct {
	mu    sync.Mutex
	files map[string]modelEntry // by slash-separated path
}

type modelEntry struct {
	sum  plumbing.Hash
	info fs.FileInfo
}

// InitPrivate is Init for a new or empty folder that nothing but the
// returned Repo will change: no editor, no container with a bind mount into
// it. A temporary fixture on the simulator is such a folder.
func InitPrivate(path string) (*Repo, error) {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s: a private checkout needs an empty folder", path)
	}
	r, err := Init(path)
	if err != nil {
		return nil, err
	}
	r.model = &treeModel{files: map[string]modelEntry{}}
	r.repo.Storer.(*store).deferWrites()
	return r, nil
}

// wrote records that name now holds content sum, with Lstat info.
func (r *Repo) wrote(name string, sum plumbing.Hash, info fs.FileInfo) {
	if r.model == nil {
		return
	}
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	r.model.files[filepath.ToSlash(name)] = modelEntry{sum, info}
}

// removed records that name is gone.
func (r *Repo) removed(name string) {
	if r.model == nil {
		return
	}
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	delete(r.model.files, filepath.ToSlash(name))
}

// modelFile returns what the model says name holds.
func (r *Repo) modelFile(name string) (modelEntry, bool) {
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	f, ok := r.model.files[name]
	return f, ok
}

// forgetModel stops modelling the work tree after a change the model
// cannot follow (a failed write, go-git's own reset); from then on the
// folder is walked.
func (r *Repo) forgetModel() { r.model = nil }

// hashTree adds every file of the work tree to h, by slash-separated path
// relative to the work tree: its mode and content hash. It reads the model
// of a private checkout and walks any other.
func (r *Repo) hashTree(h io.Writer) error {
	if r.model != nil {
		r.model.mu.Lock()
		defer r.model.mu.Unlock()
		for _, name := range slices.Sorted(maps.Keys(r.model.files)) {
			f := r.model.files[name]
			fmt.Fprintf(h, "W %s %o\x00", name, f.info.Mode())
			h.Write(f.sum[:])
		}
		return nil
	}
	gitDir := filepath.Join(r.path, ".git")
	return filepath.WalkDir(r.path, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == gitDir {
			return fs.SkipDir
		}
		rel, _ := filepath.Rel(r.path, path)
		return r.hashEntry(h, filepath.ToSlash(rel), path, d)
	})
}
