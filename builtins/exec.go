package builtins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/interp"
)

func init() {
	register(
		Builtin{Name: "exec.run", Args: `args, env={}, dir=".", timeout="2m", check=True`, Fn: execRun,
			Summary: "Runs an external command (the docker CLI, a harness step) on the wall clock and records its output.",
			Detail: `args is the command and its arguments, a list of strings; no shell reads them. env adds
to chaosrun's own environment; dir is relative to the scenario's folder. The command
line, its exit status and its output lines (the first 40; stderr's marked "stderr:")
go into the transcript. It returns a struct with code, stdout and stderr. With check
(the default) an exit status other than 0 fails, naming the command and the end of its
stderr; a command still running at timeout is killed. Running commands is off unless
the run was started with --allow-run (chaosrun run, repl): a scenario from elsewhere
cannot run programs by surprise.`,
			Example: `out = exec.run(["sh", "-c", "echo hello"])
assert.eq(out.stdout, "hello\n")`},
		Builtin{Name: "sim.serve", Args: `time="settle", seed=None`, Fn: simServe,
			Summary: "Starts a simulated swarm behind the Docker Engine API (chaosrun sim serve) for external clients.",
			Detail: `It serves a simulated swarm of its own, apart from the case's engine, on a unix
socket that lasts until the case ends, and returns a struct with host (a DOCKER_HOST
value) and env (a dict to give exec.run). time is "settle" (each change runs to a quiet
state at once), "real" or "fast" (docs/serve.md); seed defaults to the run's --seed.
The docker CLI, docker-py or a harness then drive it through exec.run, and their
output is in the transcript.`,
			Example: `swarm = sim.serve()
out = exec.run(["sh", "-c", "echo $DOCKER_HOST"], env = swarm.env)
assert.eq(out.stdout.strip(), swarm.host)`},
	)
}

// Keys of the case values exec.run and sim.serve read.
const (
	allowRunKey = "chaosrun.allow-run"
	serverKey   = "chaosrun.sim-server"
	runSeedKey  = "chaosrun.run-seed"
)

// AllowRun lets the case's scripts run external commands (--allow-run).
func AllowRun(c *interp.Case) { c.SetValue(allowRunKey, true) }

// SimServer starts a simulated swarm behind the Docker Engine API and
// returns its DOCKER_HOST and a stop function; the runner provides it,
// since builtins do not know the engines.
type SimServer func(ctx context.Context, seed int64, timeMode string) (host string, stop func(context.Context) error, err error)

// AttachSimServer gives the case sim.serve's server and the run's seed.
func AttachSimServer(c *interp.Case, s SimServer, seed int64) {
	c.SetValue(serverKey, s)
	c.SetValue(runSeedKey, seed)
}

// maxOutputLines bounds the output lines exec.run records.
const maxOutputLines = 40

// maxOutput bounds what exec.run keeps of each stream.
const maxOutput = 4 << 20

func execRun(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var argv *starlark.List
	var env *starlark.Dict
	dir := "."
	timeout := Duration(2 * time.Minute)
	check := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "args", &argv, "env?", &env, "dir?", &dir,
		"timeout?", &timeout, "check?", &check); err != nil {
		return nil, err
	}
	words, err := stringList(fn, "args", argv)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%s: args: got an empty list, want the command and its arguments", fn.Name())
	}
	extra, err := stringMap(fn, "env", env)
	if err != nil {
		return nil, err
	}
	c := interp.CaseOf(thread)
	line := ShellLine(words)
	if allowed, _ := c.Value(allowRunKey).(bool); !allowed {
		return nil, fmt.Errorf("%s: running commands is off for this run; start it with --allow-run to let the scenario run %s",
			fn.Name(), cut.Raw(words[0]))
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("%s: timeout: got %s, want a positive duration", fn.Name(), time.Duration(timeout))
	}
	ctx, cancel := context.WithTimeout(interp.Context(thread), time.Duration(timeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, words[0], words[1:]...)
	cmd.Dir = interp.Path(thread, dir)
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		cmd.Env = append(cmd.Env, k+"="+extra[k])
	}
	var stdout, stderr limitedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("%s: %s still running after %s: killed", fn.Name(), cut.Raw(line), time.Duration(timeout))
	case interp.Context(thread).Err() != nil:
		return nil, interp.Context(thread).Err()
	case runErr != nil && !errors.As(runErr, &exitErr):
		return nil, fmt.Errorf("%s: %s: %v", fn.Name(), cut.Raw(line), runErr)
	}
	c.Record(thread, "run", fmt.Sprintf("%s (exit %d)", cut.Raw(line), code), map[string]string{"command": line, "exit": fmt.Sprint(code)})
	recordOutput(thread, c, stdout.String(), stderr.String())
	if check && code != 0 {
		return nil, fmt.Errorf("%s: %s exited %d%s", fn.Name(), cut.Raw(line), code, stderrTail(stderr.String()))
	}
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"code": starlark.MakeInt(code), "stdout": starlark.String(stdout.String()), "stderr": starlark.String(stderr.String()),
	}), nil
}

// recordOutput puts a command's output lines in the transcript, the
// first maxOutputLines of them.
func recordOutput(thread *starlark.Thread, c *interp.Case, stdout, stderr string) {
	var lines []string
	for _, s := range []struct{ prefix, text string }{{"", stdout}, {"stderr: ", stderr}} {
		if s.text == "" {
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(s.text, "\n"), "\n") {
			lines = append(lines, s.prefix+l)
		}
	}
	for i, l := range lines {
		if i == maxOutputLines {
			c.Record(thread, "output", fmt.Sprintf("... %d more lines", len(lines)-i), nil)
			break
		}
		c.Record(thread, "output", cut.Raw(l), nil)
	}
}

// stderrTail is ": " and the last line of stderr, or "".
func stderrTail(stderr string) string {
	stderr = strings.TrimSpace(stderr)
	if stderr == "" {
		return ""
	}
	lines := strings.Split(stderr, "\n")
	return ": " + cut.Raw(lines[len(lines)-1])
}

// ShellLine writes a command as a POSIX shell reads it back: each word as
// it is when it holds only characters no shell treats specially, else in
// single quotes (exec.run's transcript lines, chaosrun's rerun commands).
func ShellLine(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=+@%") == "" {
			quoted[i] = w
		} else {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// limitedBuffer keeps the first maxOutput bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func simServe(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	mode := "settle"
	var seedArg starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "time?", &mode, "seed?", &seedArg); err != nil {
		return nil, err
	}
	c := interp.CaseOf(thread)
	server, _ := c.Value(serverKey).(SimServer)
	if server == nil {
		return nil, fmt.Errorf("%s: this run cannot serve a simulated swarm", fn.Name())
	}
	seed, _ := c.Value(runSeedKey).(int64)
	if seedArg != starlark.None {
		n, ok := seedArg.(starlark.Int)
		if !ok {
			return nil, fmt.Errorf("%s: seed: got %s, want an integer", fn.Name(), seedArg.Type())
		}
		s, exact := n.Int64()
		if !exact {
			return nil, fmt.Errorf("%s: seed: %s does not fit in 64 bits", fn.Name(), n)
		}
		seed = s
	}
	host, stop, err := server(interp.Context(thread), seed, mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	c.Defer("stop the served simulated swarm", stop)
	c.Record(thread, "serve", fmt.Sprintf("a simulated swarm on the Engine API (seed %d, time %s)", seed, mode), nil)
	envDict := starlark.NewDict(1)
	_ = envDict.SetKey(starlark.String("DOCKER_HOST"), starlark.String(host))
	envDict.Freeze()
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"host": starlark.String(host), "env": envDict,
	}), nil
}
