package recipe

import (
	"path/filepath"
	"testing"
)

// TestCloneAndFetchTags is the journal's mirror-faithful setup: clone a
// mirror that has no tags, check out the head, fetch the tags from the
// canonical repository; HEAD stays and the base tag resolves.
func TestCloneAndFetchTags(t *testing.T) {
	canonical := buildFixture(t)
	clone, err := Clone(canonical.Repo, filepath.Join(t.TempDir(), "discourse"), false)
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := clone.Head(); head != canonical.Head {
		t.Fatalf("clone HEAD %s, want %s", head, canonical.Head)
	}
	if _, err := clone.Checkout(DiscourseBaseTag); err == nil {
		t.Fatalf("a clone without tags resolves %s", DiscourseBaseTag)
	}
	if err := clone.FetchTags(canonical.Repo); err != nil {
		t.Fatal(err)
	}
	if head, _ := clone.Head(); head != canonical.Head {
		t.Errorf("HEAD moved to %s after fetching tags", head)
	}
	if h, err := clone.Checkout(DiscourseBaseTag); err != nil || h != canonical.Base {
		t.Errorf("checkout %s after fetch: %s, %v; want %s", DiscourseBaseTag, h, err, canonical.Base)
	}
	if v, _ := clone.ChaosVersion(); v != SmallSHA(canonical.Base) {
		t.Errorf("chaos version %s, want %s (a clean clone)", v, SmallSHA(canonical.Base))
	}
}
