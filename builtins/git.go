package builtins

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

func init() {
	register(
		Builtin{Name: "git.repo", Args: "path, name=None", Fn: gitRepo,
			Summary: "Opens the git checkout at path (relative to the scenario being run) and returns a git.repo.",
			Detail: `Everything goes through go-git; no git binary is needed. A git.repo has the
attributes name (the folder's name, abra's default recipe name), path (as
given), head (the full hash checked out) and the methods this reference
documents as repo.NAME (repo.write, repo.commit, ...). name, when given, is
what events and errors call the checkout instead of its path (see git.init).`,
			Example: `repo = git.repo(vars.get("recipe", "examples/recipes/discourse"))`},
		Builtin{Name: "git.init", Args: "path=None, src=None, exclude=[], name=None", Fn: gitInit,
			Summary: "Creates an empty repository and returns its git.repo; src copies a folder's files in (uncommitted).",
			Detail: `Without path the repository is a temporary folder, named after src's folder
(or "repo") so the recipe name is right, and removed when the run ends; it
is shown as <temp>/<name>; on the simulator chaosrun also keeps its work tree
in memory, so change it only through the git.repo. exclude lists top-level
names of src not to copy. name, when given, is what events and errors call
the checkout (the folder keeps src's name, which the recipe name comes
from): two checkouts of one recipe, a canonical one and a mirror say, then
read apart in the transcript.
The branch is main. Commits made with repo.commit have a fixed author and
times, so the same history always has the same hashes.`,
			Example: `repo = git.init(src = "examples/recipes/discourse", exclude = ["compose.ccci.yml"])
base = repo.commit("chore: publish 0.7.0+3.3.1 release", tag = "0.7.0+3.3.1")`},
		Builtin{Name: "git.clone", Args: "src, path=None, tags=True, name=None", Fn: gitClone,
			Summary: "Clones a git.repo like `git clone` (the default branch checked out) and returns the clone.",
			Detail: `Without path the clone is a temporary folder named like src's, removed when the
run ends; name, when given, is what events and errors call it (see git.init).
tags=False clones no tags, like a mirror that has none; repo.fetch_tags then
brings them from another repository. A path that holds files already is an
error naming it.`,
			Example: `mirror = git.clone(repo, name = "mirror")
assert.eq(mirror.head, repo.head)`},
		Builtin{Name: "repo.fetch_tags", Method: true, Fn: repoFetchTags, Args: "src",
			Summary: "Fetches every tag of the git.repo src, like `git fetch <src> 'refs/tags/*:refs/tags/*'` (a method of git.repo).",
			Example: `mirror = git.clone(repo, tags = False)
mirror.fetch_tags(repo)
checkout(mirror, "0.7.0+3.3.1")`},
		Builtin{Name: "repo.write", Method: true, Fn: repoWrite, Args: "name, data",
			Summary: "Writes a file of the work tree (a method of git.repo).",
			Example: `repo.write("compose.ccci.yml", """version: "3.8"
services:
  app:
    deploy:
      update_config:
        order: stop-first
""")`},
		Builtin{Name: "repo.read", Method: true, Fn: repoRead, Args: "name",
			Summary: "Returns a file of the work tree as a string (a method of git.repo).",
			Example: `compose = repo.read("compose.yml")`},
		Builtin{Name: "repo.commit", Method: true, Fn: repoCommit, Args: "message, tag=None",
			Summary: "Stages everything not ignored (git add -A), commits, optionally tags; returns the full hash.",
			Example: `repo.write("compose.yml", repo.read("compose.yml").replace("start_period: 5m", "start_period: 20m"))
head = repo.commit("chore: upgrade to 0.9.0+3.5.0")`},
		Builtin{Name: "repo.status", Method: true, Fn: repoStatus, Args: "",
			Summary: "Lists the dirty paths as `git status --porcelain` lines; empty when the tree is clean.",
			Example: `repo.write("compose.ccci.yml", 'version: "3.8"\n')
assert.eq(repo.status(), ["?? compose.ccci.yml"])`},
		Builtin{Name: "checkout", Args: "repo, ref", Fn: checkoutFn, Family: "git",
			Summary: "Checks out a tag, branch or (short) commit hash like `git checkout -f`; returns the full hash.",
			Detail: `Local changes to tracked files are thrown away; untracked and ignored files
are kept (so an untracked compose overlay survives, as on cc-ci). A tag or
hash detaches HEAD. An unknown ref is an error naming it and the repository.`,
			Example: `checkout(repo, "0.7.0+3.3.1")`},
		Builtin{Name: "chaos_version", Args: "repo", Fn: chaosVersionFn, Family: "git",
			Summary: "abra's chaos version of the checkout: the first 8 hex digits of HEAD, plus +U when the tree is dirty.",
			Detail: `Untracked, modified and staged files make the tree dirty; files ignored by
the repository's .gitignore or the user's global excludes file do not.`,
			Example: `repo.write("compose.ccci.yml", 'version: "3.8"\n')
assert.eq(chaos_version(repo), base[:8] + "+U")`},
	)
}

// gitRepo implements git.repo(path).
func gitRepo(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	var name repoName
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "path", &path, "name?", &name); err != nil {
		return nil, err
	}
	r, err := gitcache.Open(interp.Path(thread, path))
	if err != nil {
		return nil, fmt.Errorf("%s: %v%s", fn.Name(), scrubPath(err, interp.Path(thread, path), path), interp.PathHint(thread, path))
	}
	repo := newRepo(r, path, name)
	interp.CaseOf(thread).Share(repo)
	return repo, nil
}

// gitInit implements git.init(path=None, src=None, exclude=[]).
func gitInit(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path, src string
	var exclude *starlark.List
	var name repoName
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "path??", &path, "src??", &src, "exclude?", &exclude, "name?", &name); err != nil {
		return nil, err
	}
	skip, err := stringList(fn, "exclude", exclude)
	if err != nil {
		return nil, err
	}
	srcDir := interp.Path(thread, src)
	if src != "" {
		if info, err := os.Stat(srcDir); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("%s: src %s is not a folder%s", fn.Name(), cut.Raw(src), interp.PathHint(thread, src))
		}
	}
	dir, shown, err := initDir(thread, path, src)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	initRepo := gitcache.Init
	if path == "" && shaperOf(thread) != nil {
		// On the simulator nothing but chaosrun reads the temporary
		// folder, so it can live in memory.
		initRepo = gitcache.InitPrivate
	}
	r, err := initRepo(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), scrubPath(err, dir, shown))
	}
	repo := newRepo(r, shown, name)
	if src != "" {
		if err := repo.Do(func(rr *gitcache.Repo) error { return gitcache.CopyTree(rr, srcDir, skip...) }); err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
	}
	msg := repo.introduced()
	if src != "" {
		msg += " from " + src
	}
	interp.CaseOf(thread).Record(thread, "git", "init "+msg, nil)
	interp.CaseOf(thread).Share(repo)
	return repo, nil
}

// gitClone implements git.clone(src, path=None, tags=True).
func gitClone(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var src repoArg
	var path string
	var name repoName
	tags := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "src", &src, "path??", &path, "tags?", &tags, "name?", &name); err != nil {
		return nil, err
	}
	dir, shown, err := tempOrPath(thread, path, src.repo.Name())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	var r *gitcache.Repo
	err = src.Do(func(s *gitcache.Repo) (err error) { r, err = gitcache.Clone(s, dir, tags); return })
	if err != nil {
		if path == "" { // a temporary folder: no temp path in the message
			err = errors.New(strings.ReplaceAll(err.Error(), dir, shown))
		}
		return nil, fmt.Errorf("%s: %v", fn.Name(), scrubPath(err, dir, shown))
	}
	repo := newRepo(r, shown, name)
	msg := fmt.Sprintf("clone %s from %s", repo.introduced(), src.shown)
	if !tags {
		msg += " without tags"
	}
	interp.CaseOf(thread).Record(thread, "git", msg, nil)
	interp.CaseOf(thread).Share(repo)
	return repo, nil
}

// repoName is the optional name= of git.init, git.clone and git.repo.
type repoName string

func (n *repoName) Unpack(v starlark.Value) error {
	s, ok := starlark.AsString(v)
	if !ok || s == "" || strings.ContainsAny(s, "\n\r") || len(s) > 80 {
		got := v.Type()
		if ok {
			got = fmt.Sprintf("a string of %d bytes", len(s))
		}
		return fmt.Errorf("got %s, want a one-line name of 1 to 80 characters", got)
	}
	*n = repoName(s)
	return nil
}

// or is the name, or shown when none was given.
func (n repoName) or(shown string) string {
	if n == "" {
		return shown
	}
	return string(n)
}

// initDir picks the folder for git.init: path as given, or a folder named
// after src inside a new temporary folder that the run removes at its end.
func initDir(thread *starlark.Thread, path, src string) (dir, shown string, err error) {
	name := "repo"
	if src != "" {
		if abs, err := filepath.Abs(interp.Path(thread, src)); err == nil {
			name = filepath.Base(abs)
		}
	}
	return tempOrPath(thread, path, name)
}

// RemoveTempFiles removes this process's folder of temporary checkouts
// (gitcache.TempDir), as chaosrun exits.
func RemoveTempFiles() { gitcache.RemoveTempDir() }

// tempOrPath is path as given, or a folder called name inside a new
// temporary folder that the run removes at its end.
func tempOrPath(thread *starlark.Thread, path, name string) (dir, shown string, err error) {
	if path != "" {
		return interp.Path(thread, path), path, nil
	}
	root, err := os.MkdirTemp(gitcache.TempDir(), "chaosrun-git-")
	if err != nil {
		return "", "", err
	}
	interp.CaseOf(thread).Run.Defer("remove temporary repository", func(context.Context) error {
		return os.RemoveAll(root)
	})
	return filepath.Join(root, name), "<temp>/" + name, nil
}

// checkoutFn implements checkout(repo, ref).
func checkoutFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var repo repoArg
	var ref string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "repo", &repo, "ref", &ref); err != nil {
		return nil, err
	}
	var hash string
	err := repo.Do(func(r *gitcache.Repo) (err error) { hash, err = r.Checkout(ref); return })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	interp.CaseOf(thread).Record(thread, "git", fmt.Sprintf("checkout %s %s (%s)", repo.shown, ref, recipe.SmallSHA(hash)), nil)
	return starlark.String(hash), nil
}

// chaosVersionFn implements chaos_version(repo).
func chaosVersionFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var repo repoArg
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "repo", &repo); err != nil {
		return nil, err
	}
	var v string
	err := repo.Do(func(r *gitcache.Repo) (err error) { v, err = recipe.ChaosVersion(r); return })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.String(v), nil
}
