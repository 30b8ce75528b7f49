package recipe

import (
	"strings"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/internal/fuzzcheck"
)

// An error about a recipe is at most cut.MaxErrors problems and a count,
// each line a cut echo of the input (docs/fuzzing.md).
var recipeBounds = fuzzcheck.Bounds{Lines: cut.MaxErrors + 1, LineBytes: 2 * cut.LineLimit}

// FuzzParseEnv: any env file parses or is refused in one line, quickly,
// and what it accepts is within the limits.
func FuzzParseEnv(f *testing.F) {
	for _, seed := range []string{
		"DOMAIN=example.com\nexport A='x y' # comment\nB=\"$A:${A}\\n\"\n",
		"SECRET_DB_PASSWORD_VERSION=v1 # length=32\nSECRET_X_VERSION=v2 # generate=false\n",
		"SECRET_DB_VERSION=v1 # length=2000000000\n",
		"SECRET_DB_VERSION=v1 # length=99999999999999999999999\n",
		string(doublingEnv()),
		"A=${B\nC=\"open\nD='x'y\n=1\n1A=2\n",
		"COMPOSE_FILE=\"$COMPOSE_FILE:compose.x.yml\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnv("app.env", data)
		if err != nil {
			msg := err.Error()
			fuzzcheck.Message(t, string(data), msg, fuzzcheck.Bounds{Lines: 1, LineBytes: 2 * cut.LineLimit})
			if !strings.HasPrefix(msg, "app.env:") {
				t.Fatalf("error %q names no file:line", msg)
			}
			return
		}
		for k, v := range env.Values {
			if len(v) > MaxEnvValue {
				t.Fatalf("%s: value of %d bytes accepted, over MaxEnvValue", cut.Raw(k), len(v))
			}
		}
		for k, mods := range env.Modifiers {
			if n, msg := secretLength(mods["length"]); msg == "" && n > MaxSecretLength {
				t.Fatalf("%s: length=%d accepted", cut.Raw(k), n)
			}
		}
	})
}

// FuzzLoadCompose: any compose overlay loads and converts, or is refused
// with a bounded message.
func FuzzLoadCompose(f *testing.F) {
	for _, seed := range []string{
		"version: \"3.8\"\nservices:\n  app:\n    deploy:\n      replicas: 3\n      update_config: {order: start-first}\n",
		"version: \"3.8\"\nservices:\n  app:\n    deploy:\n      replicas: 10000000\n",
		"version: \"3.8\"\nservices:\n  app:\n    secrets: [nope]\n    configs: [nada]\n",
		"version: \"3.8\"\nservices:\n  app:\n    healthcheck:\n      start_period: soon\n    labels: [\"coop-cloud.${STACK_NAME}.timeout=x\"]\n",
		"version: \"3.8\"\nservices:\n  app:\n    deploy:\n      replicas: 1\n      replicas: 2\n      replicas: 3\n",
		"version: \"3.8\"\nservices:\n  app:\n    deploy:\n" + strings.Repeat("      replicas: 1\n", 20),
		"a: &a [*a]\n",
		"- a\n",
		"version: \"3.8\"\nservices:\n  app:\n    image: a: b\n",
	} {
		f.Add(seed)
	}
	fx, a := fixtureApp(f, map[string]string{"COMPOSE_FILE": "compose.yml:compose.fuzz.yml"})
	f.Fuzz(func(t *testing.T, overlay string) {
		if err := fx.Repo.WriteFile("compose.fuzz.yml", []byte(overlay)); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			c, err := a.LoadCompose()
			if err == nil {
				_, err = convertStack(a.StackName(), c.Config, "")
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				fuzzcheck.Message(t, overlay, err.Error(), recipeBounds)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer in 10 s for %.300q", overlay)
		}
	})
}
