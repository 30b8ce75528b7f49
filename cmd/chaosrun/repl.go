package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chzyer/readline"
	"github.com/urfave/cli/v2"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"golang.org/x/term"

	"github.com/coop-cloud/chaosrun/interp"
	"github.com/coop-cloud/chaosrun/runner"
)

// go.starlark.net/repl is not used: it writes to os.Stdout and os.Stderr
// itself, and cancels through a "context" thread local that chaosrun's
// builtins do not watch (they watch the case's context). The loop below
// reuses the same parser entry point through interp.Session instead.

func replCommand() *cli.Command {
	return &cli.Command{
		Name:  "repl",
		Usage: "an interactive Starlark prompt with every builtin, on one fresh case",
		Description: "Each statement runs at once on the case's main thread; a block (def, if, for)\n" +
			"ends with a blank line. Transcript events print as they happen, a statement's\n" +
			"value after it. An error ends the statement, not the session. Ctrl-C cancels\n" +
			"the running statement; Ctrl-D (end of input) ends the session, running its\n" +
			"cleanups (defer, and what the engine created). On the simulator time is virtual\n" +
			"as in a scenario: sleep(\"20m\") returns at once. help() lists every builtin,\n" +
			"help(x) shows the reference of x (help(sim.service), help(\"sim\"), help(repo)).",
		Flags: []cli.Flag{
			engineFlag("swarm engine: sim, docker or none"),
			seedFlag(seedUsage),
			varFlag("`key=value` for the vars dict (repeatable)"),
			varFileFlag(),
			rootFlag("folder that load() may not leave (default: the working directory)"),
			verboseFlag(),
			keepFlag("docker engine: leave what the session created"),
			adoptFlag(),
			htmlFlag("when the session ends, write its timeline to `FILE`, one self-contained HTML page"),
			allowRunFlag(),
		},
		Action: replAction,
	}
}

// errInterrupted ends a session on Ctrl-C at the prompt (not at a TTY,
// where Ctrl-C only clears the line).
var errInterrupted = errors.New("interrupted")

// replAction runs the prompt until end of input. It runs on the goroutine
// that made the session, which on the simulator is the virtual clock's
// first thread.
func replAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError(fmt.Errorf("repl: unexpected argument %q (it reads statements from stdin)", c.Args().First()))
	}
	cfg, err := configFrom(c)
	if err != nil {
		return err
	}
	out, errw := c.App.Writer, c.App.ErrWriter
	pictures, err := newHTMLReport(c.String(flagHTML), "chaosrun repl", &cfg)
	if err != nil {
		return err
	}
	opts := runner.Options(cfg)
	opts.Predeclared = withHelp(opts.Predeclared, out)
	opts.Sink = func(_ *interp.Case, e interp.Event) { fmt.Fprintln(out, e.Text()) }
	sess, err := interp.NewSession(c.Context, opts)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	in := newLineReader(c, sigs)
	defer in.close()
	if in.tty {
		fmt.Fprintf(out, "chaosrun repl on the %s engine; a blank line ends a block, help() lists the builtins, Ctrl-D ends the session\n", cfg.Engine)
	}
	code := exitOK
	if err := replLoop(sess, in, sigs, out, errw); err != nil {
		code = exitInterrupted
	}
	closeErr := sess.Close()
	if closeErr != nil {
		fmt.Fprintf(errw, "chaosrun: %v\n", closeErr)
		code = worse(code, exitFailed)
	}
	pictures.caseDone(sess.Case.File, interp.CaseResult{Name: sess.Case.Name, Err: closeErr,
		Transcript: sess.Case.Transcript, Elapsed: sess.Case.Elapsed()}, cfg)
	if err := pictures.write(); err != nil {
		fmt.Fprintf(errw, "chaosrun: %v\n", err)
		code = worse(code, exitUsage)
	}
	if code != exitOK {
		return &exitError{code: code, silent: true}
	}
	return nil
}

// replLoop reads, runs and prints chunks until end of input (nil) or an
// interrupt at the prompt (errInterrupted).
func replLoop(sess *interp.Session, in *lineReader, sigs <-chan os.Signal, out, errw io.Writer) error {
	for {
		in.prompt(">>> ")
		f, err := sess.Parse(in.readline)
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, readline.ErrInterrupt):
			continue // Ctrl-C at a terminal prompt drops the line being typed
		case errors.Is(err, errInterrupted):
			fmt.Fprintln(errw, "chaosrun: interrupted; running cleanups")
			return err
		case err != nil:
			fmt.Fprintf(errw, "error: %s\n", interp.Describe(err))
			continue
		}
		v, err := execInterruptible(sess, f, sigs)
		if err != nil {
			fmt.Fprintf(errw, "error: %s\n", interp.Describe(err))
		} else if v != starlark.None {
			fmt.Fprintln(out, v)
		}
	}
}

// execInterruptible runs one chunk, cancelling it on Ctrl-C.
func execInterruptible(sess *interp.Session, f *syntax.File, sigs <-chan os.Signal) (starlark.Value, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-sigs:
			cancel()
		case <-done:
		}
	}()
	v, err := sess.Exec(ctx, f)
	close(done)
	<-watched
	return v, err
}

// lineReader reads the session's input: through readline (prompt, line
// editing) on a terminal, plainly otherwise. Each read runs in a goroutine
// so that Ctrl-C at a plain prompt can end the session.
type lineReader struct {
	tty   bool
	rl    *readline.Instance
	br    *bufio.Reader
	sigs  <-chan os.Signal
	next  string // the prompt of the next line
	atEOF bool
}

func newLineReader(c *cli.Context, sigs <-chan os.Signal) *lineReader {
	r := &lineReader{sigs: sigs}
	if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		rl, err := readline.NewEx(&readline.Config{Prompt: ">>> ", Stdout: c.App.Writer, Stderr: c.App.ErrWriter})
		if err == nil {
			r.tty, r.rl = true, rl
			return r
		}
	}
	r.br = bufio.NewReader(c.App.Reader)
	return r
}

// prompt sets the prompt of the next line (shown on a terminal only).
func (r *lineReader) prompt(p string) { r.next = p }

// readline returns the next line with its newline, io.EOF at the end,
// readline.ErrInterrupt for Ctrl-C at a terminal, errInterrupted for a
// Ctrl-C signal while waiting.
func (r *lineReader) readline() ([]byte, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := r.read()
		ch <- result{line, err}
	}()
	select {
	case res := <-ch:
		r.next = "... "
		return []byte(res.line), res.err
	case <-r.sigs:
		return nil, errInterrupted
	}
}

// read reads one line; at the end of the input a last line without a
// newline still counts, and one blank line follows to end an open block.
func (r *lineReader) read() (string, error) {
	if r.rl != nil {
		r.rl.SetPrompt(r.next)
		line, err := r.rl.Readline()
		if err != nil {
			return "", err
		}
		return line + "\n", nil
	}
	if r.atEOF {
		return "", io.EOF
	}
	line, err := r.br.ReadString('\n')
	if err == io.EOF {
		r.atEOF = line == "" // after a last line without newline, one more read
		return line + "\n", nil
	}
	return line, err
}

// close restores the terminal.
func (r *lineReader) close() {
	if r.rl != nil {
		r.rl.Close()
	}
}
