package recipe

import "testing"

func TestSmallSHA(t *testing.T) {
	if got := SmallSHA("7ae7b0f76efb0123456789012345678901234567"); got != "7ae7b0f7" {
		t.Errorf("SmallSHA = %q", got)
	}
}

// TestChaosVersion: the fixture's head with cc-ci's untracked overlay is
// dirty, the base checked out without it is clean.
func TestChaosVersion(t *testing.T) {
	f := buildFixture(t)
	if v, err := ChaosVersion(f.Repo); err != nil || v != SmallSHA(f.Head)+DirtySuffix {
		t.Errorf("ChaosVersion of the head with the overlay = %q, %v; want %s+U", v, err, SmallSHA(f.Head))
	}
	removeOverlay(t, f)
	if _, err := f.Repo.Checkout(DiscourseBaseTag); err != nil {
		t.Fatal(err)
	}
	if v, err := ChaosVersion(f.Repo); err != nil || v != SmallSHA(f.Base) {
		t.Errorf("ChaosVersion of the clean base = %q, %v; want %s", v, err, SmallSHA(f.Base))
	}
}
