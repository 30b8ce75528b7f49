package recipe

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/deepcopy"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/gitcache"
)

// TestBuildCache checks that a cached build equals a fresh one, that a
// caller setting or adding to its copy's fields does not change the next,
// and that a changed compose file misses the cache.
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
	first.Stack.Services["discourse_example_com_app"] = swarm.ServiceSpec{}
	first.Stack.Faults = map[string][]engine.Fault{"discourse_example_com_app": {{Kind: engine.FaultKill}}}
	first.Stack.Secrets = append(first.Stack.Secrets, swarm.SecretSpec{Data: []byte("added")})
	first.Secrets[0].Name = "changed"
	second, err := app.Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(fresh)
	if got, _ := json.Marshal(second); string(got) != string(want) {
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

// TestBuildCacheAcrossCheckouts: two checkouts with the same content share
// a result unless it names the checkout's path (a relative bind mount).
func TestBuildCacheAcrossCheckouts(t *testing.T) {
	mount := "version: \"3.8\"\nservices:\n  app:\n    volumes:\n      - ./data:/data\n"
	for _, withMount := range []bool{false, true} {
		var got []string
		for i := 0; i < 2; i++ {
			f := buildFixture(t)
			if withMount {
				if err := f.Repo.WriteFile("compose.ccci.yml", []byte(mount)); err != nil {
					t.Fatal(err)
				}
			}
			app, err := NewApp("discourse.example.com", f.Repo, map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml"})
			if err != nil {
				t.Fatal(err)
			}
			d, err := app.Build(StackOptions{Chaos: true})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(d.Stack)
			if withMount && !strings.Contains(string(b), f.Repo.Path()) {
				t.Errorf("checkout %d: the bind mount does not name its own checkout %s", i, f.Repo.Path())
			}
			got = append(got, string(b))
		}
		if same := got[0] == got[1]; same == withMount {
			t.Errorf("with bind mount %v: results equal = %v", withMount, same)
		}
	}
}

// TestDeepCopyIsAJSONRoundTrip checks deepcopy, which the simulator copies
// specs with, against the JSON round trip it replaced, on the stack of
// every fixture recipe.
func TestDeepCopyIsAJSONRoundTrip(t *testing.T) {
	dirs, err := filepath.Glob("../examples/recipes/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixture recipes: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r, err := gitcache.Init(filepath.Join(t.TempDir(), filepath.Base(dir)))
			if err != nil {
				t.Fatal(err)
			}
			if err := gitcache.CopyTree(r, dir); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Commit("release", "1.0.0"); err != nil {
				t.Fatal(err)
			}
			a, err := NewApp(filepath.Base(dir)+".example.com", r, map[string]string{"SECRET_DB_PASSWORD_VERSION": "v1"})
			if err != nil {
				t.Fatal(err)
			}
			d, err := a.Build(StackOptions{Chaos: true})
			if err != nil {
				t.Fatal(err)
			}
			var want engine.Stack
			b, err := json.Marshal(d.Stack)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if got := deepcopy.Of(d.Stack); !reflect.DeepEqual(got, want) {
				t.Errorf("deepcopy differs from the JSON round trip:\n%+v\n%+v", got, want)
			}
		})
	}
}
