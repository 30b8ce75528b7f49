package progress

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/morikuni/aec"
)

func TestStatusText(t *testing.T) {
	tests := []struct {
		s    Status
		want string
	}{
		{Status{Thread: "main", Service: "discourse_example_com_app", State: "updating", Running: 0, Desired: 1,
			Took: 3*time.Minute + 12*time.Second + 400*time.Millisecond, Timeout: 26 * time.Minute},
			"discourse_example_com_app  updating  0/1 running  3m12s / 26m0s"},
		{Status{Thread: "upgrade_b", Service: "b_app", Desired: 2, Timeout: time.Minute},
			"upgrade_b: b_app  waiting  0/2 running  0s / 1m0s"},
	}
	for _, tt := range tests {
		if got := tt.s.Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}

// fakeNow is a wall clock that tests move by hand.
type fakeNow struct{ t time.Time }

func (f *fakeNow) now() time.Time      { return f.t }
func (f *fakeNow) add(d time.Duration) { f.t = f.t.Add(d) }
func st(state string, running int) Status {
	return Status{Service: "s_app", State: state, Running: running, Desired: 1, Timeout: time.Minute}
}
func took(s Status, d time.Duration) Status { s.Took = d; return s }

func TestPlainPrintsOnlyChanges(t *testing.T) {
	var out bytes.Buffer
	p := New(&out, Options{})
	p.Update("c/main", took(st("", 0), 0))
	p.Update("c/main", took(st("", 0), time.Second)) // only time moved
	p.Update("c/main", took(st("updating", 0), 2*time.Second))
	p.Update("c/main", took(st("updating", 1), 3*time.Second))
	p.Update("c/main", took(st("updating", 1), 9*time.Second))
	p.Done("c/")
	p.Update("c/main", took(st("updating", 1), 0)) // a new wait prints again
	want := "wait: s_app  waiting  0/1 running  0s / 1m0s\n" +
		"wait: s_app  updating  0/1 running  2s / 1m0s\n" +
		"wait: s_app  updating  1/1 running  3s / 1m0s\n" +
		"wait: s_app  updating  1/1 running  0s / 1m0s\n"
	if out.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", out.String(), want)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Error("plain output holds escape codes")
	}
}

var (
	up1   = aec.PreviousLine(1).String() + aec.EraseDisplay(aec.EraseModes.Tail).String()
	green = aec.GreenF.String()
)

func TestLiveThrottlesAndRedrawsInPlace(t *testing.T) {
	clk := &fakeNow{t: time.Unix(0, 0)}
	tests := []struct {
		name string
		step func(p *Writer)
		want string // what the step writes
	}{
		{"first update draws", func(p *Writer) { p.Update("c/main", st("updating", 0)) },
			"s_app  updating  0/1 running  0s / 1m0s\n"},
		{"update within the interval waits", func(p *Writer) { clk.add(50 * time.Millisecond); p.Update("c/main", st("updating", 1)) },
			""},
		{"next update after the interval redraws in place", func(p *Writer) {
			clk.add(60 * time.Millisecond)
			p.Update("c/main", took(st("updating", 1), 2*time.Second))
		},
			up1 + "s_app  updating  1/1 running  2s / 1m0s\n"},
		{"clear erases", func(p *Writer) { p.Clear() }, up1},
		{"clear with nothing drawn writes nothing", func(p *Writer) { p.Clear() }, ""},
		{"done with nothing drawn writes nothing", func(p *Writer) { p.Done("c/") }, ""},
	}
	var out bytes.Buffer
	p := New(&out, Options{Live: true, Now: clk.now})
	defer p.Close()
	for _, tt := range tests {
		out.Reset()
		tt.step(p)
		if out.String() != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, out.String(), tt.want)
		}
	}
}

func TestLiveColourWidthAndExtrapolation(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"colour", Options{Color: true}, "s_app  " + aec.Apply("completed", aec.GreenF) + "  1/1 running  10s / 1m0s\n"},
		{"no colour", Options{}, "s_app  completed  1/1 running  10s / 1m0s\n"},
		{"cut to width, uncoloured", Options{Color: true, Width: 12}, "s_app  comp\n"},
		{"extrapolated", Options{Extrapolate: true}, "s_app  completed  1/1 running  15s / 1m0s\n"},
	}
	for _, tt := range tests {
		clk := &fakeNow{t: time.Unix(0, 0)}
		var out bytes.Buffer
		tt.o.Live, tt.o.Now = true, func() time.Time { t := clk.now(); clk.add(5 * time.Second); return t }
		p := New(&out, tt.o)
		p.Update("k", took(st("completed", 1), 10*time.Second))
		out.Reset()
		p.Update("l", st("updating", 0)) // redraws k too, 5s later on the wall clock
		got, _, _ := strings.Cut(strings.TrimPrefix(out.String(), up1), "\n")
		got += "\n"
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if tt.name == "colour" && !strings.Contains(got, green) {
			t.Errorf("%s: no colour code in %q", tt.name, got)
		}
		p.Close()
	}
}

func TestConcurrentUpdatesAndNil(t *testing.T) {
	var out safeBuffer
	p := New(&out, Options{Live: true, Interval: time.Nanosecond, Tick: time.Millisecond})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				p.Update(fmt.Sprintf("c/b%d", i), took(st("updating", j%2), time.Duration(j)*time.Second))
				if j%10 == 0 {
					p.Clear()
				}
			}
			p.Done(fmt.Sprintf("c/b%d", i))
		}()
	}
	wg.Wait()
	p.Close()
	closed := out.Len()
	p.Update("late", st("updating", 0)) // after Close: ignored
	if out.Len() != closed {
		t.Errorf("wrote %q after Close", out.String()[closed:])
	}
	var nilW *Writer
	nilW.Update("k", st("updating", 0))
	nilW.Done("k")
	nilW.Clear()
	nilW.Close()
}

// safeBuffer is a bytes.Buffer safe for the ticker and the test to share.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
func (s *safeBuffer) Len() int       { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Len() }
