package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/coop-cloud/chaosrun/serve"
)

func simCommand() *cli.Command {
	return &cli.Command{
		Name:  "sim",
		Usage: "the simulated swarm on its own",
		Subcommands: []*cli.Command{{
			Name:  "serve",
			Usage: "serve the simulated swarm on the Docker Engine API, for the docker CLI, abra and docker-py",
			Description: "Point DOCKER_HOST at the socket (or address) and run the docker CLI as on a swarm manager:\n" +
				"stack deploy, service ls/ps/inspect/update/rollback/rm, node ls, secret, config, network.\n" +
				"Nothing runs: tasks go through swarm's states on the simulator's clock. --time says how\n" +
				"that clock moves: real (with the wall clock), fast (--speed times faster) or settle\n" +
				"(still between requests, each change run to a quiet state); docs/serve.md says which\n" +
				"verdicts each can change. Ctrl-C stops it.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "socket", Usage: "serve on this unix socket `PATH` (default: chaosrun-sim.sock in the temp folder)"},
				&cli.StringFlag{Name: "listen", Usage: "serve on this loopback `ADDRESS` instead, like 127.0.0.1:2399"},
				seedFlag(seedUsage),
				&cli.StringFlag{Name: "time", Value: serve.TimeReal, Usage: "how simulated time moves: real, fast or settle"},
				&cli.Float64Flag{Name: "speed", Value: 10, Usage: "--time fast: how many times faster than the wall clock"},
				&cli.DurationFlag{Name: "settle-limit", Value: 10 * time.Minute, Usage: "--time settle: the most simulated time one change runs for"},
				&cli.StringFlag{Name: "log", Usage: "write one JSON line per request, with its simulated time, to `FILE` (- for stderr)"},
				&cli.StringFlag{Name: "replay", Usage: "instead of serving, run the requests of a --log `FILE` again and report each answer that differs (exit 1)"},
			},
			Action: serveAction,
		}},
	}
}

func serveAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError(fmt.Errorf("sim serve: unexpected argument %q", c.Args().First()))
	}
	if p := c.String("replay"); p != "" {
		return replayLog(c, p)
	}
	ln, where, err := serveListener(c.String("socket"), c.String("listen"))
	if err != nil {
		return usageError(err)
	}
	defer ln.Close()
	opts := serve.Options{Seed: c.Int64(flagSeed), Time: c.String("time"), Speed: c.Float64("speed"), SettleLimit: c.Duration("settle-limit")}
	if p := c.String("log"); p != "" {
		f, err := logFile(p, c)
		if err != nil {
			return usageError(err)
		}
		defer f.Close()
		opts.Log = f
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := serve.Serve(ctx, ln, opts)
	if err != nil {
		return usageError(fmt.Errorf("sim serve: %v", err))
	}
	fmt.Fprintf(c.App.ErrWriter, "chaosrun sim serve: the simulated swarm (seed %d, time %s) on %s\n  export DOCKER_HOST=%s\n",
		opts.Seed, opts.Time, where, where)
	var served error
	select {
	case <-ctx.Done():
	case served = <-s.Stopped():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := errors.Join(served, s.Close(shut)); err != nil { // the handlers have written their log lines
		return err
	}
	fmt.Fprintln(c.App.ErrWriter, "chaosrun sim serve: stopped")
	return nil
}

// replayLog is --replay: it runs a request log again and says whether
// every answer was the same.
func replayLog(c *cli.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError(fmt.Errorf("sim serve --replay: %v", err))
	}
	defer f.Close()
	n, diffs, err := serve.Replay(c.Context, f)
	if err != nil {
		return usageError(err)
	}
	for _, d := range diffs {
		fmt.Fprintln(c.App.Writer, d)
	}
	if len(diffs) > 0 {
		fmt.Fprintf(c.App.Writer, "FAIL: %d of %d requests answered otherwise than logged\n", len(diffs), n)
		return &exitError{code: exitFailed, silent: true}
	}
	fmt.Fprintf(c.App.Writer, "PASS: %d requests replayed, every answer as logged\n", n)
	return nil
}

// serveListener listens on the socket or loopback address asked for; a
// stale socket file left by a stopped server is replaced, a live one is
// refused.
func serveListener(socket, listen string) (net.Listener, string, error) {
	if socket != "" && listen != "" {
		return nil, "", errors.New("sim serve: give --socket or --listen, not both")
	}
	if listen != "" {
		host, _, err := net.SplitHostPort(listen)
		if ip := net.ParseIP(host); err != nil || (ip == nil && host != "localhost") || (ip != nil && !ip.IsLoopback()) {
			return nil, "", fmt.Errorf("sim serve: --listen %s: want a loopback address and port, like 127.0.0.1:2399 (the API has no authentication)", listen)
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return nil, "", fmt.Errorf("sim serve: %v", err)
		}
		return ln, "tcp://" + ln.Addr().String(), nil
	}
	if socket == "" {
		socket = filepath.Join(os.TempDir(), "chaosrun-sim.sock")
	}
	abs, err := filepath.Abs(socket)
	if err != nil {
		return nil, "", err
	}
	if fi, err := os.Lstat(abs); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, "", fmt.Errorf("sim serve: --socket %s: a file that is not a socket is there; name another path", abs)
		}
		if conn, err := net.DialTimeout("unix", abs, time.Second); err == nil {
			conn.Close()
			return nil, "", fmt.Errorf("sim serve: %s is in use by a running server", abs)
		}
		if err := os.Remove(abs); err != nil {
			return nil, "", fmt.Errorf("sim serve: remove the stale socket: %v", err)
		}
	}
	ln, err := net.Listen("unix", abs)
	if err != nil {
		return nil, "", fmt.Errorf("sim serve: %v", err)
	}
	return ln, "unix://" + abs, nil
}

// logFile opens the request log ("-": stderr).
func logFile(path string, c *cli.Context) (interface {
	Write([]byte) (int, error)
	Close() error
}, error) {
	if path == "-" {
		return nopCloser{c.App.ErrWriter}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("sim serve: --log: %v", err)
	}
	return f, nil
}

type nopCloser struct {
	w interface{ Write([]byte) (int, error) }
}

func (n nopCloser) Write(p []byte) (int, error) { return n.w.Write(p) }
func (nopCloser) Close() error                  { return nil }
