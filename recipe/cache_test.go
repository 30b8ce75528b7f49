package recipe

import (
	"encoding/json"
	"testing"
)

// TestBuildCache checks that a cached build equals a fresh one, that a
// caller changing its copy does not change the next, and that a changed
// compose file misses the cache.
func TestBuildCache(t *testing.T) {
	f := buildFixture(t)
	app, err := NewApp("discourse.example.com", f.Repo, map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml"})
	if err != nil {
		t.Fatal(err)
	}
	opts := StackOptions{Chaos: true}
	fresh, err := app.build(opts, SmallSHA(f.Head)+"+U")
	if err != nil {
		t.Fatal(err)
	}
	first, err := app.Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	first.Stack.Services["discourse_example_com_app"].Labels["mutated"] = "yes"
	second, err := app.Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(fresh.Stack)
	if got, _ := json.Marshal(second.Stack); string(got) != string(want) {
		t.Errorf("cached build differs from a fresh one:\n got %s\nwant %s", got, want)
	}
	if err := f.Repo.WriteFile("compose.ccci.yml", []byte("version: \"3.8\"\nservices:\n  app:\n    deploy:\n      replicas: 2\n")); err != nil {
		t.Fatal(err)
	}
	third, err := app.Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := third.Stack.Services["discourse_example_com_app"].Mode.Replicated.Replicas; r == nil || *r != 2 {
		t.Errorf("a changed overlay was served from the cache: replicas %v", r)
	}
}
