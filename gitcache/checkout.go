package gitcache

import (
	"errors"
	"fmt"
	"regexp"
	"sort"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// UnknownRefError is returned by Checkout for a ref that names no tag,
// branch or commit.
type UnknownRefError struct {
	Ref  string
	Repo string
}

func (e *UnknownRefError) Error() string {
	return fmt.Sprintf("unknown ref %q in %s", e.Ref, e.Repo)
}

var hexRef = regexp.MustCompile(`^[0-9a-f]{4,40}$`)

// Checkout checks out ref like `git checkout -f <ref>`: a branch attaches
// HEAD to it, anything else (a tag, a full or short commit hash) detaches
// HEAD at that commit. Local changes to tracked files are thrown away;
// untracked files are kept. It returns the full hash now checked out.
func (r *Repo) Checkout(ref string) (string, error) {
	if ref == "" {
		return "", &UnknownRefError{Ref: ref, Repo: r.Shown()}
	}
	branch := plumbing.NewBranchReferenceName(ref)
	var head *plumbing.Reference
	h, err := r.resolve(ref)
	if b, berr := r.repo.Reference(branch, true); berr == nil {
		h, err = b.Hash(), nil
		head = plumbing.NewSymbolicReference(plumbing.HEAD, branch)
	} else {
		head = plumbing.NewHashReference(plumbing.HEAD, h)
	}
	if err != nil {
		return "", err
	}
	if err := r.forceCheckout(head, h); err != nil {
		return "", fmt.Errorf("%s: checkout %s: %w", r.Shown(), ref, err)
	}
	return h.String(), nil
}

// forceCheckout points HEAD at head and makes the index and the tracked
// files match commit h. go-git's own CheckoutOptions.Force is a hard reset
// that also deletes untracked and ignored files, which `git checkout -f`
// keeps (cc-ci relies on an untracked overlay surviving the checkout), so
// the reset is limited to the paths tracked before or after.
func (r *Repo) forceCheckout(head *plumbing.Reference, h plumbing.Hash) error {
	if err := r.repo.Storer.SetReference(head); err != nil {
		return err
	}
	if err := r.resetTracked(h); !errors.Is(err, errSlowPath) {
		return err
	}
	if err := r.forgetModel(); err != nil { // go-git's reset writes files the model does not see
		return err
	}
	files, err := r.trackedPaths(h)
	if err != nil {
		return err
	}
	wt, err := r.repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Reset(&git.ResetOptions{Commit: h, Mode: git.HardReset, Files: files})
}

// trackedPaths lists the paths in the index and in commit h's tree. The
// list is never empty, since go-git resets every path for an empty list.
func (r *Repo) trackedPaths(h plumbing.Hash) ([]string, error) {
	seen := map[string]bool{"\x00none": true}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return nil, err
	}
	for _, e := range idx.Entries {
		seen[e.Name] = true
	}
	err = r.eachCommitFile(h, func(f *object.File) error {
		seen[f.Name] = true
		return nil
	})
	files := make([]string, 0, len(seen))
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, err
}

// resolve finds the commit a tag or a (short) hash names. Tags win over
// hash prefixes, as a tag is what a recipe version names.
func (r *Repo) resolve(ref string) (plumbing.Hash, error) {
	if tag, err := r.repo.Tag(ref); err == nil {
		h := tag.Hash()
		if t, err := r.repo.TagObject(h); err == nil {
			c, err := t.Commit()
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("%s: tag %s: %w", r.Shown(), ref, err)
			}
			return c.Hash, nil
		}
		return h, nil
	}
	if hexRef.MatchString(ref) {
		h, err := r.repo.ResolveRevision(plumbing.Revision(ref))
		if err == nil {
			return *h, nil
		}
	}
	return plumbing.ZeroHash, &UnknownRefError{Ref: ref, Repo: r.Shown()}
}
