package builtins

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/gitcache"
)

// Repo is the Starlark value of a recipe checkout, made by git.repo or
// git.init. It is a handle: checkouts and commits change the checkout it
// names. Operations on it are serialised, so parallel branches may share it.
type Repo struct {
	repo *gitcache.Repo
	// shown is how the checkout is named in values, events and errors: the
	// path as the script gave it, or <temp>/<folder> for a temporary one,
	// so that no temporary path reaches a transcript.
	shown string
	// path is the path attribute: as the script gave it, or
	// <temp>/<folder>; shown is the same unless the script named the
	// checkout (name=).
	path string
	mu   *sync.Mutex
	// order ranks handles for taking two locks at once (lockBoth).
	order uint64
}

var repoOrder atomic.Uint64

var _ starlark.HasAttrs = (*Repo)(nil)

func newRepo(r *gitcache.Repo, path string, name repoName) *Repo {
	shown := name.or(path)
	r.SetShown(shown)
	return &Repo{repo: r, shown: shown, path: path, mu: &sync.Mutex{}, order: repoOrder.Add(1)}
}

// lockBoth takes the locks of two different handles, always in the order
// they were made, so that two threads locking the same pair cannot
// deadlock; it returns the unlock.
func lockBoth(a, b *Repo) func() {
	if b.order < a.order {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
	return func() {
		b.mu.Unlock()
		a.mu.Unlock()
	}
}

// Do runs f on the checkout with the handle's lock held; a path of the
// checkout in f's error is replaced by its shown name.
func (r *Repo) Do(f func(*gitcache.Repo) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Scrub(f(r.repo))
}

// Scrub replaces the checkout's absolute path in err's message by the
// name the script knows it by.
func (r *Repo) Scrub(err error) error {
	if err == nil || !strings.Contains(err.Error(), r.repo.Path()) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), r.repo.Path(), r.shown))
}

// Snapshot implements interp.Shared: a checkout that module code made or
// opened is put back before each case as the module code left it.
func (r *Repo) Snapshot() (func() error, error) {
	var snap *gitcache.Snapshot
	err := r.Do(func(g *gitcache.Repo) (err error) { snap, err = g.Snapshot(); return })
	if err != nil {
		return nil, err
	}
	return func() error { return r.Do(func(g *gitcache.Repo) error { return g.Restore(snap) }) }, nil
}

// introduced is how the event that makes the checkout names it: its
// shown name, and its path too when the script named it.
func (r *Repo) introduced() string {
	if r.shown == r.path {
		return r.shown
	}
	return fmt.Sprintf("%s (%s)", r.shown, r.path)
}

// Shown is the name the checkout is shown under.
func (r *Repo) Shown() string { return r.shown }

func (r *Repo) String() string        { return fmt.Sprintf("<git.repo %s>", r.shown) }
func (r *Repo) Type() string          { return "git.repo" }
func (r *Repo) Freeze()               {}
func (r *Repo) Truth() starlark.Bool  { return starlark.True }
func (r *Repo) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: git.repo") }

// Attr implements starlark.HasAttrs: name, path, head and the methods.
func (r *Repo) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(r.repo.Name()), nil
	case "path":
		return starlark.String(r.path), nil
	case "head":
		var head string
		err := r.Do(func(rr *gitcache.Repo) (err error) { head, err = rr.Head(); return })
		if err != nil {
			return nil, fmt.Errorf("repo.head: %v", err)
		}
		return starlark.String(head), nil
	}
	if m, ok := repoMethods()[name]; ok {
		return starlark.NewBuiltin(m.Name, m.Fn).BindReceiver(r), nil
	}
	return nil, nil
}

// AttrNames implements starlark.HasAttrs: the fields, and the repo.*
// methods of the registry.
func (r *Repo) AttrNames() []string {
	names := []string{"head", "name", "path"}
	for m := range repoMethods() {
		names = append(names, m)
	}
	sort.Strings(names)
	return names
}

// repoMethods are git.repo's methods: the registry's repo.* entries (in
// git.go), so that lookup, dir() and the reference share one list.
func repoMethods() map[string]Builtin { return methods("repo") }

// repoArg unpacks a git.repo argument.
type repoArg struct{ *Repo }

func (a *repoArg) Unpack(v starlark.Value) error {
	r, ok := v.(*Repo)
	if !ok {
		return fmt.Errorf("got %s, want git.repo", v.Type())
	}
	a.Repo = r
	return nil
}

// receiver returns the repo a method is bound to.
func receiver(fn *starlark.Builtin) *Repo { return fn.Receiver().(*Repo) }
