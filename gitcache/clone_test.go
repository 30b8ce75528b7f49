package gitcache

import (
	"path/filepath"
	"testing"
)

// TestCloneAndFetchTags is the journal's mirror-faithful setup: clone a
// mirror that has no tags, check out the head, fetch the tags from the
// canonical repository; HEAD stays and the base tag resolves.
func TestCloneAndFetchTags(t *testing.T) {
	isolateGit(t)
	canonical := newHistory(t)
	clone, err := Clone(canonical.repo, filepath.Join(t.TempDir(), "recipe"), false)
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := clone.Head(); head != canonical.head {
		t.Fatalf("clone HEAD %s, want %s", head, canonical.head)
	}
	if _, err := clone.Checkout(baseTag); err == nil {
		t.Fatalf("a clone without tags resolves %s", baseTag)
	}
	if err := clone.FetchTags(canonical.repo); err != nil {
		t.Fatal(err)
	}
	if head, _ := clone.Head(); head != canonical.head {
		t.Errorf("HEAD moved to %s after fetching tags", head)
	}
	if h, err := clone.Checkout(baseTag); err != nil || h != canonical.base {
		t.Errorf("checkout %s after fetch: %s, %v; want %s", baseTag, h, err, canonical.base)
	}
	if dirty, err := clone.IsDirty(); err != nil || dirty {
		t.Errorf("IsDirty = %v, %v; want a clean clone", dirty, err)
	}
}
