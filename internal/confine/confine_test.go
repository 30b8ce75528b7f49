package confine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// folder makes a temporary tree and returns the real path of its root:
//
//	root/file, root/dir/f         regular files
//	root/in -> file, root/indir -> dir, root/absin -> <root>/file,
//	root/chain -> in, root/danglingin -> new     links that stay inside
//	root/out -> /etc/passwd, root/rootlink -> /, root/outdir -> ../sibling,
//	root/up -> ../sibling/compose.yml, root/chainout -> out,
//	root/danglingout -> ../sibling/new, root/loop -> loop,
//	root/nl -> "/etc/passwd\nok"                links out
//	sibling/compose.yml                         another folder's file
func folder(t *testing.T) string {
	t.Helper()
	top, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(top, "root")
	for _, d := range []string{root + "/dir", top + "/sibling"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{root + "/file", root + "/dir/f", top + "/sibling/compose.yml"} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"in": "file", "indir": "dir", "absin": root + "/file", "chain": "in", "danglingin": "new",
		"out": "/etc/passwd", "rootlink": "/", "outdir": "../sibling", "up": "../sibling/compose.yml",
		"chainout": "out", "danglingout": "../sibling/new", "loop": "loop", "nl": "/etc/passwd\nok",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestWithin(t *testing.T) {
	root := folder(t)
	inside := []struct{ rel, want string }{
		{"file", "file"},
		{"dir/f", "dir/f"},
		{"in", "file"},
		{"indir/f", "dir/f"},
		{"absin", "file"},
		{"chain", "file"},
		{"danglingin", "new"},
		{"new/sub/x", "new/sub/x"},
		{"dir/../file", "file"},
		{".", ""},
	}
	for _, tc := range inside {
		got, err := Within(root, tc.rel, "the folder")
		if want := filepath.Join(root, tc.want); err != nil || got != want {
			t.Errorf("Within(%q) = %q, %v; want %q", tc.rel, got, err, want)
		}
	}
	refused := []struct{ rel, want string }{
		{"/etc/passwd", "/etc/passwd is an absolute path; paths are relative to the folder"},
		{"../sibling/compose.yml", "../sibling/compose.yml leaves the folder"},
		{"dir/../../x", "dir/../../x leaves the folder"},
		{"out", "out is a symlink to /etc/passwd, outside the folder"},
		{"rootlink/etc/passwd", "rootlink/etc/passwd: rootlink is a symlink to /, outside the folder"},
		{"outdir/f", "outdir/f: outdir is a symlink to ../sibling, outside the folder"},
		{"up", "up is a symlink to ../sibling/compose.yml, outside the folder"},
		{"chainout", "chainout is a symlink to out, outside the folder"},
		{"danglingout", "danglingout is a symlink to ../sibling/new, outside the folder"},
		{"loop", "loop is a symlink to loop, which does not resolve"},
		{"nl", `nl is a symlink to "/etc/passwd\nok", outside the folder`},
	}
	for _, tc := range refused {
		got, err := Within(root, tc.rel, "the folder")
		var e *Error
		if !errors.As(err, &e) || err.Error() != tc.want {
			t.Errorf("Within(%q) = %q, %v; want the error %q", tc.rel, got, err, tc.want)
		}
	}
}

// TestWithinRootThroughSymlink checks that a root reached through a symlink
// is its real folder: its own links, absolute or not, stay inside.
func TestWithinRootThroughSymlink(t *testing.T) {
	root := folder(t)
	alias := filepath.Join(filepath.Dir(root), "alias")
	if err := os.Symlink(root, alias); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"absin", "in"} {
		if got, err := Within(alias, rel, "the folder"); err != nil || got != filepath.Join(root, "file") {
			t.Errorf("Within(alias, %q) = %q, %v", rel, got, err)
		}
	}
	if _, err := Within(alias, "out", "the folder"); err == nil || !strings.Contains(err.Error(), "outside the folder") {
		t.Errorf("Within(alias, out): got %v, want a refusal", err)
	}
}

// TestWithinRelativeRoot: a relative root is taken from the working
// folder, and a link to an absolute path inside it stays inside.
func TestWithinRelativeRoot(t *testing.T) {
	root := folder(t)
	t.Chdir(filepath.Dir(root))
	if got, err := Within("root", "absin", "the folder"); err != nil || got != filepath.Join(root, "file") {
		t.Errorf(`Within("root", "absin") = %q, %v; want %q`, got, err, filepath.Join(root, "file"))
	}
}
