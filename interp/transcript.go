package interp

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one thing that happened during a case.
type Event struct {
	// At is the offset from the case start on the case's clock.
	At time.Duration
	// Thread names the Starlark thread ("main", or a parallel branch).
	Thread string
	// Kind says what happened: print, deploy, checkout, verdict, ...
	Kind string
	// Msg is the one-line human text.
	Msg string
	// Fields carry the structured detail, for JSON output.
	Fields map[string]string
}

// Text renders the event in the golden transcript format:
//
//	[+1m30s] main deploy: discourse_example_com chaos-version=eb96de94+U
func (e Event) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[+%s] %s %s", FormatOffset(e.At), e.Thread, e.Kind)
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

// FormatOffset renders a duration with millisecond precision and no
// trailing zeros ("0s", "1.5s", "20m0.25s").
func FormatOffset(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// Transcript is the ordered record of a case. It is safe for concurrent use.
//
// A loop that records the same events over and over (a polling loop of
// sleeps, say) is folded: once a run of one to maxFoldPeriod events has
// been recorded twice in a row, further repetitions are counted, not kept,
// and a "repeat" event says how many there were and when the last ended.
type Transcript struct {
	mu     sync.Mutex
	events []Event
	sink   func(Event)
	fold   *fold
}

// maxFoldPeriod is the longest run of events that folding recognises.
const maxFoldPeriod = 4

// fold is a repetition being counted: the last period events of the
// transcript, repeated count more times, the last ending at last; pending
// holds the start of a repetition not yet complete.
type fold struct {
	period  int
	count   int
	last    time.Duration
	pending []Event
}

// NewTranscript returns a transcript that also hands each event to sink
// (which may be nil) as it is recorded.
func NewTranscript(sink func(Event)) *Transcript { return &Transcript{sink: sink} }

// Add appends an event, or counts it in a repetition.
func (t *Transcript) Add(e Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.record(e)
}

// record is Add with the lock held.
func (t *Transcript) record(e Event) {
	if f := t.fold; f != nil {
		if sameEvent(e, t.events[len(t.events)-f.period+len(f.pending)]) {
			f.pending = append(f.pending, e)
			if len(f.pending) == f.period {
				f.count, f.last, f.pending = f.count+1, e.At, nil
			}
			return
		}
		t.endFold()
	}
	t.add(e)
}

// add appends e and starts a fold when it completes a second copy.
func (t *Transcript) add(e Event) {
	t.events = append(t.events, e)
	if t.sink != nil {
		t.sink(e)
	}
	n := len(t.events)
	for p := 1; p <= maxFoldPeriod && 2*p <= n; p++ {
		if sameEvents(t.events[n-2*p:n-p], t.events[n-p:]) {
			t.fold = &fold{period: p}
			return
		}
	}
}

// endFold records what the fold counted and the repetition it had begun.
func (t *Transcript) endFold() {
	f := t.fold
	t.fold = nil
	if f.count > 0 {
		t.events = append(t.events, f.summary(t.events[len(t.events)-1]))
		if t.sink != nil {
			t.sink(t.events[len(t.events)-1])
		}
	}
	for _, e := range f.pending {
		t.record(e)
	}
}

// summary is the repeat event of a fold whose repeated run ends with last.
func (f *fold) summary(last Event) Event {
	what := "the last event"
	if f.period > 1 {
		what = fmt.Sprintf("the last %d events", f.period)
	}
	times := "times"
	if f.count == 1 {
		times = "time"
	}
	return Event{At: f.last, Thread: last.Thread, Kind: "repeat",
		Msg:    fmt.Sprintf("%s repeated %d more %s, until +%s", what, f.count, times, FormatOffset(f.last)),
		Fields: map[string]string{"period": strconv.Itoa(f.period), "count": strconv.Itoa(f.count)}}
}

// Flush ends a fold in progress, so the sink sees its repeat event; the
// case calls it when it ends.
func (t *Transcript) Flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fold != nil {
		t.endFold()
	}
}

func sameEvent(a, b Event) bool {
	return a.Thread == b.Thread && a.Kind == b.Kind && a.Msg == b.Msg && maps.Equal(a.Fields, b.Fields)
}

func sameEvents(a, b []Event) bool {
	for i := range a {
		if !sameEvent(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Events returns a copy of the events so far, a fold in progress included
// as it will be recorded.
func (t *Transcript) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	events := append([]Event(nil), t.events...)
	if f := t.fold; f != nil {
		if f.count > 0 {
			events = append(events, f.summary(events[len(events)-1]))
		}
		events = append(events, f.pending...)
	}
	return events
}

// Text renders the whole transcript, one event per line.
func (t *Transcript) Text() string {
	var b strings.Builder
	for _, e := range t.Events() {
		b.WriteString(e.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// jsonEvent is the JSON-lines shape of an event.
type jsonEvent struct {
	Type   string            `json:"type"`
	File   string            `json:"file,omitempty"`
	Case   string            `json:"case"`
	At     float64           `json:"at"`
	Thread string            `json:"thread"`
	Kind   string            `json:"kind"`
	Msg    string            `json:"msg,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// JSONSink returns a sink that writes each event of the named case as one
// JSON line to w, at once, so a crash leaves a valid prefix.
func JSONSink(w io.Writer, file, caseName string) func(Event) {
	var mu sync.Mutex
	return func(e Event) {
		line, _ := json.Marshal(jsonEvent{Type: "event", File: file, Case: caseName, At: e.At.Seconds(),
			Thread: e.Thread, Kind: e.Kind, Msg: e.Msg, Fields: e.Fields})
		mu.Lock()
		defer mu.Unlock()
		w.Write(append(line, '\n')) // one unbuffered write per event
	}
}
