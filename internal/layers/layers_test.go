package layers

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Reaching these from a package that should not know of them is a layering
// break: Docker's client (only engine/docker talks to a daemon), git (only
// gitcache keeps checkouts) and compose (only recipe reads recipes).
var (
	dockerClient = []string{"github.com/docker/docker/client", "github.com/docker/cli/cli/connhelper"}
	gitCompose   = []string{"github.com/go-git/", "github.com/docker/cli/cli/compose"}
	neither      = append(append([]string{}, dockerClient...), gitCompose...)
)

// rules is the layering of docs/architecture.md, one row per package.
// Dependencies point one way: cmd -> runner -> builtins -> {engine,
// recipe} -> Docker's API types; interp knows nothing of Docker, git or
// compose; runner is the only package that knows every engine.
var rules = map[string]Rule{
	"clock":              {Never: neither},
	"cut":                {Never: neither},
	"deepcopy":           {Never: neither},
	"progress":           {Never: neither},
	"procid":             {Never: neither},
	"interp":             {Imports: []string{"clock", "cut", "internal/confine"}, Never: append([]string{"github.com/docker/"}, gitCompose...)},
	"engine":             {Imports: []string{"clock"}, Never: neither},
	"engine/converge":    {Imports: []string{"clock", "engine"}, Never: neither},
	"engine/enginetest":  {Imports: []string{"clock", "engine"}, Never: neither},
	"engine/sim":         {Imports: []string{"clock", "deepcopy", "engine"}, Never: neither},
	"engine/docker":      {Imports: []string{"clock", "engine", "procid"}, Never: gitCompose},
	"gitcache":           {Imports: []string{"internal/confine"}, Never: []string{"github.com/docker/"}},
	"recipe":             {Imports: []string{"cut", "engine", "gitcache", "internal/confine"}, Never: dockerClient},
	"builtins":           {Imports: []string{"clock", "cut", "engine", "deepcopy", "engine/converge", "gitcache", "interp", "recipe"}, Never: dockerClient},
	"timeline":           {Imports: []string{"engine", "engine/converge", "interp"}, Never: neither},
	"serve":              {Imports: []string{"clock", "engine", "engine/sim"}, Never: neither},
	"runner":             {Imports: []string{"builtins", "clock", "cut", "engine", "engine/docker", "engine/sim", "interp", "progress", "serve", "timeline"}},
	"cmd/chaosrun":       {Imports: []string{"builtins", "clock", "cut", "engine", "engine/converge", "interp", "progress", "runner", "serve", "timeline"}},
	"examples/testapp":   {Never: neither},
	"internal/layers":    {Never: neither},
	"internal/confine":   {Never: neither},
	"internal/fuzzcheck": {Never: neither},
	"internal/multinode": {Imports: []string{"internal/realswarm"}, Never: neither},
	"internal/realswarm": {Never: neither},
}

// TestLayering reads every package of the module and checks it against
// rules.
func TestLayering(t *testing.T) {
	pkgs := modulePackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages under the module root; the walk is broken", len(pkgs))
	}
	for _, v := range Check(pkgs, rules) {
		t.Error(v)
	}
}

// modulePackages lists the module's packages with their non-test imports.
func modulePackages(t *testing.T) []Package {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []Package
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		} else if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkgs = append(pkgs, Package{Path: filepath.ToSlash(rel), Imports: p.Imports})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestCheckCatchesPlantedImports shows that Check fails on each kind of
// break: builtins importing the simulator, interp reaching go-git through
// another package, and a package with no rule.
func TestCheckCatchesPlantedImports(t *testing.T) {
	base := []Package{
		{Path: "interp", Imports: []string{Module + "/clock"}},
		{Path: "clock"},
		{Path: "builtins", Imports: []string{Module + "/interp"}},
	}
	tests := []struct {
		name  string
		plant Package
		want  string
	}{
		{"builtins imports the simulator",
			Package{Path: "builtins", Imports: []string{Module + "/interp", Module + "/engine/sim"}},
			"builtins imports engine/sim, which its layer may not"},
		{"interp reaches git through clock",
			Package{Path: "clock", Imports: []string{"github.com/go-git/go-git/v5"}},
			"interp reaches github.com/go-git/ (through interp -> clock -> github.com/go-git/go-git/v5)"},
		{"a package with no rule",
			Package{Path: "newpkg"},
			"newpkg: no layering rule"},
	}
	if v := Check(base, rules); len(v) != 0 {
		t.Fatalf("the unplanted graph breaks rules: %v", v)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs := replace(base, tt.plant)
			v := Check(pkgs, rules)
			if !anyContains(v, tt.want) {
				t.Errorf("Check = %q, want a line containing %q", v, tt.want)
			}
		})
	}
}

// replace returns pkgs with p in place of the package of the same path,
// or added.
func replace(pkgs []Package, p Package) []Package {
	out := []Package{p}
	for _, q := range pkgs {
		if q.Path != p.Path {
			out = append(out, q)
		}
	}
	return out
}

func anyContains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
