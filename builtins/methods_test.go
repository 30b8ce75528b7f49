package builtins

import (
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/gitcache"
)

// TestRepoMethods checks that git.repo's attributes and the registry agree:
// every registered repo.* method is an attribute (listed by dir() and bound
// to the repo), and every attribute is either a documented field or a
// registered method, so no method exists undocumented or documented but
// missing.
func TestRepoMethods(t *testing.T) {
	gr, err := gitcache.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gr.Commit("first", ""); err != nil {
		t.Fatal(err)
	}
	r := newRepo(gr, "r", "")
	names := r.AttrNames()
	if !slices.IsSorted(names) {
		t.Errorf("AttrNames not sorted: %v", names)
	}
	fields := []string{"head", "name", "path"}
	doc, _ := Lookup("git.repo")
	methods := repoMethods()
	if len(methods) == 0 {
		t.Fatal("no repo.* methods registered")
	}
	for m, b := range methods {
		if !slices.Contains(names, m) {
			t.Errorf("registered %s is not in dir(repo) %v", b.Name, names)
		}
		v, err := r.Attr(m)
		fn, ok := v.(*starlark.Builtin)
		if err != nil || !ok || fn.Name() != b.Name || fn.Receiver() != r {
			t.Errorf("repo.Attr(%q) = %v, %v; want the builtin %s bound to the repo", m, v, err, b.Name)
		}
	}
	for _, name := range names {
		v, err := r.Attr(name)
		if err != nil || v == nil {
			t.Errorf("dir(repo) lists %s but repo.Attr(%q) = %v, %v", name, name, v, err)
		}
		_, isMethod := methods[name]
		switch {
		case slices.Contains(fields, name):
			if !strings.Contains(doc.Detail, name+" (") {
				t.Errorf("field %s of git.repo is not described in git.repo's doc", name)
			}
		case !isMethod:
			t.Errorf("dir(repo) lists %s, which is neither a documented field nor a registered repo.* method", name)
		}
	}
	if v, _ := r.Attr("nope"); v != nil {
		t.Errorf("repo.Attr(\"nope\") = %v, want none", v)
	}
}
