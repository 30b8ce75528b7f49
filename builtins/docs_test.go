package builtins

import (
	"regexp"
	"strings"
	"testing"
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
		{"sim.servce", " (did you mean sim.service?)"},
		{"servce", " (did you mean sim.service?)"},
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
