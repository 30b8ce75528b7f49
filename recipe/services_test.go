package recipe

import (
	"reflect"
	"strings"
	"testing"
)

// TestServiceNames checks that ServiceNames lists the union of the compose
// files' services and follows a change of the work tree or of COMPOSE_FILE
// (its cache is keyed by content).
func TestServiceNames(t *testing.T) {
	f, a := fixtureApp(t, nil)
	check := func(what string, want ...string) {
		t.Helper()
		got, err := a.ServiceNames()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ServiceNames() = %v, %v; want %v", what, got, err, want)
		}
	}
	check("the fixture", "app", "db", "sidekiq")
	overlay := "version: \"3.8\"\nservices:\n  worker:\n    image: busybox\n"
	if err := f.Repo.WriteFile("compose.worker.yml", []byte(overlay)); err != nil {
		t.Fatal(err)
	}
	check("an unused overlay", "app", "db", "sidekiq")
	a.Env["COMPOSE_FILE"] = "compose.yml:compose.worker.yml"
	check("COMPOSE_FILE with the overlay", "app", "db", "sidekiq", "worker")
	if err := f.Repo.WriteFile("compose.worker.yml", []byte(strings.ReplaceAll(overlay, "worker", "cron"))); err != nil {
		t.Fatal(err)
	}
	check("the overlay changed", "app", "cron", "db", "sidekiq")
	a.Env["COMPOSE_FILE"] = "compose.yml:compose.missing.yml"
	if _, err := a.ServiceNames(); err == nil || !strings.Contains(err.Error(), "compose.missing.yml does not exist") {
		t.Errorf("a missing compose file: ServiceNames() error = %v", err)
	}
}
