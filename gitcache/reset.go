package gitcache

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// errSlowPath sends resetTracked back to go-git's reset for trees it does
// not handle (symlinks, submodules).
var errSlowPath = errors.New("tree needs go-git's reset")

// resetTracked makes the index and the tracked files of the work tree
// match commit h, keeping untracked files, like the reset half of
// `git checkout -f`. It writes only the files whose content or mode
// differs, and rewrites the index with their stat data: go-git's hard reset
// rewrote every file and reread every object, which dominated simulated
// runs. It returns errSlowPath for trees with symlinks or submodules.
func (r *Repo) resetTracked(h plumbing.Hash) error {
	files, err := r.commitFiles(h)
	if err != nil {
		return err
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return err
	}
	inTree := make(map[string]bool, len(files))
	for _, f := range files {
		inTree[f.Name] = true
	}
	// Files that leave go first, as with git: a file or link where the
	// commit has a folder must not be written into or through.
	for _, e := range idx.Entries {
		if inTree[e.Name] {
			continue
		}
		if r.model != nil {
			r.drop(e.Name)
			continue
		}
		p, err := r.leaf(e.Name)
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	entries := make([]*index.Entry, 0, len(files))
	for _, f := range files {
		e, err := r.checkoutFile(f)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	idx.Entries = entries
	idx.Cache, idx.ResolveUndo, idx.EndOfIndexEntry = nil, nil, nil
	return r.repo.Storer.SetIndex(idx)
}

// checkoutFile writes one tracked file unless the work tree already holds
// it, and returns its index entry. A private checkout only records the
// write (put); its entry has no stat data until the file is on disk, so
// status hashes the file, as git does after a stat mismatch.
func (r *Repo) checkoutFile(f treeFile) (*index.Entry, error) {
	perm := os.FileMode(0o644)
	if f.Mode == filemode.Executable {
		perm = 0o755
	}
	e := &index.Entry{Name: f.Name, Hash: f.Hash, Mode: f.Mode}
	if r.model != nil {
		m, ok := r.modelFile(f.Name)
		if !ok || m.sum != f.Hash || m.perm&0o100 != perm&0o100 {
			data, err := r.blob(f.Hash)
			if err != nil {
				return nil, err
			}
			r.put(f.Name, data, perm)
			m = modelEntry{size: int64(len(data))}
		}
		e.Size = uint32(m.size)
		if m.info != nil {
			e.ModifiedAt, e.CreatedAt = m.info.ModTime(), m.info.ModTime()
		}
		return e, nil
	}
	info, same := r.holds(f.Name, f.Hash, perm)
	if !same {
		var err error
		if info, err = r.writeBlob(f, perm); err != nil {
			return nil, err
		}
	}
	e.Size, e.ModifiedAt, e.CreatedAt = uint32(info.Size()), info.ModTime(), info.ModTime()
	return e, nil
}

// holds reports whether the work tree's file name has content sum and the
// executable bit of perm, with the file's Lstat.
func (r *Repo) holds(name string, sum plumbing.Hash, perm os.FileMode) (fs.FileInfo, bool) {
	path := filepath.Join(r.path, filepath.FromSlash(name))
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o100 != perm&0o100 {
		return info, false
	}
	got, err := r.contents.sum(path, info)
	return info, err == nil && got == sum
}

// blob reads a blob's content.
func (r *Repo) blob(h plumbing.Hash) ([]byte, error) {
	b, err := r.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// writeBlob writes the tracked file f with perm and returns its Lstat.
// The file is written inside the work tree (leaf), never through a
// symlink that leads out of it.
func (r *Repo) writeBlob(f treeFile, perm os.FileMode) (fs.FileInfo, error) {
	real, err := r.leaf(f.Name)
	if err != nil {
		return nil, err
	}
	data, err := r.blob(f.Hash)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		return nil, err
	}
	os.Remove(real) // a new file gets the mode asked for, whatever was there
	if err := os.WriteFile(real, data, perm); err != nil {
		return nil, err
	}
	path := filepath.Join(r.path, filepath.FromSlash(f.Name))
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	r.contents.put(path, info, f.Hash)
	return info, nil
}

// treeFile is a regular file of a commit's tree.
type treeFile struct {
	Name string
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// commitFiles lists the files of commit h, remembered per commit (commits
// never change); errSlowPath when the tree has symlinks or submodules.
func (r *Repo) commitFiles(h plumbing.Hash) ([]treeFile, error) {
	r.commits.mu.Lock()
	files, ok := r.commits.files[h]
	r.commits.mu.Unlock()
	if ok {
		return files, nil
	}
	err := r.eachCommitFile(h, func(f *object.File) error {
		if f.Mode != filemode.Regular && f.Mode != filemode.Executable {
			return errSlowPath
		}
		files = append(files, treeFile{f.Name, f.Mode, f.Hash})
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.commits.mu.Lock()
	defer r.commits.mu.Unlock()
	if r.commits.files == nil || len(r.commits.files) >= 256 {
		r.commits.files = map[plumbing.Hash][]treeFile{}
	}
	r.commits.files[h] = files
	return files, nil
}

// eachCommitFile calls fn for every file of commit h's tree.
func (r *Repo) eachCommitFile(h plumbing.Hash, fn func(*object.File) error) error {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return err
	}
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	return tree.Files().ForEach(fn)
}

// commitFilesMemo remembers commitFiles.
type commitFilesMemo struct {
	mu    sync.Mutex
	files map[plumbing.Hash][]treeFile
}
