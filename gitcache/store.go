package gitcache

import (
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// store is go-git's on-disk storage with what it reads kept in memory, for
// repositories this process created (Init, Clone) and alone writes. go-git
// reads a reference from disk, path component by path component, at every
// HEAD lookup, and opens a loose object's file before it consults its own
// object cache: simulated explore runs spent a third of their time there.
// Every write goes to disk first, so `git` and clones see the repository as
// it is, except in a private checkout's store (deferred, storeback.go).
// Repositories opened by path (Open) use go-git's storage as it is, since
// something else may change them.
type store struct {
	*filesystem.Storage
	back writeBack

	mu      sync.Mutex
	objects map[plumbing.Hash]plumbing.EncodedObject
	refs    map[plumbing.ReferenceName]refResult
	index   *index.Index
	// writes counts reference and index writes, so that a read that
	// overlapped a write does not keep what it read.
	writes uint64
	// touched names the references written or removed since takeTouched,
	// which Restore puts back without listing every reference.
	touched map[plumbing.ReferenceName]bool
}

// touch records that the reference name was written; s.mu is held.
func (s *store) touch(name plumbing.ReferenceName) {
	if s.touched == nil {
		s.touched = map[plumbing.ReferenceName]bool{}
	}
	s.touched[name] = true
}

// takeTouched returns the references written since the last call, and the
// count of reference and index writes so far.
func (s *store) takeTouched() (map[plumbing.ReferenceName]bool, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.touched
	s.touched = nil
	return t, s.writes
}

type refResult struct {
	ref *plumbing.Reference
	err error
}

// maxStoreObjects bounds the objects a repository keeps; past it the map
// starts again (fixture histories have a few dozen objects).
const maxStoreObjects = 4096

// newStore returns the storage of the repository whose work tree is path,
// and the work tree's filesystem.
func newStore(path string) (*store, billy.Filesystem, error) {
	wt := osfs.New(path)
	dot, err := wt.Chroot(git.GitDirName)
	if err != nil {
		return nil, nil, err
	}
	return &store{Storage: filesystem.NewStorage(dot, cache.NewObjectLRUDefault())}, wt, nil
}

// openOwned opens the repository at path that this process created.
func openOwned(path string) (*git.Repository, error) {
	s, wt, err := newStore(path)
	if err != nil {
		return nil, err
	}
	return git.Open(s, wt)
}

// initOwned creates a repository at path whose default branch is main.
func initOwned(path string) (*git.Repository, error) {
	s, wt, err := newStore(path)
	if err != nil {
		return nil, err
	}
	return git.InitWithOptions(s, wt, git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")})
}

func (s *store) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.mu.Lock()
	obj, ok := s.objects[h]
	s.mu.Unlock()
	if ok {
		if t != plumbing.AnyObject && obj.Type() != t {
			return nil, plumbing.ErrObjectNotFound
		}
		return obj, nil
	}
	obj, err := s.Storage.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects == nil || len(s.objects) >= maxStoreObjects {
		s.objects = map[plumbing.Hash]plumbing.EncodedObject{}
	}
	s.objects[h] = obj
	return obj, nil
}

func (s *store) Reference(name plumbing.ReferenceName) (*plumbing.Reference, error) {
	s.mu.Lock()
	r, ok := s.refs[name]
	writes := s.writes
	s.mu.Unlock()
	if ok {
		return r.ref, r.err
	}
	ref, err := s.Storage.Reference(name)
	if err != nil && err != plumbing.ErrReferenceNotFound {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writes == writes {
		if s.refs == nil {
			s.refs = map[plumbing.ReferenceName]refResult{}
		}
		s.refs[name] = refResult{ref, err}
	}
	return ref, err
}

// forgetRefs drops what is remembered of the references.
func (s *store) forgetRefs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs = nil
	s.writes++
}

// wrote records a reference write that returned err: name now reads as
// ref, or as not found when ref is nil. After a failed write nothing of the
// references is trusted.
func (s *store) wrote(name plumbing.ReferenceName, ref *plumbing.Reference, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	s.touch(name)
	switch {
	case err != nil:
		s.refs = nil
	case s.refs == nil:
	case ref == nil:
		s.refs[name] = refResult{err: plumbing.ErrReferenceNotFound}
	default:
		s.refs[name] = refResult{ref: ref}
	}
}

func (s *store) SetReference(ref *plumbing.Reference) error {
	if s.keepRef(ref.Name(), ref) {
		return nil
	}
	err := s.Storage.SetReference(ref)
	s.wrote(ref.Name(), ref, err)
	return err
}

func (s *store) CheckAndSetReference(ref, old *plumbing.Reference) error {
	if s.deferred() {
		if old != nil {
			if cur, err := s.Reference(old.Name()); err == nil && cur.Hash() != old.Hash() {
				return storage.ErrReferenceHasChanged
			}
		}
		s.keepRef(ref.Name(), ref)
		return nil
	}
	err := s.Storage.CheckAndSetReference(ref, old)
	s.wrote(ref.Name(), ref, err)
	return err
}

func (s *store) RemoveReference(name plumbing.ReferenceName) error {
	if s.keepRef(name, nil) {
		return nil
	}
	err := s.Storage.RemoveReference(name)
	s.wrote(name, nil, err)
	return err
}

func (s *store) PackRefs() error {
	if err := s.Flush(); err != nil {
		return err
	}
	defer s.forgetRefs()
	return s.Storage.PackRefs()
}

func (s *store) IterReferences() (storer.ReferenceIter, error) {
	if err := s.Flush(); err != nil {
		return nil, err
	}
	return s.Storage.IterReferences()
}

func (s *store) CountLooseRefs() (int, error) {
	if err := s.Flush(); err != nil {
		return 0, err
	}
	return s.Storage.CountLooseRefs()
}

// Index returns a copy of the index, which callers may change.
func (s *store) Index() (*index.Index, error) {
	s.mu.Lock()
	idx, writes := s.index, s.writes
	s.mu.Unlock()
	if idx == nil {
		var err error
		if idx, err = s.Storage.Index(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		if s.writes == writes {
			s.index = copyIndex(idx)
		}
		s.mu.Unlock()
	}
	return copyIndex(idx), nil
}

// SetIndex writes the index and keeps it as go-git would read it back
// (asIndexFile), with the file's modification time for go-git's racy-git
// check: reading it back cost three system calls and a decode per
// checkout.
func (s *store) SetIndex(idx *index.Index) error {
	if s.keepIndex(idx) {
		return nil
	}
	s.mu.Lock()
	s.index = nil
	s.writes++
	writes := s.writes
	s.mu.Unlock()
	if err := s.Storage.SetIndex(idx); err != nil {
		return err
	}
	info, err := s.Storage.Filesystem().Stat("index")
	if err != nil {
		return nil // the next Index reads it
	}
	kept := asIndexFile(idx, info.ModTime())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writes == writes {
		s.index = kept
	}
	return nil
}

// asIndexFile is idx as go-git's decoder reads back what its encoder wrote:
// the version and entries (sorted by the encoder), times cut to the
// format's 32-bit seconds and nanoseconds, no extensions.
func asIndexFile(idx *index.Index, modTime time.Time) *index.Index {
	out := &index.Index{Version: idx.Version, ModTime: modTime}
	for _, e := range idx.Entries {
		c := *e
		c.CreatedAt, c.ModifiedAt = indexTime(e.CreatedAt), indexTime(e.ModifiedAt)
		out.Entries = append(out.Entries, &c)
	}
	return out
}

func indexTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return time.Unix(int64(uint32(t.Unix())), int64(uint32(t.Nanosecond())))
}

// copyIndex copies the index and its entries; the extensions, which go-git
// replaces rather than edits, are shared.
func copyIndex(idx *index.Index) *index.Index {
	c := *idx
	c.Entries = make([]*index.Entry, len(idx.Entries))
	for i, e := range idx.Entries {
		ec := *e
		c.Entries[i] = &ec
	}
	return &c
}
