package gitcache

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// writeBack is the state of a deferred store: a private checkout's, whose
// .git folder nothing reads but this process. Reference and index writes
// stay in memory and reach disk at Flush, which runs before anything reads
// the folder as a repository (a clone or a fetch from it, listing
// references). Writing HEAD and the index at every checkout cost a sixth
// of an explore run. Objects are still written at once.
type writeBack struct {
	on    bool
	refs  map[plumbing.ReferenceName]bool // written since the last Flush
	index bool
}

// deferWrites makes the store keep reference and index writes until Flush.
func (s *store) deferWrites() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.back = writeBack{on: true, refs: map[plumbing.ReferenceName]bool{}}
}

func (s *store) deferred() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.back.on
}

// keepRef records a reference write (ref nil: a removal) in memory when the
// store is deferred, and reports whether it did.
func (s *store) keepRef(name plumbing.ReferenceName, ref *plumbing.Reference) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.back.on {
		return false
	}
	if s.refs == nil {
		s.refs = map[plumbing.ReferenceName]refResult{}
	}
	if ref == nil {
		s.refs[name] = refResult{err: plumbing.ErrReferenceNotFound}
	} else {
		s.refs[name] = refResult{ref: ref}
	}
	s.back.refs[name] = true
	s.touch(name)
	s.writes++
	return true
}

// keepIndex records an index write in memory when the store is deferred,
// as go-git would read it back (asIndexFile, entries sorted as its encoder
// sorts them), and reports whether it did.
func (s *store) keepIndex(idx *index.Index) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.back.on {
		return false
	}
	kept := asIndexFile(idx, racyModTime(idx))
	sort.Slice(kept.Entries, func(i, j int) bool { return kept.Entries[i].Name < kept.Entries[j].Name })
	s.index = kept
	s.back.index = true
	s.writes++
	return true
}

// racyModTime is the modification time a kept index claims, for go-git's
// racy-git check (a file modified at or after it is hashed, not trusted by
// its stat data): the newest entry's, which a file written after the index
// cannot predate even where timestamps are coarse; a written index file's
// would be at least as new.
func racyModTime(idx *index.Index) time.Time {
	var newest time.Time
	for _, e := range idx.Entries {
		if e.ModifiedAt.After(newest) {
			newest = e.ModifiedAt
		}
	}
	if newest.IsZero() {
		return time.Now()
	}
	return newest
}

// Flush writes the references and the index kept in memory to disk.
func (s *store) Flush() error {
	s.mu.Lock()
	names := slices.Sorted(maps.Keys(s.back.refs))
	refs := make([]refResult, len(names))
	for i, n := range names {
		refs[i] = s.refs[n]
	}
	var idx *index.Index
	if s.back.index {
		idx = copyIndex(s.index)
	}
	clear(s.back.refs)
	s.back.index = false
	s.mu.Unlock()
	var errs []error
	for i, r := range refs {
		if r.ref == nil {
			if err := s.Storage.RemoveReference(names[i]); err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		errs = append(errs, s.Storage.SetReference(r.ref))
	}
	if idx != nil {
		errs = append(errs, s.Storage.SetIndex(idx))
	}
	return errors.Join(errs...)
}

// flush writes what r keeps in memory to disk: pending files and what its
// store keeps.
func (r *Repo) flush() error {
	if err := r.Sync(); err != nil {
		return err
	}
	if s, ok := r.repo.Storer.(*store); ok {
		return s.Flush()
	}
	return nil
}
