package recipe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecipeFilesStayInCheckout checks that every file a recipe names
// resolves inside its checkout (issue 14): compose files (the default and
// COMPOSE_FILE overlays), services' env_file, configs' and secrets' file,
// abra.sh (read through the checkout, gitcache), whether by an absolute path, by .. or through a committed symlink to
// /etc/passwd, /proc/meminfo or another folder's file. Each is refused in
// one line naming the recipe file and where it points, never its content;
// a symlink that stays inside is followed.
//
// Next to the fixture's checkout, other/ holds a valid compose file, an env
// file, a secret and an abra.sh.
func TestRecipeFilesStayInCheckout(t *testing.T) {
	const head = "recipe discourse: "
	overlay := func(body string) string { return "version: \"3.8\"\n" + body }
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string // written into the checkout
		links map[string]string // made in the checkout: name -> target
		want  string            // "" for a build that succeeds
	}{
		{name: "compose.yml to /etc/passwd", links: map[string]string{"compose.yml": "/etc/passwd"},
			want: head + "compose file: compose.yml is a symlink to /etc/passwd, outside the recipe's checkout"},
		{name: "compose.yml to /proc/meminfo", links: map[string]string{"compose.yml": "/proc/meminfo"},
			want: head + "compose file: compose.yml is a symlink to /proc/meminfo, outside the recipe's checkout"},
		{name: "overlay linked to another folder's compose file",
			env:   map[string]string{"COMPOSE_FILE": "compose.yml:compose.other.yml"},
			links: map[string]string{"compose.other.yml": "../other/compose.yml"},
			want:  head + "compose file: compose.other.yml is a symlink to ../other/compose.yml, outside the recipe's checkout"},
		{name: "overlay in a linked folder", env: map[string]string{"COMPOSE_FILE": "compose.yml:up/compose.yml"},
			links: map[string]string{"up": "../other"},
			want:  head + "compose file: up/compose.yml: up is a symlink to ../other, outside the recipe's checkout"},
		{name: "overlay by ..", env: map[string]string{"COMPOSE_FILE": "compose.yml:../other/compose.yml"},
			want: head + "compose file: ../other/compose.yml leaves the recipe's checkout"},
		{name: "overlay by absolute path", env: map[string]string{"COMPOSE_FILE": "compose.yml:/etc/passwd"},
			want: head + "compose file: /etc/passwd is an absolute path; paths are relative to the recipe's checkout"},
		{name: "env_file absolute", env: map[string]string{"COMPOSE_FILE": "compose.yml:x.yml"},
			files: map[string]string{"x.yml": overlay("services:\n  app:\n    env_file: /etc/passwd\n")},
			want:  head + "service app env_file: /etc/passwd is an absolute path; paths are relative to the recipe's checkout"},
		{name: "env_file interpolated to ..", env: map[string]string{"COMPOSE_FILE": "compose.yml:x.yml", "ENVF": "../other/.env"},
			files: map[string]string{"x.yml": overlay("services:\n  db:\n    env_file:\n      - ${ENVF}\n")},
			want:  head + "service db env_file: ../other/.env leaves the recipe's checkout"},
		{name: "config file linked to /proc/meminfo", env: map[string]string{"COMPOSE_FILE": "compose.yml:x.yml"},
			files: map[string]string{"x.yml": overlay("configs:\n  conf:\n    file: ./conf.lnk\n")},
			links: map[string]string{"conf.lnk": "/proc/meminfo"},
			want:  head + "config conf file: conf.lnk is a symlink to /proc/meminfo, outside the recipe's checkout"},
		{name: "secret file by ..", env: map[string]string{"COMPOSE_FILE": "compose.yml:x.yml"},
			files: map[string]string{"x.yml": overlay("secrets:\n  s:\n    file: ../other/secret\n")},
			want:  head + "secret s file: ../other/secret leaves the recipe's checkout"},
		{name: "abra.sh linked to another folder's", links: map[string]string{"abra.sh": "../other/abra.sh"},
			want: "abra.sh is a symlink to ../other/abra.sh, outside the work tree"},
		{name: "links inside are followed", env: map[string]string{"COMPOSE_FILE": "compose.real.yml:x.yml"},
			files: map[string]string{"x.yml": overlay("configs:\n  conf:\n    file: ./conf.lnk\n"), "conf": "c\n"},
			links: map[string]string{"conf.lnk": "conf", "compose.real.yml": "compose.yml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, a := fixtureApp(t, tc.env)
			other := filepath.Join(filepath.Dir(f.Repo.Path()), "other")
			for name, data := range map[string]string{"compose.yml": "version: \"3.8\"\nservices:\n  app:\n    image: stolen\n", ".env": "A=stolen\n", "secret": "stolen\n", "abra.sh": "export STOLEN=stolen\n"} {
				write(t, filepath.Join(other, name), data)
			}
			for name, data := range tc.files {
				write(t, filepath.Join(f.Repo.Path(), name), data)
			}
			for name, target := range tc.links {
				p := filepath.Join(f.Repo.Path(), name)
				os.Remove(p)
				if err := os.Symlink(target, p); err != nil {
					t.Fatal(err)
				}
			}
			d, err := a.Build(StackOptions{Chaos: true})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Build: %v", err)
			case tc.want == "" && (len(d.Stack.Configs) != 1 || string(d.Stack.Configs[0].Data) != "c\n"):
				t.Fatalf("Build: configs %+v, want conf's content through the link", d.Stack.Configs)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Build: got %v\nwant %s", err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "root:x:") || strings.Contains(err.Error(), "MemTotal") || strings.Contains(err.Error(), "stolen")):
				t.Fatalf("Build error shows the target's content: %v", err)
			}
		})
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
