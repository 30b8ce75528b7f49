package recipe

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// appLabels returns the coop-cloud labels of the stack's app service.
func appLabels(t *testing.T, a *App, opts StackOptions) (map[string]string, error) {
	t.Helper()
	d, err := a.Build(opts)
	if err != nil {
		return nil, err
	}
	st := d.Stack
	labels := map[string]string{}
	for k, v := range st.Services["discourse_example_com_app"].Labels {
		if strings.HasPrefix(k, "coop-cloud.") {
			labels[strings.TrimPrefix(k, "coop-cloud.discourse_example_com.")] = v
		}
	}
	for name, spec := range st.Services {
		if name == "discourse_example_com_app" {
			continue
		}
		for k := range spec.Labels {
			if strings.HasPrefix(k, "coop-cloud.") {
				t.Errorf("%s has label %s; abra labels the app service only", name, k)
			}
		}
	}
	return labels, nil
}

func TestLabels(t *testing.T) {
	overlay := map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml", "TIMEOUT": "2400"}
	tests := []struct {
		name  string
		env   map[string]string
		ref   string // checked out first ("" keeps HEAD)
		clean bool   // remove the untracked overlay
		opts  StackOptions
		want  func(f *Fixture) map[string]string
	}{
		{"chaos head with overlay", overlay, "", false, StackOptions{Chaos: true}, func(f *Fixture) map[string]string {
			return map[string]string{"recipe": "discourse", "chaos": "true", "chaos-version": SmallSHA(f.Head) + "+U",
				"version": "0.9.0+3.5.0", "timeout": "2400"}
		}},
		{"chaos base with overlay", overlay, DiscourseBaseTag, false, StackOptions{Chaos: true}, func(f *Fixture) map[string]string {
			return map[string]string{"recipe": "discourse", "chaos": "true", "chaos-version": SmallSHA(f.Base) + "+U",
				"version": "0.7.0+3.3.1", "timeout": "2400"}
		}},
		{"chaos clean head", nil, "", true, StackOptions{Chaos: true}, func(f *Fixture) map[string]string {
			return map[string]string{"recipe": "discourse", "chaos": "true", "chaos-version": SmallSHA(f.Head),
				"version": "0.9.0+3.5.0", "timeout": "300"}
		}},
		{"release at tag", map[string]string{"TYPE": "discourse:0.7.0+3.3.1"}, DiscourseBaseTag, true, StackOptions{}, func(f *Fixture) map[string]string {
			return map[string]string{"recipe": "discourse", "chaos": "false", "version": "0.7.0+3.3.1", "timeout": "300"}
		}},
		{"untagged head", nil, "", true, StackOptions{}, func(f *Fixture) map[string]string {
			return map[string]string{"recipe": "discourse", "chaos": "false", "version": SmallSHA(f.Head), "timeout": "300"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := fixtureApp(t, tt.env)
			if tt.clean {
				removeOverlay(t, f)
			}
			if tt.ref != "" {
				if _, err := f.Repo.Checkout(tt.ref); err != nil {
					t.Fatal(err)
				}
			}
			got, err := appLabels(t, a, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(f); !reflect.DeepEqual(got, want) {
				t.Errorf("labels = %v\nwant %v", got, want)
			}
		})
	}
}

func TestDirtyRefusal(t *testing.T) {
	f, a := fixtureApp(t, map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml"})
	_, err := a.Build(StackOptions{})
	var de *DirtyError
	if !errors.As(err, &de) {
		t.Fatalf("non-chaos deploy of a dirty tree: %v", err)
	}
	want := "discourse (" + f.Repo.Path() + ") has locally unstaged changes? please commit/remove your changes before proceeding"
	if err.Error() != want {
		t.Errorf("error = %q\nwant %q", err, want)
	}
	f.Repo.SetShown("<temp>/discourse")
	_, err = a.Build(StackOptions{})
	want = "discourse (<temp>/discourse) has locally unstaged changes? please commit/remove your changes before proceeding"
	if err == nil || err.Error() != want {
		t.Errorf("with a shown name: %v\nwant %s", err, want)
	}
}

func TestStampLabelsWithoutVersionLabel(t *testing.T) {
	f, a := fixtureApp(t, nil)
	removeOverlay(t, f)
	if err := applyEdit(f.Repo, Edit{"compose.yml", `        - "coop-cloud.${STACK_NAME}.version=0.9.0+3.5.0"` + "\n", ""}); err != nil {
		t.Fatal(err)
	}
	got, err := appLabels(t, a, StackOptions{Chaos: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got["version"]; !ok || v != "" {
		t.Errorf("chaos deploy without a recipe version label: version = %q, %v; want \"\"", v, ok)
	}
}
