package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVars: --var values keep their commas, --var-file files are read in
// order before --var, and bad lines and pairs are refused with where.
func TestVars(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	script := write("v.star", "print(vars)\n")
	first := write("first.env", "# a comment\n\nrecipes = a,b,c\nx=1\n")
	second := write("second.env", "x=2\ny = spaced value \n")
	bad := write("bad.env", "x=1\noops\n")
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--var", "EXTRA_DOMAINS=a.example.com,b.example.com"}, 0, `{"EXTRA_DOMAINS": "a.example.com,b.example.com"}`},
		{[]string{"--var", "k=a=b,c"}, 0, `{"k": "a=b,c"}`},
		{[]string{"--var-file", first}, 0, `{"recipes": "a,b,c", "x": "1"}`},
		{[]string{"--var-file", first, "--var-file", second, "--var", "y=flag"}, 0, `{"recipes": "a,b,c", "x": "2", "y": "flag"}`},
		{[]string{"--var-file", bad}, 2, `--var-file ` + bad + `:2: got "oops", want key=value`},
		{[]string{"--var-file", filepath.Join(dir, "missing.env")}, 2, "--var-file: open " + filepath.Join(dir, "missing.env") + ": no such file or directory"},
		{[]string{"--var", "=x"}, 2, `bad --var "=x": want key=value`},
	}
	for _, tt := range tests {
		args := append([]string{"--engine", "none"}, append(tt.args, script)...)
		cmd := exec.Command(chaosrunBin, args...)
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != tt.code || !strings.Contains(string(out), tt.out) {
			t.Errorf("chaosrun %s: exit %d, want %d with %q:\n%s", strings.Join(tt.args, " "), code, tt.code, tt.out, out)
		}
	}
}
