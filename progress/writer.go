package progress

import (
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/morikuni/aec"
)

// DefaultInterval is the least wall time between two redraws on a terminal.
const DefaultInterval = 100 * time.Millisecond

// Options say how progress is shown.
type Options struct {
	// Live redraws the lines in place (the output is a terminal); otherwise
	// a plain line is printed when a wait's state changes.
	Live bool
	// Color colours update states (live output only).
	Color bool
	// Width truncates live lines to this many columns (0: no limit).
	Width int
	// Interval is the least wall time between redraws (0: DefaultInterval).
	Interval time.Duration
	// Tick, when set, redraws live lines this often even without news, so
	// the elapsed time moves during a quiet wait.
	Tick time.Duration
	// Extrapolate adds the wall time since the last update to the elapsed
	// time shown: right when the waits run on the wall clock (a real swarm),
	// wrong on the simulator's virtual clock.
	Extrapolate bool
	// Now is the wall clock (default time.Now), for tests.
	Now func() time.Time
}

// Writer shows the status of the waits in progress. It is safe for
// concurrent use; a nil *Writer shows nothing.
type Writer struct {
	mu       sync.Mutex
	w        io.Writer
	o        Options
	waits    map[string]*wait
	drawn    int       // live lines on screen now
	lastDraw time.Time // wall time of the last redraw
	stop     chan struct{}
	closed   bool
}

// wait is one waiting thread's latest status.
type wait struct {
	s       Status
	at      time.Time // wall time of the update
	printed *Status   // plain output: the status last printed
}

// New returns a Writer writing to w. Close it to stop its ticker and erase
// its lines.
func New(w io.Writer, o Options) *Writer {
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p := &Writer{w: w, o: o, waits: map[string]*wait{}, stop: make(chan struct{})}
	if o.Live && o.Tick > 0 {
		go p.tick()
	}
	return p
}

// Update records the status of the wait named key (say, case and thread)
// and shows it: on a terminal at most once per Interval, otherwise as a
// plain line when more than its elapsed time changed.
func (p *Writer) Update(key string, s Status) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	now := p.o.Now()
	wt := p.waits[key]
	if wt == nil {
		wt = &wait{}
		p.waits[key] = wt
	}
	wt.s, wt.at = s, now
	if !p.o.Live {
		if wt.printed == nil || wt.printed.changed(s) {
			io.WriteString(p.w, "wait: "+s.Text()+"\n")
			printed := s
			wt.printed = &printed
		}
		return
	}
	if now.Sub(p.lastDraw) >= p.o.Interval {
		p.redraw(now)
	}
}

// Done ends the waits whose key starts with prefix (a key ends one; a
// case's prefix ends all of its threads'), erasing their lines.
func (p *Writer) Done(prefix string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.waits)
	for k := range p.waits {
		if strings.HasPrefix(k, prefix) {
			delete(p.waits, k)
		}
	}
	if !p.o.Live || len(p.waits) == n || p.drawn == 0 {
		return
	}
	if now := p.o.Now(); now.Sub(p.lastDraw) >= p.o.Interval {
		p.redraw(now)
	} else {
		p.erase() // no finished wait stays on screen; the rest come back soon
	}
}

// Clear erases the live lines so that other output can be printed; they
// come back with the next update or tick.
func (p *Writer) Clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
}

// Close stops the ticker and erases the live lines.
func (p *Writer) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.stop)
		p.erase()
	}
}

// tick redraws every Tick until Close.
func (p *Writer) tick() {
	t := time.NewTicker(p.o.Tick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if len(p.waits) > 0 {
				p.redraw(p.o.Now())
			}
			p.mu.Unlock()
		}
	}
}

// erase moves up over the live lines and erases to the end of the screen.
func (p *Writer) erase() {
	if p.drawn == 0 {
		return
	}
	io.WriteString(p.w, aec.PreviousLine(uint(p.drawn)).String()+aec.EraseDisplay(aec.EraseModes.Tail).String())
	p.drawn = 0
}

// redraw replaces the live lines by the current statuses, in key order.
func (p *Writer) redraw(now time.Time) {
	keys := make([]string, 0, len(p.waits))
	for k := range p.waits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	if p.drawn > 0 {
		b.WriteString(aec.PreviousLine(uint(p.drawn)).String() + aec.EraseDisplay(aec.EraseModes.Tail).String())
	}
	for _, k := range keys {
		b.WriteString(p.line(p.waits[k], now))
		b.WriteByte('\n')
	}
	io.WriteString(p.w, b.String())
	p.drawn, p.lastDraw = len(keys), now
}

// line renders one live line, cut to the width (uncoloured when cut).
func (p *Writer) line(wt *wait, now time.Time) string {
	took := wt.s.Took
	if p.o.Extrapolate {
		took = min(took+now.Sub(wt.at), max(wt.s.Timeout, took))
	}
	text := wt.s.render(took, false)
	if p.o.Width > 0 && len(text) >= p.o.Width {
		return text[:p.o.Width-1]
	}
	return wt.s.render(took, p.o.Color)
}
