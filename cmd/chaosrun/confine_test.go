package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestLoadOutsideRootExits2 checks that both `chaosrun FILE` and `chaosrun
// check FILE` refuse, with exit 2 and one line, a load through a symlink
// out of the scenario root and an absolute load path (issue 14); before,
// the run loaded /etc/passwd through the link and check passed a link to
// another folder.
func TestLoadOutsideRootExits2(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"other/m.star": "x = 1\n",
		"root/a.star":  `load("rootlink/etc/passwd", "x")` + "\n",
		"root/b.star":  `load("lnk/m.star", "x")` + "\n",
		"root/c.star":  `load("/etc/passwd", "x")` + "\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"rootlink": "/", "lnk": "../other"} {
		if err := os.Symlink(target, filepath.Join(dir, "root", name)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ file, want string }{
		{"root/a.star", `load "rootlink/etc/passwd": rootlink is a symlink to /, outside the scenario root root`},
		{"root/b.star", `load "lnk/m.star": lnk is a symlink to ../other, outside the scenario root root`},
		{"root/c.star", `load "/etc/passwd": absolute path /etc/passwd refused: load paths are relative to the loading file, inside the scenario root root`},
	}
	for _, tt := range tests {
		for _, args := range [][]string{{tt.file}, {"check", tt.file}} {
			cmd := exec.Command(chaosrunBin, args...)
			cmd.Dir = dir
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != 2 {
				t.Errorf("chaosrun %v: exit %d, want 2\n%s", args, got, out)
			}
			if !bytes.Contains(out, []byte(tt.want)) || bytes.Contains(out, []byte("root:x:0")) {
				t.Errorf("chaosrun %v: output does not contain %q (or shows the file):\n%s", args, tt.want, out)
			}
		}
	}
}
