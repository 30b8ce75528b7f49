package recipe

import (
	"errors"
	"testing"
)

func TestEnsure(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		dirty   bool
		wantRef string
		wantErr bool
	}{
		{"env pins the base", map[string]string{"TYPE": "discourse:" + DiscourseBaseTag}, false, DiscourseBaseTag, false},
		{"RECIPE pin with +U", map[string]string{"RECIPE": "discourse:" + DiscourseBaseTag + "+U"}, false, DiscourseBaseTag, false},
		{"no pin: latest tag", nil, false, DiscourseBaseTag, false},
		{"dirty tree refused", nil, true, "", true},
	}
	for _, tt := range tests {
		f := buildFixture(t)
		if !tt.dirty {
			removeOverlay(t, f)
		}
		app, err := NewApp("discourse.example.com", f.Repo, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := app.Ensure()
		var de *DirtyError
		if tt.wantErr != errors.As(err, &de) || ref != tt.wantRef {
			t.Errorf("%s: Ensure() = %q, %v; want %q (error %v)", tt.name, ref, err, tt.wantRef, tt.wantErr)
			continue
		}
		if !tt.wantErr {
			if head, _ := f.Repo.Head(); head != f.Base {
				t.Errorf("%s: HEAD %s after Ensure, want the base %s", tt.name, head, f.Base)
			}
		}
	}
}
