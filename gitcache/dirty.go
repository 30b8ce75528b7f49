package gitcache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// IsDirty reports whether the work tree has modified, staged, deleted or
// untracked files, as a non-empty `git status --porcelain` would. Files
// ignored by the repository's .gitignore files, .git/info/exclude or the
// user's global excludes file are not counted (go-git does not read
// core.excludesfile itself; globalExcludes does).
func (r *Repo) IsDirty() (bool, error) {
	lines, err := r.Status()
	return len(lines) > 0, err
}

// Status lists the dirty paths as `git status --porcelain` would show them
// ("XY path"), sorted. It is empty for a clean tree.
func (r *Repo) Status() ([]string, error) {
	key := r.fingerprint()
	if lines, ok := r.status.get(key); ok {
		return lines, nil
	}
	lines, err := r.status0()
	if err == nil {
		r.status.put(key, lines)
	}
	return lines, err
}

// status0 is Status without the memo.
func (r *Repo) status0() ([]string, error) {
	if err := r.Sync(); err != nil {
		return nil, err
	}
	wt, err := r.repo.Worktree()
	if err != nil {
		return nil, err
	}
	wt.Excludes = append(wt.Excludes, globalExcludes()...)
	// go-git 5.19's work-tree filesystem refuses paths inside .git, so its
	// own reading of .git/info/exclude silently finds nothing.
	wt.Excludes = append(wt.Excludes, readPatterns(filepath.Join(r.path, ".git", "info", "exclude"))...)
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("%s: status: %w", r.Shown(), err)
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return nil, err
	}
	var lines []string
	for name, fs := range st {
		if fs.Staging == git.Unmodified && fs.Worktree == git.Modified && r.sameAsIndex(idx, name) {
			continue // stat differs, content and mode do not: clean for the git CLI
		}
		if fs.Staging == git.Unmodified && fs.Worktree == git.Unmodified {
			continue
		}
		lines = append(lines, fmt.Sprintf("%c%c %s", fs.Staging, fs.Worktree, name))
	}
	sort.Strings(lines)
	return lines, nil
}

// sameAsIndex reports whether a work-tree file has the content and mode its
// index entry records, which is what the git CLI checks after a stat mismatch.
func (r *Repo) sameAsIndex(idx *index.Index, name string) bool {
	e, err := idx.Entry(name)
	if err != nil {
		return false
	}
	p := filepath.Join(r.path, filepath.FromSlash(name))
	info, err := os.Lstat(p)
	if err != nil {
		return false
	}
	mode, err := filemode.NewFromOSFileMode(info.Mode())
	if err != nil || mode != e.Mode {
		return false
	}
	var data []byte
	if info.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(p)
		if err != nil {
			return false
		}
		data = []byte(target)
	} else if data, err = os.ReadFile(p); err != nil {
		return false
	}
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	return bytes.Equal(h[:], e.Hash[:])
}

// globalExcludes reads the user's global excludes file: core.excludesfile
// of ~/.gitconfig (and /etc/gitconfig), else git's default
// $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore. Errors mean no
// patterns, as with git.
func globalExcludes() []gitignore.Pattern {
	root := osfs.New("/")
	ps, _ := gitignore.LoadGlobalPatterns(root)
	sys, _ := gitignore.LoadSystemPatterns(root)
	ps = append(ps, sys...)
	if len(ps) > 0 {
		return ps
	}
	return defaultExcludes()
}

// defaultExcludes reads git's default global excludes file.
func defaultExcludes() []gitignore.Pattern {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(home, ".config")
	}
	return readPatterns(filepath.Join(dir, "git", "ignore"))
}

// readPatterns reads an ignore file whose patterns apply from the work
// tree's root; a missing file has none.
func readPatterns(file string) []gitignore.Pattern {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	for _, line := range bytes.Split(data, []byte("\n")) {
		s := string(bytes.TrimRight(line, "\r"))
		if s == "" || s[0] == '#' {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(s, nil))
	}
	return ps
}
