// Package serve puts the simulated swarm behind the Docker Engine API, so
// that unmodified clients (the docker CLI, abra, docker-py) drive it: moby's
// own swarm handlers (api/server/router/swarm) over a backend that calls
// the simulator, and the few system, network and event endpoints by hand
// (docs/serve.md).
//
// The simulator runs on a virtual clock that only its running thread may
// drive, so one goroutine, the world's, owns it: every request is handed
// to it and answered from it, and between requests it moves virtual time
// as the time mode says.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/sim"
)

// Time modes (docs/serve.md says which verdicts each can change).
const (
	// TimeReal moves virtual time with the wall clock: clients that judge
	// on the wall clock judge right.
	TimeReal = "real"
	// TimeFast moves virtual time Speed times faster than the wall clock.
	TimeFast = "fast"
	// TimeSettle holds virtual time still between requests and, after each
	// change, runs the simulation until nothing is left to happen (or
	// SettleLimit passes).
	TimeSettle = "settle"
)

// Options say how a world runs.
type Options struct {
	Seed int64
	// Time is TimeReal (the default), TimeFast or TimeSettle.
	Time string
	// Speed is TimeFast's factor (default 10).
	Speed float64
	// SettleLimit bounds TimeSettle's run after a change (default 10
	// minutes of virtual time: a crash loop never settles).
	SettleLimit time.Duration
	// Log receives one JSON line per request, with its virtual time.
	Log io.Writer
	// Setup shapes the simulator before it serves (nodes, host load).
	Setup func(*sim.Sim) error
	// Epoch is where virtual time starts (zero: the wall clock's now);
	// a replay starts where the logged run did.
	Epoch time.Time
	// replay: virtual time moves only when a replay says (Replay).
	replay bool
}

// tick is how often real and fast time catch virtual time up.
const tick = 10 * time.Millisecond

// World is a simulated swarm owned by one goroutine.
type World struct {
	opts  Options
	calls chan call
	done  chan struct{}
	err   error

	// set by the world's goroutine before Start returns
	sim   *sim.Sim
	clk   *clock.Virtual
	epoch time.Time
	wall  time.Time

	mu      sync.Mutex
	now     time.Time // virtual time, as of the last step
	watches map[chan engine.Event]bool

	// One request at a time runs at one virtual instant (Request): the
	// clock is held while it runs, and a settle-mode change runs on once
	// it is done. held and changed belong to the world's goroutine.
	reqMu   sync.Mutex
	held    bool
	changed bool
}

// call is one piece of work for the world's goroutine.
type call struct {
	fn      func(*sim.Sim) error
	changes bool
	done    chan error
}

// Start starts a world; it runs until ctx ends.
func Start(ctx context.Context, opts Options) (*World, error) {
	switch opts.Time {
	case "":
		opts.Time = TimeReal
	case TimeReal, TimeFast, TimeSettle:
	default:
		return nil, fmt.Errorf("unknown time mode %q (want %s, %s or %s)", opts.Time, TimeReal, TimeFast, TimeSettle)
	}
	if opts.Speed == 0 {
		opts.Speed = 10
	}
	if opts.Speed < 1 || opts.Speed > 1000 {
		return nil, fmt.Errorf("speed %g: want 1 to 1000", opts.Speed)
	}
	if opts.SettleLimit <= 0 {
		opts.SettleLimit = 10 * time.Minute
	}
	w := &World{opts: opts, calls: make(chan call), done: make(chan struct{}), watches: map[chan engine.Event]bool{}}
	ready := make(chan error, 1)
	go w.run(ctx, ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return w, nil
}

// run is the world's goroutine: the virtual clock's only thread.
func (w *World) run(ctx context.Context, ready chan<- error) {
	defer close(w.done)
	// Virtual time starts at the wall clock's now, so that what clients
	// see (timestamps, event times) reads as today.
	w.wall = time.Now()
	w.epoch = w.wall.Truncate(time.Millisecond)
	if !w.opts.Epoch.IsZero() {
		w.epoch = w.opts.Epoch
	}
	w.clk = clock.NewVirtual(w.epoch)
	w.clk.SetHorizon(100 * 365 * 24 * time.Hour)
	w.sim = sim.New(w.opts.Seed, w.clk)
	w.sim.KeyIDs(w.opts.Seed)
	if w.opts.Setup != nil {
		if err := w.opts.Setup(w.sim); err != nil {
			ready <- err
			return
		}
	}
	sub := w.sim.Subscribe(ctx)
	defer sub.Close()
	w.setNow()
	ready <- nil
	var ticks <-chan time.Time
	if w.opts.Time != TimeSettle && !w.opts.replay {
		t := time.NewTicker(tick)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case <-ctx.Done():
			w.err = ctx.Err()
			return
		case c := <-w.calls:
			w.catchUp(ctx)
			err := c.fn(w.sim)
			w.changed = w.changed || c.changes
			if w.changed && !w.held && w.opts.Time == TimeSettle {
				w.settle(ctx)
			}
			if !w.held {
				w.changed = false
			}
			w.publish(ctx, sub)
			c.done <- err
		case <-ticks:
			w.catchUp(ctx)
			w.publish(ctx, sub)
		}
	}
}

// catchUp moves virtual time to where the wall clock says it should be
// (real and fast time), running what falls due on the way.
func (w *World) catchUp(ctx context.Context) {
	if w.opts.Time == TimeSettle || w.opts.replay || w.held {
		return
	}
	speed := 1.0
	if w.opts.Time == TimeFast {
		speed = w.opts.Speed
	}
	target := w.epoch.Add(time.Duration(float64(time.Since(w.wall)) * speed))
	if d := target.Sub(w.clk.Now()); d > 0 {
		_ = w.clk.Sleep(ctx, d)
	}
	w.setNow()
}

// settle runs the simulation until nothing is scheduled, in steps of a
// second, for at most SettleLimit.
func (w *World) settle(ctx context.Context) {
	for ran := time.Duration(0); ran < w.opts.SettleLimit && w.clk.Queued() > 0; ran += time.Second {
		if err := w.clk.Sleep(ctx, time.Second); err != nil {
			return
		}
	}
	w.setNow()
}

func (w *World) setNow() {
	w.mu.Lock()
	w.now = w.clk.Now()
	w.mu.Unlock()
}

// Now is the world's virtual time as of its last step.
func (w *World) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// Elapsed is how much virtual time has passed since the world started.
func (w *World) Elapsed() time.Duration { return w.Now().Sub(w.epoch) }

// ErrStopped is what calls get once the world has stopped.
var ErrStopped = errors.New("the simulated swarm has stopped")

// Do runs fn on the world's goroutine, which owns the simulator, and
// returns its error; changes says fn changes the swarm (settle mode then
// runs the simulation on).
func (w *World) Do(ctx context.Context, changes bool, fn func(*sim.Sim) error) error {
	c := call{fn: fn, changes: changes, done: make(chan error, 1)}
	select {
	case w.calls <- c:
	case <-w.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-c.done:
		return err
	case <-w.done:
		return ErrStopped
	}
}

// Request runs fn, one request's calls, at one virtual instant, which it
// returns: requests run one at a time, the clock does not move while one
// runs, and in settle mode a request that changed something runs the
// simulation on once it is done. So a replay that runs the same requests
// at the same instants gets the same answers.
func (w *World) Request(ctx context.Context, fn func()) (time.Time, error) {
	w.reqMu.Lock()
	defer w.reqMu.Unlock()
	var at time.Time
	if err := w.Do(ctx, false, func(*sim.Sim) error { w.held, at = true, w.clk.Now(); return nil }); err != nil {
		return at, err
	}
	release := func() error {
		return w.Do(context.WithoutCancel(ctx), false, func(*sim.Sim) error { w.held = false; return nil })
	}
	defer func() {
		if p := recover(); p != nil {
			_ = release() // a handler that panics must not stop the clock
			panic(p)
		}
	}()
	fn()
	return at, release()
}

// advanceTo runs the simulation on to t (a replay's next request).
func (w *World) advanceTo(ctx context.Context, t time.Time) error {
	return w.Do(ctx, false, func(*sim.Sim) error {
		if d := t.Sub(w.clk.Now()); d > 0 {
			if err := w.clk.Sleep(ctx, d); err != nil {
				return err
			}
		}
		w.setNow()
		return nil
	})
}

// Advance runs the simulation on for d of virtual time (settle mode's
// clock, moved by hand).
func (w *World) Advance(ctx context.Context, d time.Duration) error {
	return w.Do(ctx, false, func(*sim.Sim) error {
		err := w.clk.Sleep(ctx, d)
		w.setNow()
		return err
	})
}

// publish hands the simulator's new events to every watcher; a watcher
// that does not keep up loses events rather than stall the world.
func (w *World) publish(ctx context.Context, sub engine.Subscription) {
	for {
		ev, err := sub.Next(ctx, w.clk.Now())
		if err != nil {
			return
		}
		w.mu.Lock()
		for ch := range w.watches {
			select {
			case ch <- ev:
			default:
			}
		}
		w.mu.Unlock()
	}
}

// Watch returns a channel of the simulator's events from now on, until
// stop is called.
func (w *World) Watch() (events <-chan engine.Event, stop func()) {
	ch := make(chan engine.Event, 4096)
	w.mu.Lock()
	w.watches[ch] = true
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.watches, ch)
		w.mu.Unlock()
	}
}

// Done is closed when the world has stopped.
func (w *World) Done() <-chan struct{} { return w.done }
