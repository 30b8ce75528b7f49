package builtins_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coop-cloud/chaosrun/builtins"
	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// param is one parameter of a builtin's documented Args.
type param struct {
	name     string
	required bool // it has no "=default"
}

// documentedParams parses Args ("app, service=\"app\", since=None"); ok is
// false for a variadic builtin (*args, **kwargs or "..."), whose leading
// parameters are positional only.
func documentedParams(args string) (ps []param, ok bool) {
	if strings.Contains(args, "*") || strings.Contains(args, "...") {
		return nil, false
	}
	for _, a := range strings.Split(args, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		name, _, hasDefault := strings.Cut(a, "=")
		ps = append(ps, param{name: name, required: !hasDefault})
	}
	return ps, true
}

var (
	unexpectedKeyword = regexp.MustCompile(`unexpected keyword argument`)
	missingArgument   = regexp.MustCompile(`missing argument for (\w+)`)
	tooMany           = regexp.MustCompile(`got (\d+) arguments?, want at most (\d+)`)
)

// TestArgsDocumented checks every builtin's Args against what it unpacks:
// called with each documented parameter by keyword, it must not refuse the
// name, and a parameter it then says is missing must be one documented
// without a default; called with one positional argument more than it
// documents, it must refuse it as too many, so that it takes no parameter
// the doc leaves out. (Variadic builtins are not checked.)
func TestArgsDocumented(t *testing.T) {
	dir := exampleDir(t)
	var calls []string // label, then the call's source
	docs := map[string][]param{}
	for _, bi := range builtins.All() {
		ps, ok := documentedParams(bi.Args)
		if bi.Fn == nil || !ok {
			continue
		}
		docs[bi.Name] = ps
		for _, p := range ps {
			calls = append(calls, bi.Name+"/"+p.name, fmt.Sprintf("%s(%s = None)", bi.Name, p.name))
		}
		calls = append(calls, bi.Name+"/+1", fmt.Sprintf("%s(%s)", bi.Name, strings.Repeat("None, ", len(ps)+1)))
	}
	var src strings.Builder
	src.WriteString(builtins.ExamplePrelude + "\ndef test_args():\n")
	for i := 0; i < len(calls); i += 2 {
		fmt.Fprintf(&src, "    print(%q, catch(lambda: %s))\n", calls[i], calls[i+1])
	}
	path := filepath.Join(dir, "args.star")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runner.RunFile(context.Background(), path, runner.Config{Engine: runner.EngineSim, Seed: 1})
	if res.Err != nil || len(res.Cases) == 0 {
		t.Fatalf("the calls did not run: %v", res.Err)
	}
	got := map[string]string{}
	for _, c := range res.Cases {
		if c.Err != nil {
			t.Fatalf("%s: %s", c.Name, interp.Describe(c.Err))
		}
		for _, e := range c.Transcript.Events() {
			if label, msg, ok := strings.Cut(e.Msg, " "); ok && e.Kind == "print" && strings.Contains(label, "/") {
				got[label] = msg
			}
		}
	}
	for i := 0; i < len(calls); i += 2 {
		label, call := calls[i], calls[i+1]
		name, which, _ := strings.Cut(label, "/")
		msg, ok := got[label]
		switch {
		case !ok:
			t.Errorf("%s: no result", call)
		case which == "+1":
			want := fmt.Sprint(len(docs[name]))
			if m := tooMany.FindStringSubmatch(msg); m == nil || m[2] != want {
				t.Errorf("Args %q documents %s parameters, but %s says %s (want \"want at most %s\")",
					name+"("+argsOf(name)+")", want, call, msg, want)
			}
		case unexpectedKeyword.MatchString(msg):
			t.Errorf("Args of %s documents %s, but %s says %s", name, which, call, msg)
		default:
			if m := missingArgument.FindStringSubmatch(msg); m != nil && !requiredIn(docs[name], m[1]) {
				t.Errorf("%s says %s, but Args of %s documents no required %s", call, msg, name, m[1])
			}
		}
	}
}

func argsOf(name string) string { b, _ := builtins.Lookup(name); return b.Args }

func requiredIn(ps []param, name string) bool {
	for _, p := range ps {
		if p.name == name && p.required {
			return true
		}
	}
	return false
}
