package gitcache

import (
	"errors"
	"fmt"
	"os"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// Clone clones src into dir like `git clone <src> <dir>`: the default
// branch checked out, src as the remote "origin"; without tags, like a
// mirror that has none (`git clone --no-tags`).
func Clone(src *Repo, dir string, tags bool) (*Repo, error) {
	mode := git.AllTags
	if !tags {
		mode = git.NoTags
	}
	if err := src.flush(); err != nil {
		return nil, fmt.Errorf("clone %s: %w", src.Shown(), err)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("clone %s into %s: the folder exists and is not empty", src.Shown(), dir)
	}
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{URL: src.Path(), Tags: mode}); err != nil {
		return nil, fmt.Errorf("clone %s into %s: %w", src.Shown(), dir, err)
	}
	return openRepo(dir, openOwned)
}

// FetchTags fetches every tag of src into the checkout, like
// `git fetch <src> 'refs/tags/*:refs/tags/*'`. HEAD and the work tree are
// left alone.
func (r *Repo) FetchTags(src *Repo) error {
	if err := src.flush(); err != nil {
		return fmt.Errorf("%s: fetch tags from %s: %w", r.Shown(), src.Shown(), err)
	}
	remote := git.NewRemote(r.repo.Storer, &config.RemoteConfig{Name: "anonymous", URLs: []string{src.Path()}})
	err := remote.Fetch(&git.FetchOptions{
		RemoteName: "anonymous",
		RefSpecs:   []config.RefSpec{"+refs/tags/*:refs/tags/*"},
		Tags:       git.NoTags,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("%s: fetch tags from %s: %w", r.Shown(), src.Shown(), err)
	}
	return nil
}
