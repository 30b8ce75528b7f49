package recipe

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/engine"
)

func TestSecrets(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		mods map[string]map[string]string
		want []Secret
	}{
		{"default length", nil, nil,
			[]Secret{{Local: "db_password", Name: "discourse_example_com_db_password_v1", Length: 32, Generate: true}}},
		{"version and modifiers", map[string]string{"SECRET_DB_PASSWORD_VERSION": "v7"},
			map[string]map[string]string{"SECRET_DB_PASSWORD_VERSION": {"length": "128"}},
			[]Secret{{Local: "db_password", Name: "discourse_example_com_db_password_v7", Length: 128, Generate: true}}},
		{"custom stack", map[string]string{"STACK_NAME": "forum"},
			map[string]map[string]string{"SECRET_DB_PASSWORD_VERSION": {"generate": "false"}},
			[]Secret{{Local: "db_password", Name: "forum_db_password_v1", Length: 32, Generate: false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, a := fixtureApp(t, tt.env)
			a.Modifiers = tt.mods
			c, err := a.LoadCompose()
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Secrets(c)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Secrets = %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

func TestCheckSecrets(t *testing.T) {
	secrets := []Secret{
		{Local: "a", Name: "s_a_v1", Generate: true},
		{Local: "b", Name: "s_b_v1", Generate: false},
	}
	tests := []struct {
		existing []string
		want     string
	}{
		{[]string{"s_a_v1", "s_b_v1", "other"}, ""},
		{[]string{"s_b_v1"}, "secret not generated: a"},
		{[]string{"s_a_v1", "s_b_v2"}, "secret not inserted (#generate=false): b"},
	}
	for _, tt := range tests {
		err := CheckSecrets(secrets, tt.existing)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckSecrets(%v) = %v", tt.existing, err)
			}
			continue
		}
		var se *SecretError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("CheckSecrets(%v) = %v, want %s", tt.existing, err, tt.want)
		}
	}
}

func TestGenerateSecret(t *testing.T) {
	s := Secret{Local: "db_password", Name: "st_db_password_v1", Length: 48}
	a, err := GenerateSecret(s, "st")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSecret(s, "st")
	if len(a.Data) != 48 || string(a.Data) == string(b.Data) {
		t.Errorf("values %q %q", a.Data, b.Data)
	}
	if a.Name != s.Name || a.Labels[engine.NamespaceLabel] != "st" {
		t.Errorf("spec = %+v", a.Annotations)
	}
	for _, c := range a.Data {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			t.Errorf("value has %q", c)
		}
	}
	d, _ := GenerateSecret(Secret{Name: "x"}, "st")
	if len(d.Data) != DefaultSecretLength {
		t.Errorf("default length %d", len(d.Data))
	}
}

func TestSecretsLengthLimit(t *testing.T) {
	tests := []struct{ length, want string }{
		{"2000000000", "SECRET_DB_PASSWORD_VERSION: length=2000000000 is over the 4096 limit for a generated secret"},
		{"0", "SECRET_DB_PASSWORD_VERSION: bad length=0"},
		{"x" + strings.Repeat("9", 200), "SECRET_DB_PASSWORD_VERSION: bad length=x" + strings.Repeat("9", 79) + "… (201 bytes)"},
	}
	for _, tt := range tests {
		_, a := fixtureApp(t, nil)
		a.Modifiers = map[string]map[string]string{"SECRET_DB_PASSWORD_VERSION": {"length": tt.length}}
		c, err := a.LoadCompose()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Secrets(c); err == nil || err.Error() != tt.want {
			t.Errorf("length=%.20s: Secrets error %v, want %s", tt.length, err, tt.want)
		}
	}
}
