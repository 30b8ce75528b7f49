package interp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// TestLoadConfinedToRoot builds a scenario root with symlinks in a temporary
// folder and checks that load() and Check follow them only while they stay
// inside the root (issue 14): a link to a sibling folder, to /, a linked
// file, a .. path and an absolute path are refused, by both, in one line
// that names the link and where it points; a link inside the root loads.
//
//	top/elsewhere/m.star
//	top/root/lib/m.star
//	top/root/lnk -> ../elsewhere      top/root/rootlink -> /
//	top/root/f.star -> ../elsewhere/m.star
//	top/root/inlink -> lib
func TestLoadConfinedToRoot(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "root")
	for _, d := range []string{top + "/elsewhere", root + "/lib"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, top+"/elsewhere/m.star", "x = 1\n")
	writeFile(t, root+"/lib/m.star", "x = 2\n")
	for name, target := range map[string]string{
		"lnk": "../elsewhere", "rootlink": "/", "f.star": "../elsewhere/m.star", "inlink": "lib",
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ load, want string }{
		{"lnk/m.star", "lnk is a symlink to ../elsewhere, outside the scenario root "},
		{"rootlink/etc/passwd", "rootlink is a symlink to /, outside the scenario root "},
		{"f.star", "f.star is a symlink to ../elsewhere/m.star, outside the scenario root "},
		{"../elsewhere/m.star", "outside the scenario root "},
		{"/etc/passwd", "absolute path /etc/passwd refused: load paths are relative to the loading file, inside the scenario root "},
		{"inlink/m.star", ""},
	}
	for i, tc := range tests {
		path := filepath.Join(root, "s"+string(rune('a'+i))+".star")
		writeFile(t, path, "load("+starlark.String(tc.load).String()+", \"x\")\nprint(x)\n")
		res := run(t, path, Options{})
		var runErr error
		if len(res.Cases) == 1 {
			runErr = res.Cases[0].Err
		}
		checkErr := errors.Join(Check(path, starlark.StringDict{"print": nil}, "")...)
		for what, err := range map[string]error{"run": runErr, "check": checkErr} {
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%s load(%q): %v", what, tc.load, err)
			case tc.want != "" && (err == nil || !strings.Contains(Describe(err), `load "`+tc.load+`": `+tc.want)):
				t.Errorf("%s load(%q): got %v, want %q", what, tc.load, err, tc.want)
			case err != nil && strings.Contains(err.Error(), "root:x:0:0"):
				t.Errorf("%s load(%q) echoes the target's content: %v", what, tc.load, err)
			}
		}
	}
}
