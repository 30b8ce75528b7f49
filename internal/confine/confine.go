// Package confine resolves a path that untrusted input names (a scenario's
// load, a recipe's compose file, a script's repo.write) inside the folder it
// must stay in: symlinks are followed to their real targets, and a path
// that is absolute, leaves by "..", or goes through a symlink pointing out
// is refused. The caller then opens the path it returns, whose existing
// part holds no symlink, so what it opens is what was checked.
package confine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// Why an Error refused a path.
const (
	Absolute = iota // the path is absolute
	Leaves          // the path leaves the folder by ".."
	Link            // a symlink on the way resolves outside the folder
)

// Error is a refused path. It names the path and, for a symlink, the link
// and what the link says, never what the target holds.
type Error struct {
	Kind int
	// Path is the path as the caller gave it.
	Path string
	// Link is the symlink that leads out, relative to the folder; Target is
	// what it points to, as the link says.
	Link, Target string
	// Unresolved is set when Link's target does not resolve (a loop).
	Unresolved bool
	// Folder names the folder in the message, e.g. "the recipe's checkout".
	Folder string
}

func (e *Error) Error() string {
	if e.Kind == Link && e.Link != filepath.Clean(filepath.FromSlash(e.Path)) {
		return show(e.Path) + ": " + e.Reason()
	}
	return e.Reason()
}

// Reason is the message without the path in front when the link is only
// part of it, for a caller that names the path itself.
func (e *Error) Reason() string {
	switch {
	case e.Kind == Absolute:
		return fmt.Sprintf("%s is an absolute path; paths are relative to %s", show(e.Path), e.Folder)
	case e.Kind == Leaves:
		return fmt.Sprintf("%s leaves %s", show(e.Path), e.Folder)
	case e.Unresolved:
		return fmt.Sprintf("%s is a symlink to %s, which does not resolve", show(e.Link), show(e.Target))
	}
	return fmt.Sprintf("%s is a symlink to %s, outside %s", show(e.Link), show(e.Target), e.Folder)
}

// show is a path as a message shows it: as written, or quoted when it
// holds a character that is not printable (a newline in a link's target
// would break the one-line message).
func show(p string) string {
	if strings.IndexFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(p)
	}
	return p
}

// Clean returns rel cleaned, in the platform's separators, or an *Error
// when it is absolute or leaves its folder by ".."; folder names the folder
// in the error. It reads nothing: Within checks the symlinks.
func Clean(rel, folder string) (string, error) {
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") {
		return "", &Error{Kind: Absolute, Path: rel, Folder: folder}
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", &Error{Kind: Leaves, Path: rel, Folder: folder}
	}
	return clean, nil
}

// Within returns the real (absolute) path of rel, a path relative to the
// folder root, or an *Error when rel is absolute, leaves root by "..", or goes through a
// symlink whose target is outside root's real path; folder names root in
// the error. The part of rel that does not exist yet is kept as written (a
// file to create). ".." is taken lexically, before any symlink is followed.
func Within(root, rel, folder string) (string, error) {
	clean, err := Clean(rel, folder)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(root) {
		if root, err = filepath.Abs(root); err != nil {
			return "", err
		}
	}
	base, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	if clean == "." {
		return base, nil
	}
	cur := base
	parts := strings.Split(clean, string(filepath.Separator))
	for i, part := range parts {
		next := filepath.Join(cur, part)
		info, err := os.Lstat(next)
		if err != nil {
			// Missing (or unreadable): nothing below it is a symlink, and
			// opening it fails as it would have.
			return filepath.Join(append([]string{next}, parts[i+1:]...)...), nil
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		resolved, err := realPath(next, 0)
		if err != nil || outside(base, resolved) {
			target, _ := os.Readlink(next)
			return "", &Error{Kind: Link, Path: rel, Link: filepath.Join(parts[:i+1]...), Target: target, Unresolved: err != nil, Folder: folder}
		}
		cur = resolved
	}
	return cur, nil
}

// outside reports whether the absolute, clean path p lies outside the
// folder root, lexically.
func outside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// maxLinks bounds the dangling symlinks realPath follows, as the kernel
// bounds a lookup's (ELOOP).
const maxLinks = 40

// realPath is filepath.EvalSymlinks for the absolute path p, except that a
// missing part, or the target of a dangling symlink, is kept as written
// instead of being an error: writing through a dangling symlink creates its
// target, so the target is where the path leads.
func realPath(p string, links int) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if !errors.Is(err, fs.ErrNotExist) {
		return r, err
	}
	dir, name := filepath.Dir(p), filepath.Base(p)
	if dir == p {
		return p, nil
	}
	rdir, err := realPath(dir, links)
	if err != nil {
		return "", err
	}
	q := filepath.Join(rdir, name)
	target, err := os.Readlink(q)
	if err != nil {
		return q, nil
	}
	if links >= maxLinks {
		return "", fmt.Errorf("%s: too many levels of symbolic links", name)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(rdir, target)
	}
	return realPath(target, links+1)
}
