package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExplore runs the explore sweep the README shows and compares
// its output with the README's block (whitespace folded, since the README
// wraps long lines, and the timing figures left out, since they are the
// machine's), and checks that every replay command the README names runs a
// case its scenario defines.
func TestREADMEExplore(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	m := regexp.MustCompile("(?s)```sh\nchaosrun (explore [^\n]*)\n```\n\n```\n(.*?)```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("README has no explore command followed by its output")
	}
	cmd := exec.Command(chaosrunBin, strings.Fields(m[1])...)
	cmd.Dir = "../.."
	out, _ := cmd.Output()
	timing := regexp.MustCompile(`seeds in \S+ with \d+ jobs \([^)]*\)`)
	norm := func(s string) string {
		return strings.Join(strings.Fields(timing.ReplaceAllString(s, "seeds in T")), " ")
	}
	if got, want := norm(string(out)), norm(m[2]); got != want {
		t.Errorf("chaosrun %s prints\n%s\nbut the README shows\n%s", m[1], out, m[2])
	}
	replays := regexp.MustCompile("chaosrun (\\S+\\.star)\\s+--run\\s+([^\\s`]+)").FindAllStringSubmatch(readme, -1)
	if len(replays) == 0 {
		t.Fatal("README names no replay command")
	}
	for _, r := range replays {
		src, err := os.ReadFile(filepath.Join("../..", r[1]))
		if err != nil || !strings.Contains(string(src), "def "+r[2]+"(") {
			t.Errorf("README: %q runs case %s, which %s does not define (%v)", r[0], r[2], r[1], err)
		}
	}
}
