package builtins_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/coop-cloud/chaosrun/gitcache"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// TestRecipeSymlinksStayInCheckout runs a scenario on a recipe whose
// commit holds symlinks out of its checkout (issue 14): repo.read of
// compose.yml -> /etc/passwd, repo.write through outdir -> ../elsewhere,
// and coop.app reading .env.sample -> /etc/passwd are each refused in one
// line, and nothing is written outside the checkout.
func TestRecipeSymlinksStayInCheckout(t *testing.T) {
	top := t.TempDir()
	dir, elsewhere := filepath.Join(top, "recipe"), filepath.Join(top, "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := gitcache.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"compose.yml": "/etc/passwd", ".env.sample": "/etc/passwd", "outdir": "../elsewhere"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Commit("links out", ""); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(top, "s.star")
	src := `repo = git.repo(vars["recipe"])

def test_read():
    assert.eq(catch(repo.read, "compose.yml"), "repo.read: compose.yml is a symlink to /etc/passwd, outside the work tree")

def test_write():
    assert.eq(catch(repo.write, "outdir/f", "x"), "repo.write: outdir/f: outdir is a symlink to ../elsewhere, outside the work tree")

def test_app_env_sample():
    assert.eq(catch(coop.app, "x.example.com", repo), "coop.app: .env.sample is a symlink to /etc/passwd, outside the work tree")
`
	if err := os.WriteFile(scenario, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runner.RunFile(context.Background(), scenario, runner.Config{Engine: runner.EngineSim, Seed: 1,
		Vars: map[string]string{"recipe": dir}})
	if res.Err != nil {
		t.Fatal(interp.Describe(res.Err))
	}
	if len(res.Cases) != 3 {
		t.Fatalf("%d cases ran, want 3", len(res.Cases))
	}
	for _, c := range res.Cases {
		if c.Err != nil {
			t.Errorf("%s: %s", c.Name, interp.Describe(c.Err))
		}
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("repo.write created %d files outside the checkout", len(entries))
	}
}
