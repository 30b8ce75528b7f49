package clock

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC)

// runThreads starts each fn as a thread and records "name@offset" lines they log.
func runThreads(v *Virtual, fns map[string]func(log func(string))) []string {
	var mu sync.Mutex
	var out []string
	done := v.NewSignal()
	left := len(fns)
	names := make([]string, 0, len(fns))
	for n := range fns {
		names = append(names, n)
	}
	sort.Strings(names) // deterministic start order
	for _, n := range names {
		n, fn := n, fns[n]
		v.Go(func() {
			fn(func(s string) {
				mu.Lock()
				out = append(out, fmt.Sprintf("%s@%s %s", n, v.Elapsed(), s))
				mu.Unlock()
			})
			left--
			done.Notify()
		})
	}
	for left > 0 {
		if err := done.Wait(context.Background(), time.Time{}); err != nil {
			out = append(out, "join: "+err.Error())
			break
		}
	}
	return out
}

func TestVirtualInterleavingIsDeterministic(t *testing.T) {
	for i := 0; i < 20; i++ {
		v := NewVirtual(t0)
		ctx := context.Background()
		out := runThreads(v, map[string]func(func(string)){
			"a": func(log func(string)) {
				for j := 0; j < 3; j++ {
					v.Sleep(ctx, 2*time.Second)
					log("tick")
				}
			},
			"b": func(log func(string)) {
				for j := 0; j < 2; j++ {
					v.Sleep(ctx, 3*time.Second)
					log("tock")
				}
			},
		})
		got := strings.Join(out, "\n")
		want := "a@2s tick\nb@3s tock\na@4s tick\nb@6s tock\na@6s tick" // b set its 6s deadline first
		if got != want {
			t.Fatalf("run %d:\ngot\n%s\nwant\n%s", i, got, want)
		}
	}
}

func TestVirtualSignalAndDeadline(t *testing.T) {
	v := NewVirtual(t0)
	ctx := context.Background()
	s := v.NewSignal()
	v.AfterFunc(5*time.Second, s.Notify)
	if err := s.Wait(ctx, v.Now().Add(10*time.Second)); err != nil {
		t.Fatalf("wait: got %v, want nil", err)
	}
	if got := v.Elapsed(); got != 5*time.Second {
		t.Fatalf("woken at %s, want 5s", got)
	}
	if err := s.Wait(ctx, v.Now().Add(time.Second)); !errors.Is(err, ErrDeadline) {
		t.Fatalf("wait: got %v, want ErrDeadline", err)
	}
	if got := v.Elapsed(); got != 6*time.Second {
		t.Fatalf("deadline at %s, want 6s", got)
	}
	s.Notify() // kept for the next Wait
	if err := s.Wait(ctx, time.Time{}); err != nil {
		t.Fatalf("pending notify lost: %v", err)
	}
}

func TestVirtualDeadlockAndStop(t *testing.T) {
	v := NewVirtual(t0)
	s := v.NewSignal()
	tm := v.AfterFunc(time.Second, s.Notify)
	tm.Stop()
	if err := s.Wait(context.Background(), time.Time{}); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("got %v, want ErrDeadlock", err)
	}
}

func TestVirtualHorizon(t *testing.T) {
	v := NewVirtual(t0)
	v.SetHorizon(time.Hour)
	var tick func()
	tick = func() { v.AfterFunc(30*time.Second, tick) } // a probe that never ends
	tick()
	err := v.NewSignal().Wait(context.Background(), time.Time{})
	if err == nil || !strings.Contains(err.Error(), "passed 1h0m0s") {
		t.Fatalf("got %v, want horizon error", err)
	}
}

func TestVirtualCancel(t *testing.T) {
	v := NewVirtual(t0)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	var tick func()
	tick = func() {
		n++
		if n == 100 {
			cancel()
		}
		v.AfterFunc(time.Second, tick)
	}
	tick()
	if err := v.Sleep(ctx, 1000*time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestRealSignal(t *testing.T) {
	var c Real
	s := c.NewSignal()
	go func() { time.Sleep(10 * time.Millisecond); s.Notify() }()
	if err := s.Wait(context.Background(), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(context.Background(), time.Now().Add(10*time.Millisecond)); !errors.Is(err, ErrDeadline) {
		t.Fatalf("got %v, want ErrDeadline", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

// A deadline of a wait that ended early must not move time when it falls due.
func TestVirtualStaleDeadlineDoesNotMoveTime(t *testing.T) {
	v := NewVirtual(t0)
	s := v.NewSignal()
	v.AfterFunc(time.Second, s.Notify)
	if err := s.Wait(context.Background(), v.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(context.Background(), time.Time{}); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("got %v, want ErrDeadlock", err)
	}
	if got := v.Elapsed(); got != time.Second {
		t.Errorf("clock at %s after the deadlock, want 1s (the stale 1h deadline moved it)", got)
	}
}
