package runner

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/interp"
)

// TestTaskAliasesDoNotDependOnVerbose: the task a rollback names has the
// same alias with and without -v, in the verdict line, in the value the
// script printed and in the failure, and never its swarm ID.
func TestTaskAliasesDoNotDependOnVerbose(t *testing.T) {
	t.Chdir("..")
	run := func(verbose bool) (lines []string, failure string) {
		res := RunFile(context.Background(), "runner/testdata/aliases.star", Config{Engine: EngineSim, Seed: 1, Verbose: verbose, Root: "."})
		c := res.Cases[len(res.Cases)-1]
		for _, e := range c.Transcript.Events() {
			if e.Kind == "verdict" || e.Kind == "print" {
				lines = append(lines, e.Kind+": "+e.Msg)
			}
		}
		if c.Err == nil {
			t.Fatalf("verbose=%v: the rollback passed", verbose)
		}
		return lines, interp.Describe(c.Err)
	}
	quiet, quietErr := run(false)
	loud, loudErr := run(true)
	if strings.Join(quiet, "\n") != strings.Join(loud, "\n") || quietErr != loudErr {
		t.Errorf("-v changed the names:\nwithout:\n%s\n%s\nwith:\n%s\n%s", strings.Join(quiet, "\n"), quietErr, strings.Join(loud, "\n"), loudErr)
	}
	all := strings.Join(quiet, "\n") + quietErr
	if regexp.MustCompile(`\b[a-z0-9]{25}\b`).MatchString(all) {
		t.Errorf("a swarm ID leaked:\n%s", all)
	}
	alias := regexp.MustCompile(`termination of task (x\d+)`).FindStringSubmatch(quietErr)
	if alias == nil || !strings.Contains(strings.Join(quiet, "\n"), "value: update rolled back due to failure or early termination of task "+alias[1]+" | task "+alias[1]+" failed") {
		t.Errorf("the printed value does not name the failure's task alias %v:\n%s\n%s", alias, strings.Join(quiet, "\n"), quietErr)
	}
}

// TestFailureKeyFoldsTaskAliases: explore counts the same failure at two
// seeds as one, though the task aliases differ by how many tasks each
// case saw.
func TestFailureKeyFoldsTaskAliases(t *testing.T) {
	tests := []struct{ a, b string }{
		{"service s rolled back: early termination of task x4; last task error: task x4 failed",
			"service s rolled back: early termination of task x5; last task error: task x5 failed"},
		{"task x12 failed", "task x3 failed"},
	}
	for _, tt := range tests {
		ka, kb := failureKey(errors.New(tt.a)), failureKey(errors.New(tt.b))
		if ka != kb || strings.Contains(ka, "x4") || strings.Contains(ka, "x12") {
			t.Errorf("failureKey(%q) = %q, failureKey(%q) = %q; want the same key with the aliases folded", tt.a, ka, tt.b, kb)
		}
	}
	if failureKey(errors.New("box1 failed")) != "box1 failed" {
		t.Errorf("failureKey folded a word that is not an alias")
	}
}
