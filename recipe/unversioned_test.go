package recipe

import (
	"reflect"
	"testing"
)

// TestUnversioned: a secret whose version variable is unset is named with
// a trailing "_" and warned about; a versioned one is not.
func TestUnversioned(t *testing.T) {
	tests := []struct {
		version string
		want    []string
	}{
		{"v1", nil},
		{"", []string{"secret db_password is named \"discourse_example_com_db_password_\", with no version: " +
			"is SECRET_DB_PASSWORD_VERSION set (in the app env or .env.sample)?"}},
	}
	for _, tt := range tests {
		_, a := fixtureApp(t, map[string]string{"SECRET_DB_PASSWORD_VERSION": tt.version})
		d, err := a.Build(StackOptions{Chaos: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Unversioned(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("version %q: %q, want %q", tt.version, got, tt.want)
		}
	}
}
