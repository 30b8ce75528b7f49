package recipe

import (
	"strings"
	"testing"
)

func TestStackName(t *testing.T) {
	long := strings.Repeat("a", 30) + "." + strings.Repeat("b", 30) + ".example.com"
	tests := []struct {
		domain string
		env    map[string]string
		want   string
	}{
		{"discourse.example.com", nil, "discourse_example_com"},
		{"my.wordpress.blog", nil, "my_wordpress_blog"},
		{"discourse.example.com", map[string]string{"STACK_NAME": "custom"}, "custom"},
		{"discourse.example.com", map[string]string{"STACK_NAME": ""}, "discourse_example_com"},
		{long, nil, strings.Repeat("a", 30) + "_" + strings.Repeat("b", 14)},
		{"nodots", nil, "nodots"},
	}
	for _, tt := range tests {
		got := StackName(tt.domain, tt.env)
		if got != tt.want {
			t.Errorf("StackName(%q, %v) = %q, want %q", tt.domain, tt.env, got, tt.want)
		}
		if len(got) > MaxStackNameLength {
			t.Errorf("StackName(%q) longer than %d", tt.domain, MaxStackNameLength)
		}
	}
}

func TestNewApp(t *testing.T) {
	f := buildFixture(t)
	env := map[string]string{"TIMEOUT": "2400"}
	a, err := NewApp("discourse.example.com", f.Repo, env)
	if err != nil {
		t.Fatal(err)
	}
	if a.StackName() != "discourse_example_com" || a.Env["STACK_NAME"] != "discourse_example_com" ||
		a.Env["DOMAIN"] != "discourse.example.com" || a.Env["TIMEOUT"] != "2400" {
		t.Errorf("env = %v", a.Env)
	}
	if _, ok := env["STACK_NAME"]; ok {
		t.Errorf("NewApp changed the caller's env")
	}
	if _, err := NewApp("", f.Repo, nil); err == nil {
		t.Errorf("NewApp without domain or STACK_NAME succeeded")
	}
	if _, err := NewApp("x.example.com", nil, nil); err == nil {
		t.Errorf("NewApp without a checkout succeeded")
	}
}

func TestRecipeName(t *testing.T) {
	f := buildFixture(t)
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "discourse"},
		{map[string]string{"TYPE": "discourse:0.7.0+3.3.1"}, "discourse"},
		{map[string]string{"TYPE": "other"}, "other"},
		{map[string]string{"RECIPE": "mine:1.0.0", "TYPE": "other"}, "mine"},
	}
	for _, tt := range tests {
		a, err := NewApp("d.example.com", f.Repo, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.RecipeName(); got != tt.want {
			t.Errorf("RecipeName with %v = %q, want %q", tt.env, got, tt.want)
		}
	}
}
