package gitcache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
)

// statusMemo remembers Status results under a fingerprint of everything a
// status depends on: the HEAD commit, the index entries (path, mode, blob),
// the content and mode of every work-tree file, the exclude files. go-git's
// Status opens objects and hashes every file each time, which dominated
// simulated runs that ask for the chaos version at every deploy; hashing a
// recipe's few files is much cheaper, and checkouts alternate between a few
// states, so several are remembered.
type statusMemo struct {
	mu    sync.Mutex
	lines map[string][]string
}

// maxStatusMemo bounds how many states a checkout remembers.
const maxStatusMemo = 64

func (m *statusMemo) get(key string) ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lines, ok := m.lines[key]
	if key == "" || !ok {
		return nil, false
	}
	return slices.Clone(lines), true
}

func (m *statusMemo) put(key string, lines []string) {
	if key == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lines == nil || len(m.lines) >= maxStatusMemo {
		m.lines = map[string][]string{}
	}
	m.lines[key] = slices.Clone(lines)
}

// fingerprint hashes what Status depends on, or returns "" when something
// cannot be read (Status then runs in full).
func (r *Repo) fingerprint() string {
	h := sha256.New()
	head, err := r.repo.Head()
	if err != nil {
		return ""
	}
	fmt.Fprintf(h, "HEAD %s\x00", head.Hash())
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return ""
	}
	for _, e := range idx.Entries {
		fmt.Fprintf(h, "I %s %o %s %d\x00", e.Name, e.Mode, e.Hash, e.Stage)
	}
	if err := r.HashTree(h); err != nil {
		return ""
	}
	exclude := filepath.Join(r.path, ".git", "info", "exclude")
	if r.model == nil {
		hashFiles(h, exclude) // a private checkout's .git is its own
	}
	r.globalIgnore.once.Do(func() {
		g := sha256.New()
		if r.model != nil {
			hashFiles(g, exclude)
		}
		hashFiles(g, globalIgnoreFiles()...)
		r.globalIgnore.sum = g.Sum(nil)
	})
	h.Write(r.globalIgnore.sum)
	return hex.EncodeToString(h.Sum(nil))
}

// globalIgnoreSum is the hash of the user's global git configs and excludes
// files, read at a checkout's first status: up to seven files, missing
// more often than not, and that do not change in the middle of a run.
type globalIgnoreSum struct {
	once sync.Once
	sum  []byte
}

// hashFiles adds the names and contents of the files that exist.
func hashFiles(h io.Writer, files ...string) {
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			fmt.Fprintf(h, "X %s %d\x00", f, len(data))
			h.Write(data)
		}
	}
}

// hashEntry adds a work-tree entry, named name, at path: its name and
// mode, and a file's content hash (a symlink's target).
func (r *Repo) hashEntry(h io.Writer, name, path string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "W %s %o\x00", name, info.Mode())
	switch {
	case info.Mode().IsRegular():
		sum, err := r.contents.sum(path, info)
		if err != nil {
			return err
		}
		h.Write(sum[:])
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00", target)
	}
	return nil
}

// contentSums remembers the git blob hash of work-tree files under their
// stat data (size, mode, modification time in nanoseconds, inode), so a
// file is read again only when it changed, as git's index does. Checkouts
// rewrite only the files that differ, and record the hashes of those.
type contentSums struct {
	mu   sync.Mutex
	sums map[string]statSum
}

type statSum struct {
	stat string
	sum  plumbing.Hash
}

func statKey(info fs.FileInfo) string {
	return fmt.Sprintf("%d %o %d %v", info.Size(), info.Mode(), info.ModTime().UnixNano(), inode(info))
}

// sum is the blob hash of the regular file at path, whose Lstat is info.
func (c *contentSums) sum(path string, info fs.FileInfo) (plumbing.Hash, error) {
	stat := statKey(info)
	c.mu.Lock()
	if s, ok := c.sums[path]; ok && s.stat == stat {
		c.mu.Unlock()
		return s.sum, nil
	}
	c.mu.Unlock()
	data, err := os.ReadFile(path)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sum := plumbing.ComputeHash(plumbing.BlobObject, data)
	c.put(path, info, sum)
	return sum, nil
}

// put records that the file at path, whose Lstat is info, has blob hash sum.
func (c *contentSums) put(path string, info fs.FileInfo, sum plumbing.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sums == nil || len(c.sums) > 4096 {
		c.sums = map[string]statSum{}
	}
	c.sums[path] = statSum{statKey(info), sum}
}

// inode is the file's inode number where the platform has one.
func inode(info fs.FileInfo) any {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return nil
}

// globalIgnoreFiles are the files globalExcludes usually reads: the git
// configs that name core.excludesfile and the usual excludes files. An
// excludes file kept elsewhere and edited between two calls is not noticed.
func globalIgnoreFiles() []string {
	home, _ := os.UserHomeDir()
	files := []string{"/etc/gitconfig"}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"), filepath.Join(home, ".gitignore"),
			filepath.Join(home, ".config", "git", "config"), filepath.Join(home, ".config", "git", "ignore"))
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		files = append(files, filepath.Join(x, "git", "config"), filepath.Join(x, "git", "ignore"))
	}
	return files
}
