package recipe

import (
	"reflect"
	"strings"
	"testing"
)

// fixtureApp builds the fixture and an app on it with env (plus the secret
// version).
func fixtureApp(t testing.TB, env map[string]string) (*Fixture, *App) {
	t.Helper()
	f := buildFixture(t)
	e := map[string]string{"SECRET_DB_PASSWORD_VERSION": "v1"}
	for k, v := range env {
		e[k] = v
	}
	a, err := NewApp("discourse.example.com", f.Repo, e)
	if err != nil {
		t.Fatal(err)
	}
	return f, a
}

func TestComposeFiles(t *testing.T) {
	tests := []struct {
		spec    string
		want    []string
		wantErr string
	}{
		{"", []string{"compose.yml"}, ""},
		{"compose.yml:compose.ccci.yml", []string{"compose.yml", "compose.ccci.yml"}, ""},
		{"compose.yml:compose.missing.yml", nil, "compose file compose.missing.yml does not exist in recipe discourse"},
		{":", nil, `COMPOSE_FILE ":" names no compose file`},
	}
	for _, tt := range tests {
		_, a := fixtureApp(t, map[string]string{"COMPOSE_FILE": tt.spec})
		got, err := a.ComposeFiles()
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ComposeFiles(%q) error = %v, want %s", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ComposeFiles(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
		}
	}
}

func TestLoadComposeErrors(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"yaml syntax", "compose.bad.yml", "version: \"3.8\"\nservices:\n  app:\n    image: a: b\n",
			"compose.bad.yml:4: mapping values are not allowed in this context"},
		{"yaml tabs", "compose.bad.yml", "version: \"3.8\"\nservices:\n\tapp: {}\n",
			"compose.bad.yml:3: found character that cannot start any token"},
		{"not a mapping", "compose.bad.yml", "- a\n", "compose.bad.yml: top-level object must be a mapping"},
		{"schema", "compose.bad.yml", "version: \"3.8\"\nservices:\n  app:\n    healthcheck:\n      start_period: soon\n",
			"services.app.healthcheck.start_period Does not match format 'duration'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := fixtureApp(t, map[string]string{"COMPOSE_FILE": "compose.yml:" + tt.file})
			if err := f.Repo.WriteFile(tt.file, []byte(tt.data)); err != nil {
				t.Fatal(err)
			}
			_, err := a.LoadCompose()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadCompose error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLoadComposeWarnings(t *testing.T) {
	f, a := fixtureApp(t, map[string]string{"COMPOSE_FILE": "compose.yml:compose.extra.yml"})
	delete(a.Env, "SECRET_DB_PASSWORD_VERSION")
	extra := "version: \"3.8\"\nservices:\n  app:\n    environment:\n      - A=$UNSET_A\n      - B=${UNSET_B:-default}\n      - C=$$NOT_A_VAR\n      - D=${UNSET_A}\n"
	if err := f.Repo.WriteFile("compose.extra.yml", []byte(extra)); err != nil {
		t.Fatal(err)
	}
	c, err := a.LoadCompose()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`The "SECRET_DB_PASSWORD_VERSION" variable is not set. Defaulting to a blank string.`,
		`The "UNSET_A" variable is not set. Defaulting to a blank string.`,
	}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Errorf("warnings = %q, want %q", c.Warnings, want)
	}
	if got := c.Config.Secrets["db_password"].Name; got != "discourse_example_com_db_password_" {
		t.Errorf("secret name = %q", got)
	}
}

func TestLoadComposeIgnoresProcessEnv(t *testing.T) {
	t.Setenv("TIMEOUT", "999")
	_, a := fixtureApp(t, nil)
	c, err := a.LoadCompose()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Config.Services {
		if s.Name == "app" && s.Deploy.Labels["coop-cloud.discourse_example_com.timeout"] != "300" {
			t.Errorf("timeout label = %q, want the default 300", s.Deploy.Labels["coop-cloud.discourse_example_com.timeout"])
		}
	}
}
