package recipe

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const specsGolden = "testdata/discourse_specs.golden.json"

// TestDiscourseSpecsGolden pins what the fixture converts to: the chaos
// deploys of the base and of the head with cc-ci's overlay, and the
// release deploy of the base without it.
func TestDiscourseSpecsGolden(t *testing.T) {
	env := map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml", "TIMEOUT": "2400"}
	f, a := fixtureApp(t, env)
	out := map[string]any{"fixture": map[string]string{"base": f.Base, "head": f.Head}}
	head, err := a.Build(StackOptions{Chaos: true})
	if err != nil {
		t.Fatal(err)
	}
	out["chaos_head"] = head.Stack
	if _, err := f.Repo.Checkout(DiscourseBaseTag); err != nil {
		t.Fatal(err)
	}
	base, err := a.Build(StackOptions{Chaos: true})
	if err != nil {
		t.Fatal(err)
	}
	out["chaos_base"] = base.Stack
	removeOverlay(t, f)
	delete(a.Env, "COMPOSE_FILE")
	release, err := a.Build(StackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["release_base"] = release.Stack
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if bytes.Contains(got, []byte(os.TempDir())) || bytes.Contains(got, []byte(f.Repo.Path())) {
		t.Errorf("specs contain a temp path")
	}
	if *update {
		if err := os.WriteFile(specsGolden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(specsGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./recipe -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("specs differ from %s (run with -update to accept):\n%s", filepath.Base(specsGolden), firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, w[i], g[i])
		}
	}
	return "lengths differ"
}
