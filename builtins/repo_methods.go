package builtins

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/recipe"
)

// repoWrite implements repo.write(name, data).
func repoWrite(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, data string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "data", &data); err != nil {
		return nil, err
	}
	r := receiver(fn)
	if err := r.Do(func(rr *gitcache.Repo) error { return rr.WriteFile(name, []byte(data)) }); err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.None, nil
}

// repoRead implements repo.read(name).
func repoRead(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name); err != nil {
		return nil, err
	}
	r := receiver(fn)
	var data []byte
	err := r.Do(func(rr *gitcache.Repo) (err error) { data, err = rr.ReadFile(name); return })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.String(data), nil
}

// repoCommit implements repo.commit(message, tag=None).
func repoCommit(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var message, tag string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "message", &message, "tag??", &tag); err != nil {
		return nil, err
	}
	if strings.TrimSpace(message) == "" {
		return nil, fmt.Errorf("%s: empty commit message", fn.Name())
	}
	r := receiver(fn)
	var hash string
	err := r.Do(func(rr *gitcache.Repo) (err error) { hash, err = rr.Commit(message, tag); return })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	msg := fmt.Sprintf("commit %s %s %q", r.shown, recipe.SmallSHA(hash), message)
	if tag != "" {
		msg += " tag " + tag
	}
	interp.CaseOf(thread).Record(thread, "git", msg, nil)
	return starlark.String(hash), nil
}

// repoStatus implements repo.status().
func repoStatus(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs); err != nil {
		return nil, err
	}
	var lines []string
	err := receiver(fn).Do(func(rr *gitcache.Repo) (err error) { lines, err = rr.Status(); return })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	out := make([]starlark.Value, len(lines))
	for i, l := range lines {
		out[i] = starlark.String(l)
	}
	return starlark.NewList(out), nil
}

// stringList unpacks an optional list of strings.
func stringList(fn *starlark.Builtin, param string, l *starlark.List) ([]string, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]string, l.Len())
	for i := range out {
		s, ok := starlark.AsString(l.Index(i))
		if !ok {
			return nil, fmt.Errorf("%s: for parameter %s: got %s in list, want string", fn.Name(), param, l.Index(i).Type())
		}
		out[i] = s
	}
	return out, nil
}

// scrubPath replaces the absolute form of the path a script gave by the
// path as given.
func scrubPath(err error, path, shown string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if abs, aerr := filepath.Abs(path); aerr == nil && abs != shown {
		msg = strings.ReplaceAll(msg, abs, shown)
	}
	if path != shown && !filepath.IsAbs(path) {
		msg = strings.ReplaceAll(msg, path, shown)
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// repoFetchTags implements repo.fetch_tags(src).
func repoFetchTags(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var src repoArg
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "src", &src); err != nil {
		return nil, err
	}
	r := receiver(fn)
	if r == src.Repo {
		return nil, fmt.Errorf("%s: cannot fetch from the repository itself", fn.Name())
	}
	// FetchTags reads src while it writes r: hold both checkouts' locks.
	err := func() error {
		defer lockBoth(r, src.Repo)()
		return r.Scrub(r.repo.FetchTags(src.repo))
	}()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	interp.CaseOf(thread).Record(thread, "git", fmt.Sprintf("fetch tags into %s from %s", r.shown, src.shown), nil)
	return starlark.None, nil
}
