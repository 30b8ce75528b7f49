package gitcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/coop-cloud/chaosrun/internal/confine"
)

// Every commit this package makes has this author and committer, and the
// first in a repository is made at epochUnix (2026-01-01 00:00 UTC), each
// later one a minute after its parent, so that the same history always has
// the same hashes.
const (
	authorName  = "chaosrun"
	authorEmail = "chaosrun@example.invalid"
	epochUnix   = 1767225600
)

// Repo is a git checkout opened with go-git.
type Repo struct {
	path string
	repo *git.Repository
	// shown replaces path in error messages when set (SetShown).
	shown string
	// status memoises Status, contents the work tree's file hashes (see
	// statcache.go).
	status       statusMemo
	contents     contentSums
	globalIgnore globalIgnoreSum
	// model is the work tree of a private checkout (InitPrivate), else nil.
	model   *treeModel
	commits commitFilesMemo
}

// Open opens the git checkout at path (the folder holding .git).
func Open(path string) (*Repo, error) {
	return openRepo(path, func(abs string) (*git.Repository, error) {
		r, err := git.PlainOpen(abs)
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, errors.New("not a git repository")
		}
		return r, err
	})
}

// Init creates an empty repository at path, whose HEAD is the unborn branch
// main.
func Init(path string) (*Repo, error) { return openRepo(path, initOwned) }

// openRepo makes the Repo for the checkout at path, opened (or created) by
// open with the absolute path; open's errors are prefixed with that path.
func openRepo(path string, open func(abs string) (*git.Repository, error)) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r, err := open(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", abs, err)
	}
	return &Repo{path: abs, repo: r}, nil
}

// Path is the absolute path of the checkout. A private checkout's folder
// is current only after Sync.
func (r *Repo) Path() string { return r.path }

// SetShown sets the name errors use for the checkout instead of its
// absolute path, e.g. the path as a script gave it or "<temp>/discourse",
// so that no temporary path reaches a transcript.
func (r *Repo) SetShown(name string) { r.shown = name }

// Shown is the name errors use for the checkout: SetShown's, else Path.
func (r *Repo) Shown() string {
	if r.shown != "" {
		return r.shown
	}
	return r.path
}

// Name is the checkout's folder name.
func (r *Repo) Name() string { return filepath.Base(r.path) }

// workName checks a slash-separated path of the work tree named by a
// script or a commit, without reading anything, and returns it clean and
// slash-separated: not absolute, not leaving by "..", not inside .git.
func workName(name string) (string, error) {
	clean, err := confine.Clean(name, "the work tree")
	if err != nil {
		return "", err
	}
	if clean == "." {
		return "", fmt.Errorf("%s: not a file of the work tree", name)
	}
	if clean == ".git" || strings.HasPrefix(clean, ".git"+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: path inside .git", name)
	}
	return filepath.ToSlash(clean), nil
}

// onDisk is the real path of the work tree's file name (workName's), which
// no symlink on the way leads out of the work tree: a committed symlinked
// folder or file cannot make a read or a write reach outside (README,
// Limits).
func (r *Repo) onDisk(name string) (string, error) {
	return confine.Within(r.path, name, "the work tree")
}

// leaf is onDisk for a file that is replaced or removed, not written
// through: its folder is resolved, and a symlink at name itself is the
// file, as git's checkout replaces a link instead of following it.
func (r *Repo) leaf(name string) (string, error) {
	dir, base := path.Split(name)
	real, err := confine.Within(r.path, dir+".", "the work tree")
	if e := (*confine.Error)(nil); errors.As(err, &e) {
		e.Path = name
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(real, base), nil
}

// inTree is the path of the work tree's file name, refused when a folder
// on its way is a symlink out of the work tree (leaf), so that opening it
// opens what leaf checked.
func (r *Repo) inTree(name string) (string, error) {
	if _, err := r.leaf(name); err != nil {
		return "", err
	}
	return filepath.Join(r.path, filepath.FromSlash(name)), nil
}

// WriteFile writes a file of the work tree, creating its folders. A
// private checkout records the write and makes it at Sync.
func (r *Repo) WriteFile(name string, data []byte) error {
	name, err := workName(name)
	if err != nil {
		return err
	}
	if r.model != nil {
		r.writeModelled(name, data)
		return nil
	}
	real, err := r.onDisk(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		return err
	}
	p := filepath.Join(r.path, filepath.FromSlash(name))
	if err := os.WriteFile(real, data, 0o644); err != nil {
		return named(err, p)
	}
	// Record the content written: a rewrite of the same size within the
	// file system's timestamp granularity would otherwise look unchanged.
	// The memo is keyed by the path status walks.
	info, err := os.Lstat(p)
	if err != nil {
		return err
	}
	r.contents.put(p, info, plumbing.ComputeHash(plumbing.BlobObject, data))
	return nil
}

// writeModelled is WriteFile in a private checkout: an existing file keeps
// its mode, as os.WriteFile keeps it, and a rewrite of the content it holds
// changes nothing.
func (r *Repo) writeModelled(name string, data []byte) {
	perm := os.FileMode(0o644)
	if f, ok := r.modelFile(name); ok {
		if f.sum == plumbing.ComputeHash(plumbing.BlobObject, data) {
			return
		}
		perm = f.perm
	}
	r.put(name, data, perm)
}

// ReadFile reads a file of the work tree.
func (r *Repo) ReadFile(name string) ([]byte, error) {
	name, err := workName(name)
	if err != nil {
		return nil, err
	}
	if err := r.Sync(); err != nil {
		return nil, err
	}
	real, err := r.onDisk(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(real)
	return data, named(err, filepath.Join(r.path, filepath.FromSlash(name)))
}

// named makes an error about a file's real path name the file by its path
// in the checkout, p, which SetShown's name replaces in messages.
func named(err error, p string) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		pe.Path = p
	}
	return err
}

// Commit stages everything in the work tree that is not ignored (like
// `git add -A`), commits it with message and, when tag is not empty, tags
// the commit with a lightweight tag. Author and committer are fixed and the
// time is the epoch for a root commit or one minute after the parent, so the
// same history always gets the same hashes. It returns the full hash.
func (r *Repo) Commit(message, tag string) (string, error) {
	if err := r.Sync(); err != nil {
		return "", err
	}
	wt, err := r.repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", fmt.Errorf("%s: add: %w", r.Shown(), err)
	}
	when, err := r.nextCommitTime()
	if err != nil {
		return "", err
	}
	sig := &object.Signature{Name: authorName, Email: authorEmail, When: when}
	h, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("%s: commit: %w", r.Shown(), err)
	}
	if tag != "" {
		if _, err := r.repo.CreateTag(tag, h, nil); err != nil {
			return "", fmt.Errorf("%s: tag %s: %w", r.Shown(), tag, err)
		}
	}
	return h.String(), nil
}

// nextCommitTime is the epoch for a root commit, else the HEAD commit's time
// plus one minute.
func (r *Repo) nextCommitTime() (time.Time, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return time.Unix(epochUnix, 0).UTC(), nil
	}
	if err != nil {
		return time.Time{}, err
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return time.Time{}, err
	}
	return c.Committer.When.Add(time.Minute).UTC(), nil
}

// Head is the full hash of the checked-out commit (go-git's repo.Head()).
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if err != nil {
		return "", fmt.Errorf("%s: head: %w", r.Shown(), err)
	}
	return ref.Hash().String(), nil
}
