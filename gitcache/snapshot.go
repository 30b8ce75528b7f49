package gitcache

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/coop-cloud/chaosrun/internal/confine"
)

// A Snapshot is a checkout's state at one moment: its references (HEAD
// included), its index and the files of its work tree. A scenario's module
// code may build a fixture checkout that every case of the file uses;
// each case starts from the snapshot taken when the module code finished,
// so what one case checks out, writes or commits is not what the next one
// finds (docs/scripts.md, "Cases start from the same state").
type Snapshot struct {
	refs  map[plumbing.ReferenceName]*plumbing.Reference
	index *index.Index
	files map[string]snapFile // by slash-separated path
	// writes is the store's count of reference and index writes when the
	// checkout last matched the snapshot's references and index (owned
	// checkouts only).
	writes uint64
}

type snapFile struct {
	sum  plumbing.Hash
	perm os.FileMode
	data []byte
}

// Snapshot records the checkout's state.
func (r *Repo) Snapshot() (*Snapshot, error) {
	s := &Snapshot{refs: map[plumbing.ReferenceName]*plumbing.Reference{}, files: map[string]snapFile{}}
	iter, err := r.repo.Storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", r.Shown(), err)
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error { s.refs[ref.Name()] = ref; return nil })
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", r.Shown(), err)
	}
	if head, err := r.repo.Storer.Reference(plumbing.HEAD); err == nil {
		s.refs[plumbing.HEAD] = head
	}
	if st, ok := r.repo.Storer.(*store); ok {
		_, s.writes = st.takeTouched()
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", r.Shown(), err)
	}
	s.index = copyIndex(idx)
	err = r.eachFile(func(name string, f snapFile) error {
		data, err := r.fileData(name)
		if err != nil {
			return err
		}
		f.data = data
		s.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", r.Shown(), err)
	}
	return s, nil
}

// Restore puts the checkout back in the state s recorded: references set
// or removed, the index rewritten, files that differ rewritten and files
// that were not there removed. Only the files that differ are written. In
// a checkout opened by path (Open), which something else may change, files
// that were not there are left alone.
func (r *Repo) Restore(s *Snapshot) error {
	if err := r.restoreRefsAndIndex(s); err != nil {
		return fmt.Errorf("%s: restore: %w", r.Shown(), err)
	}
	var extra []string
	err := r.eachFile(func(name string, f snapFile) error {
		want, ok := s.files[name]
		switch {
		case !ok && r.owned():
			extra = append(extra, name)
		case !ok:
		case want.sum != f.sum || want.perm != f.perm:
			return r.putFile(name, want)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: restore: %w", r.Shown(), err)
	}
	for _, name := range extra {
		if err := r.dropFile(name); err != nil {
			return fmt.Errorf("%s: restore: %w", r.Shown(), err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.files)) {
		_, err := r.currentFile(name)
		if e := (*confine.Error)(nil); errors.As(err, &e) {
			return fmt.Errorf("%s: restore: %w", r.Shown(), err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			if err := r.putFile(name, s.files[name]); err != nil {
				return fmt.Errorf("%s: restore: %w", r.Shown(), err)
			}
		}
	}
	return nil
}

// owned reports whether this process made the checkout (Init, Clone).
func (r *Repo) owned() bool {
	_, ok := r.repo.Storer.(*store)
	return ok
}

// restoreRefsAndIndex puts back the references and the index. An owned
// checkout's store knows which references were written since and whether
// anything was: listing the references would first write them to disk.
func (r *Repo) restoreRefsAndIndex(s *Snapshot) error {
	st, ok := r.repo.Storer.(*store)
	if !ok {
		if err := r.restoreRefs(s); err != nil {
			return err
		}
		return r.repo.Storer.SetIndex(copyIndex(s.index))
	}
	touched, writes := st.takeTouched()
	if writes == s.writes {
		return nil
	}
	for name := range touched {
		if err := r.restoreRef(s, name); err != nil {
			return err
		}
	}
	if err := st.SetIndex(copyIndex(s.index)); err != nil {
		return err
	}
	_, s.writes = st.takeTouched()
	return nil
}

// restoreRef gives the reference name the value s recorded, or removes it.
func (r *Repo) restoreRef(s *Snapshot, name plumbing.ReferenceName) error {
	want, ok := s.refs[name]
	got, err := r.repo.Storer.Reference(name)
	switch {
	case !ok && errors.Is(err, plumbing.ErrReferenceNotFound):
		return nil
	case !ok:
		return r.repo.Storer.RemoveReference(name)
	case err == nil && got.String() == want.String():
		return nil
	}
	return r.repo.Storer.SetReference(want)
}

// restoreRefs sets every reference of s that differs and removes the ones
// made since, by listing them.
func (r *Repo) restoreRefs(s *Snapshot) error {
	for name, want := range s.refs {
		got, err := r.repo.Storer.Reference(name)
		if err == nil && got.String() == want.String() {
			continue
		}
		if err := r.repo.Storer.SetReference(want); err != nil {
			return err
		}
	}
	iter, err := r.repo.Storer.IterReferences()
	if err != nil {
		return err
	}
	var made []plumbing.ReferenceName
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if _, ok := s.refs[ref.Name()]; !ok {
			made = append(made, ref.Name())
		}
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) {
		return err
	}
	for _, name := range made {
		if err := r.repo.Storer.RemoveReference(name); err != nil {
			return err
		}
	}
	return nil
}

// eachFile calls fn with every file of the work tree (not .git), its
// content hash and mode, from the model of a private checkout or by
// walking the folder.
func (r *Repo) eachFile(fn func(name string, f snapFile) error) error {
	if r.model != nil {
		r.model.mu.Lock()
		files := maps.Clone(r.model.files)
		r.model.mu.Unlock()
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if err := fn(name, snapFile{sum: files[name].sum, perm: files[name].perm}); err != nil {
				return err
			}
		}
		return nil
	}
	gitDir := filepath.Join(r.path, ".git")
	return filepath.WalkDir(r.path, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == r.path {
			return err
		}
		if path == gitDir {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(r.path, path)
		f, err := r.currentFile(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), f)
	})
}

// currentFile is what the work tree holds at name: its hash and mode.
func (r *Repo) currentFile(name string) (snapFile, error) {
	if r.model != nil {
		if f, ok := r.modelFile(name); ok {
			return snapFile{sum: f.sum, perm: f.perm}, nil
		}
		return snapFile{}, fs.ErrNotExist
	}
	path, err := r.inTree(name)
	if err != nil {
		return snapFile{}, err
	}
	info, err := os.Lstat(path)
	if err != nil {
		return snapFile{}, err
	}
	if !info.Mode().IsRegular() {
		return snapFile{}, fs.ErrNotExist
	}
	sum, err := r.contents.sum(path, info)
	if err != nil {
		return snapFile{}, err
	}
	return snapFile{sum: sum, perm: info.Mode().Perm() & 0o755}, nil
}

// fileData is the content of the work tree's file name.
func (r *Repo) fileData(name string) ([]byte, error) {
	if r.model != nil {
		r.model.mu.Lock()
		w, ok := r.model.pending[name]
		r.model.mu.Unlock()
		if ok && !w.remove {
			return bytes.Clone(w.data), nil
		}
	}
	path, err := r.inTree(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// putFile makes the work tree's file name hold f.
func (r *Repo) putFile(name string, f snapFile) error {
	if r.model != nil {
		r.put(name, f.data, f.perm) // nothing changes a pending write's data
		return nil
	}
	path, err := r.inTree(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.WriteFile(path, f.data, f.perm); err != nil {
		return err
	}
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	r.contents.put(path, info, f.sum)
	return nil
}

// dropFile removes the work tree's file name.
func (r *Repo) dropFile(name string) error {
	if r.model != nil {
		r.drop(name)
		return nil
	}
	path, err := r.inTree(name)
	if err != nil {
		return err
	}
	err = os.Remove(path)
	if os.IsNotExist(err) {
		return nil
	}
	return err
}
