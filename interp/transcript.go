package interp

import (
	"encoding/json"
	"fmt"
	"io"
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
type Transcript struct {
	mu     sync.Mutex
	events []Event
	sink   func(Event)
}

// NewTranscript returns a transcript that also hands each event to sink
// (which may be nil) as it is recorded.
func NewTranscript(sink func(Event)) *Transcript { return &Transcript{sink: sink} }

// Add appends an event.
func (t *Transcript) Add(e Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, e)
	if t.sink != nil {
		t.sink(e)
	}
}

// Events returns a copy of the events so far.
func (t *Transcript) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Event(nil), t.events...)
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
