package gitcache

import (
	"bytes"
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
// written through the Repo, with its blob hash and mode. A private checkout
// (InitPrivate) is a temporary folder that only its Repo changes, so the
// status fingerprint, the build-cache key and checkout's comparisons read
// the model instead of walking and statting the folder, and writes wait in
// pending until something reads the folder (Sync): a checkout on the
// simulator, whose builds come from the build cache, touches no file.
// Walking, statting and writing cost a third of an explore run.
type treeModel struct {
	mu      sync.Mutex
	files   map[string]modelEntry    // by slash-separated path
	pending map[string]*pendingWrite // writes not yet on disk, by path
	// listing is what HashTree writes for files, made once per change:
	// each deploy asks for it twice (status fingerprint, build-cache key).
	listing []byte
}

type modelEntry struct {
	sum  plumbing.Hash
	perm os.FileMode // 0o644 or 0o755
	size int64
	info fs.FileInfo // Lstat once on disk; nil while pending
}

// pendingWrite is a file to write anew with data and perm, or to remove.
type pendingWrite struct {
	data   []byte
	perm   os.FileMode
	remove bool
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
	r.model = &treeModel{files: map[string]modelEntry{}, pending: map[string]*pendingWrite{}}
	r.repo.Storer.(*store).deferWrites()
	return r, nil
}

// put records that name now holds data with perm, to be written at Sync.
func (r *Repo) put(name string, data []byte, perm os.FileMode) {
	sum := plumbing.ComputeHash(plumbing.BlobObject, data)
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	r.model.files[name] = modelEntry{sum: sum, perm: perm, size: int64(len(data))}
	r.model.listing = nil
	r.model.pending[name] = &pendingWrite{data: data, perm: perm}
}

// drop records that name is gone, to be removed at Sync.
func (r *Repo) drop(name string) {
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	delete(r.model.files, name)
	r.model.listing = nil
	r.model.pending[name] = &pendingWrite{remove: true}
}

// modelFile returns what the model says name holds.
func (r *Repo) modelFile(name string) (modelEntry, bool) {
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	f, ok := r.model.files[name]
	return f, ok
}

// Sync writes a private checkout's pending files to disk; a Repo method
// that reads the folder calls it first. Call it before reading the folder
// at Path by other means.
func (r *Repo) Sync() error {
	if r.model == nil {
		return nil
	}
	r.model.mu.Lock()
	defer r.model.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(r.model.pending)) {
		if err := r.apply(name, r.model.pending[name]); err != nil {
			return fmt.Errorf("%s: write %s: %w", r.Shown(), name, err)
		}
		delete(r.model.pending, name)
	}
	return nil
}

// apply writes or removes one pending file, inside the work tree (leaf);
// the model's lock is held.
func (r *Repo) apply(name string, w *pendingWrite) error {
	real, err := r.leaf(name)
	if err != nil {
		return err
	}
	// Removed first, so that the file gets the mode the model says.
	if err := os.Remove(real); err != nil && !os.IsNotExist(err) {
		return err
	}
	if w.remove {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(real, w.data, w.perm); err != nil {
		return err
	}
	// The memo is keyed by the path status walks.
	path := filepath.Join(r.path, filepath.FromSlash(name))
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	e := r.model.files[name]
	e.info = info
	r.model.files[name] = e
	r.contents.put(path, info, e.sum)
	return nil
}

// forgetModel writes what is pending and stops modelling the work tree,
// before a change the model cannot follow (go-git's own reset); from then
// on the folder is walked.
func (r *Repo) forgetModel() error {
	if err := r.Sync(); err != nil {
		return err
	}
	r.model = nil
	return nil
}

// HashTree writes every file of the work tree to h, by slash-separated
// path relative to the work tree, with its mode and content hash: what a
// key for something made from the files' content (recipe's build cache)
// hashes. It reads the model of a private checkout and walks any other.
func (r *Repo) HashTree(h io.Writer) error {
	if r.model != nil {
		r.model.mu.Lock()
		defer r.model.mu.Unlock()
		if r.model.listing == nil {
			var b bytes.Buffer
			for _, name := range slices.Sorted(maps.Keys(r.model.files)) {
				f := r.model.files[name]
				fmt.Fprintf(&b, "W %s %o\x00", name, f.perm)
				b.Write(f.sum[:])
			}
			r.model.listing = b.Bytes()
		}
		h.Write(r.model.listing)
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
