package main

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replRun feeds input to `chaosrun repl args...` run in dir and returns
// its stdout, stderr and exit code.
func replRun(t *testing.T, dir, input string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(chaosrunBin, append([]string{"repl"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(input)
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	cmd.Run()
	return out.String(), errw.String(), cmd.ProcessState.ExitCode()
}

func TestREPL(t *testing.T) {
	tests := []struct {
		name, dir, input string
		args             []string
		stdout, stderr   []string // in order
		exit             int
	}{
		{"values, events, errors, blocks", ".", `x = 2
x * 21
undefined_name
def f(n):
    return n + x

print(f(1), vars["who"])
sleep("20m")
print("after")
assert.eq(1, 2)
"still here"
`, []string{"--var", "who=me"},
			[]string{"42\n", "[+0s] main print: 3 me\n", "[+0s] main sleep: 20m0s\n", "[+20m0s] main print: after\n", `"still here"` + "\n"},
			[]string{"error: <stdin>:1:1: undefined: undefined_name\n", "error: <stdin>:1:10: assert.eq: got 1, want 2\n"}, 0},
		{"a deploy on the simulator waits on the virtual clock", "../..", `repo = git.init(src = "examples/recipes/testapp")
repo.commit("release 1.0.0", tag = "1.0.0")
app = coop.app("testapp.example.com", recipe = repo)
chaos_deploy(app)
assert_converged(app).converged
defer(print, "cleanup ran")
`, nil,
			[]string{"main deploy: testapp_example_com", "main verdict: testapp_example_com_app created", "True\n", "cleanup print: cleanup ran\n"},
			nil, 0},
		{"a syntax error does not end the session", ".", "1 +\n2 + 2\n", nil, []string{"4\n"},
			[]string{"error: <stdin>:1:4: got newline, want primary expression\n"}, 0},
		{"a block left open by the end of input runs", ".", "if True:\n    print(\"open block\")", nil,
			[]string{"[+0s] main print: open block\n"}, nil, 0},
		{"help", ".", `help
help()
help(sim.service)
help("git")
repo = git.init()
help(repo.write)
def f():
    "Does f things."

help(f)
help("servic")
help(1)
`, []string{"--engine", "none"},
			[]string{`type help() for every builtin`, "\ncore:\n", "  sleep(duration) ", "\nswarm:\n", "type help() for every builtin",
				"sim.service(app, service=\"app\"", "Engines: sim (ignored with a warning elsewhere)",
				"git:\n", "  git.clone(", "repo.write(name, data)\n\nWrites a file", "f, defined at <stdin>:1:1\n\nDoes f things.\n"},
			[]string{`error: <stdin>:1:5: help: no builtin or family named "servic" (did you mean sim.service?)`,
				"error: <stdin>:1:5: help: no reference for a value of type int"}, 0},
		{"arguments are a usage error", ".", "", []string{"x.star"}, nil, []string{`unexpected argument "x.star"`}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := replRun(t, tt.dir, tt.input, tt.args...)
			if code != tt.exit {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.exit, stdout, stderr)
			}
			inOrder(t, "stdout", stdout, tt.stdout)
			inOrder(t, "stderr", stderr, tt.stderr)
		})
	}
}

// inOrder checks that text holds each of wants, in order.
func inOrder(t *testing.T, what, text string, wants []string) {
	t.Helper()
	rest := text
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s does not contain %q (in order):\n%s", what, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}

// replSession starts `chaosrun repl --engine none` with a pipe for stdin.
func replSession(t *testing.T) (*exec.Cmd, io.WriteCloser, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(chaosrunBin, "repl", "--engine", "none")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, in, out
}

// waitFor waits until out contains s.
func waitFor(t *testing.T, cmd *exec.Cmd, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no %q in the output:\n%s", s, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestREPLCtrlCCancelsTheStatementOnly(t *testing.T) {
	cmd, in, out := replSession(t)
	io.WriteString(in, "sleep(\"1h\")\n")
	waitFor(t, cmd, out, "sleep: 1h0m0s")
	cmd.Process.Signal(syscall.SIGINT)
	waitFor(t, cmd, out, "error: ")
	io.WriteString(in, "print(\"still here\")\n")
	in.Close()
	waitCmd(t, cmd, 10*time.Second)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	inOrder(t, "output", out.String(), []string{"error: <stdin>:1:6: interrupted: context canceled", "main print: still here"})
}

func TestREPLCtrlCAtThePromptEndsWithCleanups(t *testing.T) {
	cmd, in, out := replSession(t)
	io.WriteString(in, "defer(print, \"cleanup ran\")\nprint(\"ready\")\n")
	waitFor(t, cmd, out, "print: ready")
	cmd.Process.Signal(syscall.SIGINT)
	waitCmd(t, cmd, 10*time.Second)
	in.Close()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	inOrder(t, "output", out.String(), []string{"interrupted", "cleanup print: cleanup ran"})
}
