package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
)

// TestBlastRadiusOnAFolderItHasNeverSeen: the survey scenario runs on any
// folder of recipes: here two fixtures copied under other names, one with
// a COMPOSE_FILE overlay from its .env.sample, and a folder that is not a
// recipe. It must pass and list what is there, nothing of the fixtures'.
func TestBlastRadiusOnAFolderItHasNeverSeen(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../examples/recipes/traefik", filepath.Join(dir, "proxy"))
	copyDir(t, "../examples/recipes/testapp", filepath.Join(dir, "webapp"))
	write(t, filepath.Join(dir, "webapp", ".env.sample"), "COMPOSE_FILE=compose.yml:compose.stopfirst.yml\n")
	if err := os.Mkdir(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := RunFile(context.Background(), "../scenarios/blast_radius.star", Config{Engine: EngineSim, Seed: 1, Vars: map[string]string{"folder": dir}})
	if res.Err != nil {
		t.Fatal(interp.Describe(res.Err))
	}
	var prints []string
	for _, c := range res.Cases {
		if c.Err != nil {
			t.Errorf("%s: %s", c.Name, interp.Describe(c.Err))
		}
		for _, e := range c.Transcript.Events() {
			if e.Kind == "print" {
				prints = append(prints, e.Msg)
			}
		}
	}
	all := strings.Join(prints, "\n")
	for _, want := range []string{
		"proxy       app         rollback    start-first",
		"webapp      app         rollback    stop-first", // the overlay's order
		"rollback + start-first: proxy/app",
		"proxy       completed",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "notes") || strings.Contains(all, "discourse") {
		t.Errorf("listed what is not a recipe of the folder:\n%s", all)
	}
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dst, e.Name()), string(data))
	}
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
