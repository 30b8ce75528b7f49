package gitcache

import (
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
)

// TagsAt lists the tags pointing at a commit (annotated tags peeled), sorted.
func (r *Repo) TagsAt(hash string) ([]string, error) {
	iter, err := r.repo.Tags()
	if err != nil {
		return nil, err
	}
	var tags []string
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		h := ref.Hash()
		if t, err := r.repo.TagObject(h); err == nil {
			if c, err := t.Commit(); err == nil {
				h = c.Hash
			}
		}
		if h.String() == hash {
			tags = append(tags, ref.Name().Short())
		}
		return nil
	})
	sort.Strings(tags)
	return tags, err
}

// LatestTag is the tag on the most recently committed tagged commit (ties:
// the greatest name); "" when the repository has no tag.
func (r *Repo) LatestTag() (string, error) {
	iter, err := r.repo.Tags()
	if err != nil {
		return "", err
	}
	best, bestTime := "", int64(0)
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		h, err := r.resolve(ref.Name().Short())
		if err != nil {
			return nil
		}
		c, err := r.repo.CommitObject(h)
		if err != nil {
			return nil
		}
		t, name := c.Committer.When.UnixNano(), ref.Name().Short()
		if best == "" || t > bestTime || (t == bestTime && name > best) {
			best, bestTime = name, t
		}
		return nil
	})
	return best, err
}
