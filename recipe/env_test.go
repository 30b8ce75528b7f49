package recipe

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string
		mods      map[string]map[string]string
	}{
		{"plain", "A=1\nB = two words \n", map[string]string{"A": "1", "B": "two words"}, nil},
		{"comments", "# c\n\n  # indented\nA=1 # trailing\nB=x#not-a-comment\n",
			map[string]string{"A": "1", "B": "x#not-a-comment"}, nil},
		{"modifiers", "SECRET_X_VERSION=v1 # length=128\nSECRET_Y_VERSION=v2 # generate=false\n",
			map[string]string{"SECRET_X_VERSION": "v1", "SECRET_Y_VERSION": "v2"},
			map[string]map[string]string{"SECRET_X_VERSION": {"length": "128"}, "SECRET_Y_VERSION": {"generate": "false"}}},
		{"single quotes", `A='$B # not a comment' # comment`, map[string]string{"A": "$B # not a comment"}, nil},
		{"double quotes", `A="x \"y\" \$z\tw"`, map[string]string{"A": "x \"y\" $z\tw"}, nil},
		{"empty", "A=\nB=''\nC=\"\"", map[string]string{"A": "", "B": "", "C": ""}, nil},
		{"references", "A=a\nB=$A-${A}\nC=\"$B:c\"\nD='$A'\nE=$UNDEFINED.x\n",
			map[string]string{"A": "a", "B": "a-a", "C": "a-a:c", "D": "$A", "E": ".x"}, nil},
		{"compose file", "COMPOSE_FILE=\"compose.yml\"\nCOMPOSE_FILE=\"$COMPOSE_FILE:compose.ccci.yml\"\n",
			map[string]string{"COMPOSE_FILE": "compose.yml:compose.ccci.yml"}, nil},
		{"later keys are not seen", "A=$B\nB=b\n", map[string]string{"A": "", "B": "b"}, nil},
		{"lone dollar", "A=cost $5 $\n", map[string]string{"A": "cost $5 $"}, nil},
		{"export and CRLF", "export A=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}, nil},
		{"equals in value", "A=b=c\n", map[string]string{"A": "b=c"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnv("app.env", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(env.Values, tt.want) {
				t.Errorf("values = %q, want %q", env.Values, tt.want)
			}
			if tt.mods == nil {
				tt.mods = map[string]map[string]string{}
			}
			if !reflect.DeepEqual(env.Modifiers, tt.mods) {
				t.Errorf("modifiers = %q, want %q", env.Modifiers, tt.mods)
			}
		})
	}
}

func TestParseEnvKeyOrder(t *testing.T) {
	env, err := ParseEnv("x", []byte("B=1\nA=2\nB=3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(env.Keys, []string{"B", "A"}) || env.Values["B"] != "3" {
		t.Errorf("keys %v values %v", env.Keys, env.Values)
	}
}

func TestParseEnvErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"A=1\nnot a definition\n", `app.env:2: missing "=" in "not a definition"`},
		{"1A=x", `app.env:1: invalid variable name "1A"`},
		{"A B=x", `app.env:1: invalid variable name "A B"`},
		{"A=1\n\nB='open", "app.env:3: unterminated single-quoted value"},
		{`A="open`, "app.env:1: unterminated double-quoted value"},
		{`A="x" y`, `app.env:1: unexpected "y" after quoted value`},
		{"A=${B", `app.env:1: unterminated ${ in "${B"`},
		{"A=${B:-x}", "app.env:1: bad substitution ${B:-x}"},
	}
	for _, tt := range tests {
		_, err := ParseEnv("app.env", []byte(tt.src))
		var ee *EnvError
		if !errors.As(err, &ee) || err.Error() != tt.want {
			t.Errorf("ParseEnv(%q) = %v, want %s", tt.src, err, tt.want)
		}
	}
}

func TestReadEnvFileSample(t *testing.T) {
	env, err := ReadEnvFile(fixtureSrc + "/.env.sample")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"TYPE": "discourse", "DOMAIN": "discourse.example.com", "LETS_ENCRYPT_ENV": "production",
		"COMPOSE_FILE": "compose.yml", "SECRET_DB_PASSWORD_VERSION": "v1",
	}
	if !reflect.DeepEqual(env.Values, want) {
		t.Errorf("values = %q", env.Values)
	}
	if env.Modifiers["SECRET_DB_PASSWORD_VERSION"]["length"] != "32" {
		t.Errorf("modifiers = %q", env.Modifiers)
	}
}

// doublingEnv is an env file whose values double on each line: 39 lines
// that would expand to gigabytes without MaxEnvValue.
func doublingEnv() []byte {
	var b strings.Builder
	b.WriteString("A0=x\n")
	for i := 1; i < 39; i++ {
		fmt.Fprintf(&b, "A%d=$A%d$A%d\n", i, i-1, i-1)
	}
	return []byte(b.String())
}

func TestParseEnvLimits(t *testing.T) {
	long := strings.Repeat("y", 10<<20)
	tests := []struct{ src, want string }{
		{string(doublingEnv()), "app.env:22: A21: value is over the 1 MiB limit for an env value (after $VAR expansion)"},
		{"A=" + long, "app.env:1: A: value is over the 1 MiB limit for an env value (after $VAR expansion)"},
		{long, `app.env:1: missing "=" in "` + long[:80] + `"… (10485760 bytes)`},
		{"SECRET_DB_VERSION=v1 # length=2000000000", "app.env:1: SECRET_DB_VERSION: length=2000000000 is over the 4096 limit for a generated secret"},
		{"SECRET_DB_VERSION=v1 # length=99999999999999999999999", "app.env:1: SECRET_DB_VERSION: length=99999999999999999999999 is over the 4096 limit for a generated secret"},
	}
	for _, tt := range tests {
		start := time.Now()
		_, err := ParseEnv("app.env", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseEnv(%.40q) = %.200v, want %.200s", tt.src, err, tt.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("ParseEnv(%.40q) took %v", tt.src, d)
		}
	}
	src := "SECRET_DB_VERSION=v1 # length=4096\nB=" + strings.Repeat("z", MaxEnvValue) + "\n"
	if _, err := ParseEnv("app.env", []byte(src)); err != nil {
		t.Errorf("values at the limits: %v", err)
	}
}
