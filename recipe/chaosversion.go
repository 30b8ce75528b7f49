package recipe

import "github.com/coop-cloud/chaosrun/gitcache"

// DirtySuffix is appended to the chaos version of a dirty tree, literally
// "+U" [V] (abra's config.DIRTY_DEFAULT [M]).
const DirtySuffix = "+U"

// SmallSHA is abra's formatter.SmallSHA: the first 8 hex digits of a hash
// [V: every chaos-version observed is 8 characters].
func SmallSHA(hash string) string {
	if len(hash) < 8 {
		return hash
	}
	return hash[:8]
}

// ChaosVersion is abra's chaos version of the checkout: SmallSHA of HEAD
// (go-git's repo.Head(), as abra's Recipe.Head [V]), plus "+U" when the
// work tree is dirty [V]. Dirty counts untracked files [V] and leaves out
// ignored ones, the user's global excludes included: abra appends the
// global patterns itself because go-git does not read core.excludesfile
// [M]; gitcache's IsDirty does the same.
func ChaosVersion(r *gitcache.Repo) (string, error) {
	head, err := r.Head()
	if err != nil {
		return "", err
	}
	dirty, err := r.IsDirty()
	if err != nil {
		return "", err
	}
	v := SmallSHA(head)
	if dirty {
		v += DirtySuffix
	}
	return v, nil
}
