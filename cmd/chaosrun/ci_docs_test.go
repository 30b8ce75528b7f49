package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fences returns the bodies of the ```lang blocks of a Markdown file.
func fences(t *testing.T, path, lang string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?ms)^```" + lang + "\n(.*?)^```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	return out
}

// yamlDocs decodes every document of a YAML stream.
func yamlDocs(t *testing.T, src string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(src))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("invalid YAML: %v\n%s", err, src)
		}
		docs = append(docs, doc)
	}
}

// TestCIDocsYAML checks that the pipelines in docs/ci.md are valid YAML of
// the shape Drone and GitHub Actions read.
func TestCIDocsYAML(t *testing.T) {
	blocks := fences(t, "../../docs/ci.md", "yaml")
	if len(blocks) != 2 {
		t.Fatalf("docs/ci.md has %d yaml blocks, want 2 (Drone, GitHub Actions)", len(blocks))
	}
	for _, doc := range yamlDocs(t, blocks[0]) {
		if doc["kind"] != "pipeline" || doc["type"] == nil || doc["name"] == nil {
			t.Errorf("Drone pipeline without kind: pipeline, type and name: %v", doc)
		}
		steps, _ := doc["steps"].([]any)
		for _, s := range steps {
			step, _ := s.(map[string]any)
			if step["name"] == nil || (step["commands"] == nil && step["settings"] == nil) {
				t.Errorf("Drone step without name and commands or settings: %v", s)
			}
		}
		if len(steps) == 0 {
			t.Errorf("Drone pipeline %v has no steps", doc["name"])
		}
	}
	gh := yamlDocs(t, blocks[1])
	if len(gh) != 1 || gh[0]["on"] == nil {
		t.Fatalf("GitHub workflow: want one document with on: and jobs:, got %v", gh)
	}
	jobs, _ := gh[0]["jobs"].(map[string]any)
	for name, j := range jobs {
		job, _ := j.(map[string]any)
		steps, _ := job["steps"].([]any)
		if job["runs-on"] == nil || len(steps) == 0 {
			t.Errorf("job %s: want runs-on and steps", name)
		}
		for _, s := range steps {
			step, _ := s.(map[string]any)
			if (step["uses"] == nil) == (step["run"] == nil) {
				t.Errorf("job %s: a step needs exactly one of uses and run: %v", name, s)
			}
		}
	}
	if len(jobs) == 0 {
		t.Error("GitHub workflow has no jobs")
	}
}

// TestCIDocsCommandsUseRealFlags checks every flag of the chaosrun
// commands that docs/ci.md shows against the command line's own flags.
func TestCIDocsCommandsUseRealFlags(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	flags := map[string]map[string]bool{"run": {}, "test": {}, "explore": {}, "cleanup": {}}
	for _, cmd := range app.Commands {
		if flags[cmd.Name] != nil {
			for _, f := range cmd.Flags {
				for _, n := range f.Names() {
					flags[cmd.Name][n] = true
				}
			}
		}
	}
	src, _ := os.ReadFile("../../docs/ci.md")
	re := regexp.MustCompile(`go run \./cmd/chaosrun([^\n"]*)`)
	matches := re.FindAllStringSubmatch(string(src), -1)
	if len(matches) < 4 {
		t.Fatalf("found %d chaosrun commands in docs/ci.md, want the pipelines' ones", len(matches))
	}
	for _, m := range matches {
		args := strings.Fields(m[1])
		cmd := "run"
		if len(args) > 0 && flags[args[0]] != nil {
			cmd = args[0]
		}
		for _, a := range args {
			if name, ok := strings.CutPrefix(a, "--"); ok && !flags[cmd][strings.SplitN(name, "=", 2)[0]] {
				t.Errorf("docs/ci.md: chaosrun %s has no flag %s (in %q)", cmd, a, m[0])
			}
		}
	}
}

// TestBashCompletion sources docs/completion.bash and completes a command
// and a flag through the built binary.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	tests := []struct{ words, want string }{
		{"chaosrun re", "repl"},
		{"chaosrun run --ju", "--junit"},
		{"chaosrun --prog", "--progress"},
	}
	script, _ := filepath.Abs("../../docs/completion.bash")
	for _, tt := range tests {
		cmd := exec.Command(bash, "-c", `source "$1"; COMP_WORDS=($2); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _chaosrun_complete; echo "${COMPREPLY[*]}"`, "-", script, tt.words)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(chaosrunBin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil || string(bytes.TrimSpace(out)) != tt.want {
			t.Errorf("completing %q: %q (%v), want %q", tt.words, out, err, tt.want)
		}
	}
}
