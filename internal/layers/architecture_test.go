package layers

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// tableRow matches a row of docs/architecture.md's package table.
var tableRow = regexp.MustCompile("(?m)^\\| `([a-z/]+)` \\|")

// TestArchitectureDocNamesEveryPackage: the package table of
// docs/architecture.md names every package of the module, each package it
// names exists, and every package has a layering rule.
func TestArchitectureDocNamesEveryPackage(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, m := range tableRow.FindAllSubmatch(doc, -1) {
		named = append(named, string(m[1]))
	}
	var have []string
	for _, p := range modulePackages(t) {
		have = append(have, p.Path)
		if !slices.Contains(named, p.Path) {
			t.Errorf("docs/architecture.md: package %s is missing from the table", p.Path)
		}
	}
	for _, n := range named {
		if !slices.Contains(have, n) {
			t.Errorf("docs/architecture.md names package %s, which does not exist", n)
		}
		if _, ok := rules[n]; !ok {
			t.Errorf("package %s has no layering rule in internal/layers", n)
		}
	}
}
