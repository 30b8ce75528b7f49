// Command testapp is the tiny HTTP server chaosrun deploys to real swarms in
// its tests. Its behaviour is set by environment so that one image, built
// FROM scratch, can play a healthy release, a broken one, a slow one or a
// memory-hungry one:
//
//	PORT         listen port (default 8080)
//	FAIL_HEALTH  "1": /health answers 503, so the healthcheck fails
//	FAIL_HEALTH_AFTER  /health answers 503 once this long (Go duration) has
//	             passed since its first healthy answer: healthy, then sick
//	START_DELAY  wait this long (Go duration) before listening
//	CRASH_AFTER  exit this long (Go duration) after start
//	CRASH_AFTER_HEALTHY  "1": count CRASH_AFTER from the first healthy
//	             /health answer (when swarm marks the task running) instead
//	CRASH_EXIT   exit code for CRASH_AFTER (default 1)
//	HOLD_MIB     allocate and touch this many MiB and hold them
//	TERM_EXIT    exit code on SIGTERM/SIGINT (default 2, what a Go binary
//	             running as PID 1 exits with when it does not handle SIGTERM)
//	VERSION      reported by / (default "dev")
//
// The image has no shell, so the program is its own healthcheck client:
// `testapp -health` probes http://127.0.0.1:$PORT/health and exits 0 when it
// answers 200, 1 otherwise.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	health := flag.Bool("health", false, "probe the local server's /health and exit 0 (healthy) or 1")
	flag.Parse()
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testapp: %v\n", err)
		os.Exit(64)
	}
	if *health {
		os.Exit(probe(cfg.port))
	}
	os.Exit(serve(cfg))
}

// config is the behaviour read from the environment.
type config struct {
	port             string
	failHealth       bool
	failAfter        time.Duration
	startDelay       time.Duration
	crashAfter       time.Duration
	crashFromHealthy bool
	crashExit        int
	termExit         int
	holdMiB          int
	version          string
}

// loadConfig reads the behaviour from getenv, rejecting malformed values.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{port: "8080", crashExit: 1, termExit: 2, version: "dev"}
	if v := getenv("PORT"); v != "" {
		c.port = v
	}
	if v := getenv("VERSION"); v != "" {
		c.version = v
	}
	c.failHealth = getenv("FAIL_HEALTH") == "1"
	c.crashFromHealthy = getenv("CRASH_AFTER_HEALTHY") == "1"
	var err error
	durations := []struct {
		name string
		dst  *time.Duration
	}{{"START_DELAY", &c.startDelay}, {"CRASH_AFTER", &c.crashAfter}, {"FAIL_HEALTH_AFTER", &c.failAfter}}
	for _, d := range durations {
		if v := getenv(d.name); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil {
				return c, fmt.Errorf("%s=%q: want a Go duration such as 5s", d.name, v)
			}
		}
	}
	ints := []struct {
		name string
		dst  *int
	}{{"CRASH_EXIT", &c.crashExit}, {"TERM_EXIT", &c.termExit}, {"HOLD_MIB", &c.holdMiB}}
	for _, n := range ints {
		if v := getenv(n.name); v != "" {
			if *n.dst, err = strconv.Atoi(v); err != nil || *n.dst < 0 {
				return c, fmt.Errorf("%s=%q: want a non-negative integer", n.name, v)
			}
		}
	}
	return c, nil
}

// probe is the healthcheck client: 0 when /health answers 200.
func probe(port string) int {
	cl := http.Client{Timeout: time.Second}
	resp, err := cl.Get("http://127.0.0.1:" + port + "/health")
	if err != nil {
		fmt.Fprintf(os.Stderr, "testapp: health probe: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "testapp: health probe: %s\n", resp.Status)
		return 1
	}
	return 0
}

// held keeps HOLD_MIB alive for the life of the process.
var held []byte

// serve runs the server until a signal or CRASH_AFTER, returning the exit code.
func serve(c config) int {
	start := time.Now()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	healthy := make(chan struct{}) // closed at the first healthy answer
	crash := make(chan struct{})
	if c.crashAfter > 0 {
		go func() {
			if c.crashFromHealthy {
				<-healthy
			}
			time.Sleep(c.crashAfter)
			close(crash)
		}()
	}
	if c.holdMiB > 0 {
		held = make([]byte, c.holdMiB<<20)
		for i := 0; i < len(held); i += 4096 {
			held[i] = 1
		}
	}
	srv := &http.Server{Addr: ":" + c.port, Handler: handler(c, start, healthy)}
	errc := make(chan error, 1)
	go func() {
		if c.startDelay > 0 {
			time.Sleep(c.startDelay)
		}
		errc <- srv.ListenAndServe()
	}()
	fmt.Printf("testapp %s: port %s fail_health=%v fail_health_after=%s start_delay=%s crash_after=%s hold_mib=%d\n",
		c.version, c.port, c.failHealth, c.failAfter, c.startDelay, c.crashAfter, c.holdMiB)
	select {
	case sig := <-sigs:
		fmt.Printf("testapp: %v, exiting %d\n", sig, c.termExit)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		return c.termExit
	case <-crash:
		fmt.Printf("testapp: crashing after %s with exit %d\n", c.crashAfter, c.crashExit)
		return c.crashExit
	case err := <-errc:
		fmt.Fprintf(os.Stderr, "testapp: %v\n", err)
		return 1
	}
}

// handler serves / (a one-line status) and /health, closing healthy at
// the first healthy answer.
func handler(c config, start time.Time, healthy chan struct{}) http.Handler {
	var once sync.Once
	var firstHealthy atomic.Pointer[time.Time]
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if c.failHealth {
			http.Error(w, "unhealthy (FAIL_HEALTH=1)", http.StatusServiceUnavailable)
			return
		}
		if f := firstHealthy.Load(); c.failAfter > 0 && f != nil && time.Since(*f) >= c.failAfter {
			http.Error(w, "unhealthy (FAIL_HEALTH_AFTER="+c.failAfter.String()+")", http.StatusServiceUnavailable)
			return
		}
		once.Do(func() {
			now := time.Now()
			firstHealthy.Store(&now)
			close(healthy)
		})
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		fmt.Fprintf(w, "testapp version=%s host=%s uptime=%s held_mib=%d\n",
			c.version, host, time.Since(start).Round(time.Second), len(held)>>20)
	})
	return mux
}
