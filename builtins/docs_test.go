package builtins

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine/converge"
)

// TestMarkdownSections checks that the reference has one section per
// family and that every builtin is documented once, in its family's
// section.
func TestMarkdownSections(t *testing.T) {
	md := Markdown()
	sections := regexp.MustCompile("(?m)^## (.*)$").FindAllStringSubmatchIndex(md, -1)
	seen := map[string]bool{}
	for i, s := range sections {
		name := md[s[2]:s[3]]
		if seen[name] {
			t.Errorf("section ## %s appears more than once", name)
		}
		seen[name] = true
		end := len(md)
		if i+1 < len(sections) {
			end = sections[i+1][0]
		}
		body := md[s[1]:end]
		for _, bi := range All() {
			n := strings.Count(body, "### `"+bi.Signature()+"`")
			switch {
			case family(bi) == name && n != 1:
				t.Errorf("section %s documents %s %d times, want once", name, bi.Name, n)
			case family(bi) != name && n != 0:
				t.Errorf("section %s documents %s, which belongs in %s", name, bi.Name, family(bi))
			}
		}
	}
	for _, f := range Families() {
		if !seen[f] {
			t.Errorf("no section for family %s", f)
		}
	}
}

// TestSuggest checks the "did you mean" of chaosrun doc NAME.
func TestSuggest(t *testing.T) {
	tests := []struct{ name, want string }{
		{"slep", " (did you mean sleep?)"},
		{"sim.servic", " (did you mean sim.service?)"}, // sim.servce is as near sim.serve
		{"servic", " (did you mean sim.service?)"},
		{"write", " (did you mean repo.write?)"},
		{"inspect", " (did you mean inspect_service?)"},
		{"converged", " (did you mean assert_converged or wait_converged?)"},
		{"faults", " (did you mean fault?)"},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.name); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestTextFamily checks that chaosrun doc FAMILY lists exactly that
// family's builtins.
func TestTextFamily(t *testing.T) {
	got, err := Text("sim")
	if err != nil {
		t.Fatal(err)
	}
	for _, bi := range All() {
		if in := strings.Contains(got, "  "+bi.Signature()+" "); in != (family(bi) == "sim") {
			t.Errorf("chaosrun doc sim lists %s: %v, want %v", bi.Name, in, family(bi) == "sim")
		}
	}
}

// TestVerdictStatesDocumented checks that every state a verdict can have
// is named in wait_converged's doc and in docs/verdicts.md's table, and
// that assert_converged's doc names the converged ones, created first (it
// was once documented as passing only on completed).
func TestVerdictStatesDocumented(t *testing.T) {
	converged := []string{converge.StateCreated, converge.StateNoUpdate, string(swarm.UpdateStateCompleted)}
	failed := []string{string(swarm.UpdateStateRollbackStarted), string(swarm.UpdateStateRollbackCompleted),
		string(swarm.UpdateStateRollbackPaused), string(swarm.UpdateStatePaused),
		converge.StateNotDeployed, converge.StateUnstable, converge.StateTimeout}
	table, err := os.ReadFile("../docs/verdicts.md")
	if err != nil {
		t.Fatal(err)
	}
	wait, _ := Lookup("wait_converged")
	assert, _ := Lookup("assert_converged")
	for _, s := range append(slices.Clone(converged), failed...) {
		if !strings.Contains(wait.Detail, `"`+s+`"`) {
			t.Errorf("wait_converged's doc does not name the state %q", s)
		}
		if !regexp.MustCompile("(?m)^\\| [^|]*`" + s + "`").Match(table) {
			t.Errorf("docs/verdicts.md's table has no row for %q", s)
		}
	}
	for _, s := range converged {
		if !strings.Contains(assert.Detail, `"`+s+`"`) {
			t.Errorf("assert_converged's doc does not say it passes on %q", s)
		}
	}
}
