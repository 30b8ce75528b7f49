package layers

import (
	"fmt"
	"sort"
	"strings"
)

// Module is chaosrun's module path.
const Module = "github.com/coop-cloud/chaosrun"

// Rule is what one chaosrun package may depend on.
type Rule struct {
	// Imports are the chaosrun packages (relative to Module) it may import
	// directly.
	Imports []string
	// Never are import-path prefixes it may not reach, directly or through
	// the chaosrun packages it imports.
	Never []string
}

// Package is one package's import list, as read from its non-test files.
type Package struct {
	Path    string // relative to Module
	Imports []string
}

// Check returns one line per broken rule, sorted: a package without a
// rule, a chaosrun import its rule does not allow, and a forbidden import
// reached (with the path through which it is reached).
func Check(pkgs []Package, rules map[string]Rule) []string {
	byPath := map[string]Package{}
	for _, p := range pkgs {
		byPath[p.Path] = p
	}
	var out []string
	for _, p := range pkgs {
		rule, ok := rules[p.Path]
		if !ok {
			out = append(out, fmt.Sprintf("%s: no layering rule; add one to internal/layers and docs/architecture.md", p.Path))
			continue
		}
		out = append(out, checkImports(p, rule)...)
		out = append(out, checkNever(p, rule, byPath)...)
	}
	sort.Strings(out)
	return out
}

// checkImports reports the direct chaosrun imports rule does not allow.
func checkImports(p Package, rule Rule) []string {
	var out []string
	for _, imp := range p.Imports {
		rel, ok := relative(imp)
		if ok && !contains(rule.Imports, rel) {
			out = append(out, fmt.Sprintf("%s imports %s, which its layer may not (allowed: %s)", p.Path, rel, strings.Join(rule.Imports, ", ")))
		}
	}
	return out
}

// checkNever reports each forbidden prefix p reaches, with one path to it.
func checkNever(p Package, rule Rule, byPath map[string]Package) []string {
	var out []string
	for _, bad := range rule.Never {
		if via := reach(p.Path, bad, byPath, map[string]bool{}); via != nil {
			out = append(out, fmt.Sprintf("%s reaches %s (through %s)", p.Path, bad, strings.Join(via, " -> ")))
		}
	}
	return out
}

// reach returns the import chain from pkg to an import starting with
// prefix, or nil when there is none.
func reach(pkg, prefix string, byPath map[string]Package, seen map[string]bool) []string {
	if seen[pkg] {
		return nil
	}
	seen[pkg] = true
	for _, imp := range byPath[pkg].Imports {
		if strings.HasPrefix(imp, prefix) {
			return []string{pkg, imp}
		}
		if rel, ok := relative(imp); ok {
			if via := reach(rel, prefix, byPath, seen); via != nil {
				return append([]string{pkg}, via...)
			}
		}
	}
	return nil
}

// relative returns imp relative to Module, and whether it is chaosrun's.
func relative(imp string) (string, bool) {
	rel, ok := strings.CutPrefix(imp, Module+"/")
	return rel, ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
