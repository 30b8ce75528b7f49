package recipe

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// statusMemo remembers the last Status of a checkout under a fingerprint
// of everything it depends on: the path, size, mode and modification time
// (in nanoseconds) of every file of the work tree, of HEAD, the index, the
// refs and the exclude files. go-git's Status hashes every file each time,
// which dominated simulated runs that ask for the chaos version at every
// deploy; like git's own index, this trusts that a file rewritten with the
// same size within the same nanosecond does not happen.
type statusMemo struct {
	mu    sync.Mutex
	key   string
	lines []string
}

func (m *statusMemo) get(key string) ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if key == "" || key != m.key {
		return nil, false
	}
	return slices.Clone(m.lines), true
}

func (m *statusMemo) put(key string, lines []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.key, m.lines = key, slices.Clone(lines)
}

// fingerprint hashes the stat data Status depends on, or returns "" when
// the tree cannot be walked (Status then runs in full).
func (r *Repo) fingerprint() string {
	h := sha256.New()
	stat := func(path string, info fs.FileInfo) {
		fmt.Fprintf(h, "%s\x00%d\x00%o\x00%d\x00", path, info.Size(), info.Mode(), info.ModTime().UnixNano())
	}
	gitDir := filepath.Join(r.path, ".git")
	err := filepath.WalkDir(r.path, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == gitDir {
			return fs.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		stat(path, info)
		return nil
	})
	if err != nil {
		return ""
	}
	for _, f := range []string{"HEAD", "index", "packed-refs", filepath.Join("info", "exclude")} {
		if info, err := os.Stat(filepath.Join(gitDir, f)); err == nil {
			stat(f, info)
		}
	}
	err = filepath.WalkDir(filepath.Join(gitDir, "refs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err == nil {
			stat(path, info)
		}
		return err
	})
	if err != nil {
		return ""
	}
	for _, f := range globalIgnoreFiles() {
		if info, err := os.Stat(f); err == nil {
			stat(f, info)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
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
