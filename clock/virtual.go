package clock

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrDeadlock is returned to a waiting thread when every thread waits and
// nothing is scheduled that could wake one.
var ErrDeadlock = errors.New("deadlock: every thread is waiting and nothing is scheduled")

// DefaultHorizon bounds how far a Virtual clock runs while threads wait, so a
// wait with no end fails instead of spinning through simulated years.
const DefaultHorizon = 30 * 24 * time.Hour

// Virtual is a discrete-event clock. Time moves only when every thread is
// blocked: the clock then runs the earliest scheduled callback or wakes the
// earliest deadline. Threads run one at a time, in the order they became
// runnable, so a program on a Virtual clock is deterministic.
//
// The goroutine that creates the clock is its first thread. Only the running
// thread (or a callback the clock runs) may call Sleep, Wait or AfterFunc.
type Virtual struct {
	mu      sync.Mutex
	now     time.Time
	start   time.Time
	horizon time.Duration
	seq     uint64
	queue   eventQueue
	runq    []*vthread
	parked  []*vthread
	running *vthread
}

type vthread struct {
	wake   chan struct{}
	waitID uint64
	parked bool
	result error
	ctx    context.Context
	sig    *vsignal
	until  event // the deadline of the current wait (index ≥ 0 while queued)
}

// NewVirtual returns a virtual clock reading start, whose calling goroutine
// is the running thread.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start, start: start, horizon: DefaultHorizon, running: newThread()}
}

func newThread() *vthread { return &vthread{wake: make(chan struct{}, 1)} }

// SetHorizon changes how far past its start the clock may run (see DefaultHorizon).
func (v *Virtual) SetHorizon(d time.Duration) { v.mu.Lock(); v.horizon = d; v.mu.Unlock() }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Elapsed is the virtual time since the clock was created.
func (v *Virtual) Elapsed() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now.Sub(v.start)
}

// Sleep blocks the running thread for d of virtual time.
func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	v.mu.Lock()
	if err := ctx.Err(); err != nil {
		v.mu.Unlock()
		return err
	}
	err := v.block(ctx, nil, v.now.Add(d))
	if err == ErrDeadline {
		return nil
	}
	return err
}

// Go starts fn as a new thread; it first runs when the caller blocks.
func (v *Virtual) Go(fn func()) {
	t := newThread()
	v.mu.Lock()
	v.runq = append(v.runq, t)
	v.mu.Unlock()
	go func() {
		<-t.wake
		defer v.exit()
		fn()
	}()
}

// Timer is a callback scheduled with AfterFunc: its queued event itself,
// so a timer costs one allocation.
type Timer event

// Stop cancels the callback if it has not run yet.
func (t *Timer) Stop() {
	if t == nil || t.v == nil {
		return
	}
	ev := (*event)(t)
	t.v.mu.Lock()
	ev.cancelled = true
	if i := ev.index; i >= 0 {
		// Out of the queue now, not when it would have been due: a queue
		// of stopped timers makes every later push and pop dearer.
		heap.Remove(&t.v.queue, i)
	}
	t.v.mu.Unlock()
}

// AfterFunc schedules fn to run after d of virtual time, at a moment when no
// thread is running. Callbacks due at the same time run in the order they
// were scheduled.
func (v *Virtual) AfterFunc(d time.Duration, fn func()) *Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d < 0 {
		d = 0
	}
	ev := &event{v: v, at: v.now.Add(d), fn: fn}
	v.push(ev)
	return (*Timer)(ev)
}

// NewSignal returns a Signal whose waiters are scheduled by this clock.
func (v *Virtual) NewSignal() Signal { return &vsignal{v: v} }

// block parks the running thread until ready is called for it. It is called
// with v.mu held and returns with it released.
func (v *Virtual) block(ctx context.Context, sig *vsignal, deadline time.Time) error {
	t := v.running
	if t == nil {
		v.mu.Unlock()
		panic("clock: Sleep or Wait called outside a thread of this virtual clock")
	}
	t.waitID++
	t.parked, t.ctx, t.sig, t.result = true, ctx, sig, nil
	v.parked = append(v.parked, t)
	if !deadline.IsZero() {
		// The thread's own event, reused by every wait: ready takes it
		// out of the queue before the thread can wait again.
		t.until = event{at: deadline, t: t, waitID: t.waitID}
		v.push(&t.until)
	}
	v.dispatch()
	<-t.wake
	return t.result
}

// exit ends the running thread and hands over to the next one.
func (v *Virtual) exit() {
	v.mu.Lock()
	v.running = nil
	v.dispatch()
}

// dispatch picks the next thread to run, advancing time as needed. It is
// called with v.mu held and releases it.
func (v *Virtual) dispatch() {
	for {
		if len(v.runq) > 0 {
			next := v.runq[0]
			v.runq = v.runq[1:]
			v.running = next
			next.wake <- struct{}{}
			v.mu.Unlock()
			return
		}
		if len(v.parked) == 0 {
			v.running = nil
			v.mu.Unlock()
			return
		}
		if v.wakeCancelled() {
			continue
		}
		if v.queue.Len() == 0 {
			v.ready(v.parked[0], ErrDeadlock)
			continue
		}
		ev := heap.Pop(&v.queue).(*event)
		if ev.cancelled || (ev.t != nil && (!ev.t.parked || ev.t.waitID != ev.waitID)) {
			continue // a stopped timer, or the deadline of a wait that has ended
		}
		if ev.at.After(v.now) {
			v.now = ev.at
		}
		if v.now.Sub(v.start) > v.horizon {
			v.wakeAll(fmt.Errorf("virtual clock passed %s with threads still waiting", v.horizon))
			continue
		}
		if ev.t != nil {
			v.ready(ev.t, ErrDeadline)
			continue
		}
		v.running = nil
		v.mu.Unlock()
		ev.fn()
		v.mu.Lock()
	}
}

// wakeCancelled makes every parked thread whose context is done runnable.
func (v *Virtual) wakeCancelled() bool {
	if !slices.ContainsFunc(v.parked, func(t *vthread) bool { return t.ctx.Err() != nil }) {
		return false
	}
	woke := false
	for _, t := range slices.Clone(v.parked) {
		if err := t.ctx.Err(); err != nil {
			v.ready(t, err)
			woke = true
		}
	}
	return woke
}

func (v *Virtual) wakeAll(err error) {
	for _, t := range append([]*vthread(nil), v.parked...) {
		v.ready(t, err)
	}
}

// ready makes a parked thread runnable with the given wait result.
func (v *Virtual) ready(t *vthread, err error) {
	if !t.parked {
		return
	}
	t.parked, t.result = false, err
	if t.until.t != nil {
		if i := t.until.index; i >= 0 {
			heap.Remove(&v.queue, i) // woken before its deadline
		}
		t.until = event{index: -1}
	}
	if t.sig != nil {
		t.sig.waiters = remove(t.sig.waiters, t)
		t.sig = nil
	}
	v.parked = remove(v.parked, t)
	v.runq = append(v.runq, t)
}

func remove(ts []*vthread, t *vthread) []*vthread {
	for i, x := range ts {
		if x == t {
			return append(ts[:i:i], ts[i+1:]...)
		}
	}
	return ts
}

func (v *Virtual) push(ev *event) {
	v.seq++
	ev.seq, ev.when = v.seq, ev.at.UnixNano()
	heap.Push(&v.queue, ev)
}

type vsignal struct {
	v       *Virtual
	pending bool
	waiters []*vthread
}

func (s *vsignal) Notify() {
	s.v.mu.Lock()
	defer s.v.mu.Unlock()
	if len(s.waiters) == 0 {
		s.pending = true
		return
	}
	for _, t := range append([]*vthread(nil), s.waiters...) {
		s.v.ready(t, nil)
	}
}

func (s *vsignal) Wait(ctx context.Context, deadline time.Time) error {
	s.v.mu.Lock()
	if s.pending {
		s.pending = false
		s.v.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		s.v.mu.Unlock()
		return err
	}
	s.waiters = append(s.waiters, s.v.running)
	return s.v.block(ctx, s, deadline)
}

type event struct {
	v         *Virtual // set for AfterFunc's timers
	at        time.Time
	seq       uint64
	when      int64 // at in Unix nanoseconds, for the queue's order
	index     int   // position in the queue; -1 once out of it
	fn        func()
	t         *vthread
	waitID    uint64
	cancelled bool
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].when != q[j].when {
		return q[i].when < q[j].when
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *eventQueue) Push(x any) {
	ev := x.(*event)
	ev.index = len(*q)
	*q = append(*q, ev)
}
func (q *eventQueue) Pop() any {
	old := *q
	ev := old[len(old)-1]
	old[len(old)-1] = nil
	ev.index = -1
	*q = old[:len(old)-1]
	return ev
}

// Queued is how many callbacks and deadlines the clock holds: stopped
// timers and the deadlines of ended waits are not counted, since they
// leave the queue at once.
func (v *Virtual) Queued() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.queue.Len()
}
