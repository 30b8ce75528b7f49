package recipe

import (
	"fmt"
	"strings"
	"testing"
)

// TestErrorsEchoCut feeds hostile input to the compose loader and the
// converter: each error names the problem, echoes at most a cut of the
// input (10 MB names were printed whole) and lists at most ten problems
// and a count (one file printed 365,410 lines).
func TestErrorsEchoCut(t *testing.T) {
	huge := strings.Repeat("n", 10<<20)
	var dup strings.Builder
	dup.WriteString("version: \"3.8\"\nservices:\n  app:\n    deploy:\n")
	for i := range 300 {
		fmt.Fprintf(&dup, "      replicas: %d\n", i)
	}
	overlay := func(app string) string { return "version: \"3.8\"\nservices:\n  app:\n" + app }
	tests := []struct {
		name    string
		env     map[string]string
		overlay string // written as compose.bad.yml, after compose.yml
		want    string
	}{
		{"a long compose file name", map[string]string{"COMPOSE_FILE": "compose.yml:" + huge}, "",
			"compose file nnnn"},
		{"a long COMPOSE_FILE of separators", map[string]string{"COMPOSE_FILE": strings.Repeat(":", 1<<20)}, "",
			`COMPOSE_FILE "::::`},
		{"three hundred duplicate keys", nil, dup.String(),
			"compose.bad.yml:6: mapping key \"replicas\" already defined at line 5"},
		{"a long unknown property", nil, overlay("    " + huge[:1000] + ": 1\n"), // yaml takes keys of 1024 bytes at most
			"Additional property nnnn"},
		{"a long undefined secret", nil, overlay("    secrets: [" + huge + "]\n"),
			"service app: undefined secret \"nnnn"},
		{"a long timeout label", map[string]string{"TIMEOUT": huge}, "",
			"label coop-cloud.discourse_example_com.timeout=\"nnnn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := fixtureApp(t, tt.env)
			if tt.overlay != "" {
				a.Env["COMPOSE_FILE"] = "compose.yml:compose.bad.yml"
				if err := f.Repo.WriteFile("compose.bad.yml", []byte(tt.overlay)); err != nil {
					t.Fatal(err)
				}
			}
			d, err := a.Build(StackOptions{Chaos: true})
			if err == nil {
				_, _, err = d.Timeout()
			}
			if err == nil {
				t.Fatalf("no error, want one with %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || len(msg) > 1000 || strings.Count(msg, "\n") > 10 {
				t.Errorf("error of %d bytes, %d lines: %.400q…; want %q in at most 11 lines and 1000 bytes",
					len(msg), strings.Count(msg, "\n")+1, msg, tt.want)
			}
		})
	}
}
