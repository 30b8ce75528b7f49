package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const stack = "st"
const app = "st_app"

// world drives a simulator from the test goroutine, the clock's first
// thread; it records every event with its offset from the epoch.
type world struct {
	tb  testing.TB
	clk *clock.Virtual
	s   *Sim
	ctx context.Context
	sub engine.Subscription
	log []string
}

func newWorld(tb testing.TB, seed int64) *world {
	clk := clock.NewVirtual(epoch)
	s := New(seed, clk)
	ctx := context.Background()
	return &world{tb: tb, clk: clk, s: s, ctx: ctx, sub: s.Subscribe(ctx)}
}

// at is a time as an offset from the epoch.
func at(t time.Time) time.Duration { return t.Sub(epoch) }

// drain reads the events queued so far into the log.
func (w *world) drain() {
	for {
		ev, err := w.sub.Next(w.ctx, w.clk.Now())
		if errors.Is(err, clock.ErrDeadline) {
			return
		}
		if err != nil {
			w.tb.Fatalf("next event: %v", err)
		}
		w.record(ev)
	}
}

func (w *world) record(ev engine.Event) {
	var attrs []string
	for _, k := range slices.Sorted(maps.Keys(ev.Attributes)) {
		attrs = append(attrs, k+"="+ev.Attributes[k])
	}
	w.log = append(w.log, fmt.Sprintf("%s %s %s %s %s", at(ev.Time), ev.Type, ev.Action, ev.Service, strings.Join(attrs, " ")))
}

// deploy deploys services (and faults) as stack st.
func (w *world) deploy(faults map[string][]engine.Fault, specs ...swarm.ServiceSpec) {
	w.tb.Helper()
	st := engine.Stack{Namespace: stack, Services: map[string]swarm.ServiceSpec{}, Faults: faults,
		Secrets: []swarm.SecretSpec{{Annotations: swarm.Annotations{Name: stack + "_secret"}}}}
	for _, sp := range specs {
		st.Services[sp.Name] = sp
	}
	if err := w.s.Deploy(w.ctx, st); err != nil {
		w.tb.Fatalf("deploy: %v", err)
	}
}

// sleep lets d of virtual time pass, logging events.
func (w *world) sleep(d time.Duration) {
	w.tb.Helper()
	deadline := w.clk.Now().Add(d)
	for {
		ev, err := w.sub.Next(w.ctx, deadline)
		if errors.Is(err, clock.ErrDeadline) {
			return
		}
		if err != nil {
			w.tb.Fatalf("next event: %v", err)
		}
		w.record(ev)
	}
}

// until waits (at most limit) for cond on the service, logging events.
func (w *world) until(name string, limit time.Duration, cond func(swarm.Service) bool) swarm.Service {
	w.tb.Helper()
	deadline := w.clk.Now().Add(limit)
	for {
		svc := w.service(name)
		if cond(svc) {
			return svc
		}
		ev, err := w.sub.Next(w.ctx, deadline)
		if err != nil {
			w.tb.Fatalf("waiting on %s at %s: %v; status %+v", name, at(w.clk.Now()), err, svc.UpdateStatus)
		}
		w.record(ev)
	}
}

// untilState waits for the service's UpdateStatus to reach state.
func (w *world) untilState(name string, state swarm.UpdateState, limit time.Duration) swarm.Service {
	w.tb.Helper()
	return w.until(name, limit, func(s swarm.Service) bool {
		return s.UpdateStatus != nil && s.UpdateStatus.State == state
	})
}

// untilRunning waits until n up-to-date tasks run.
func (w *world) untilRunning(name string, n int, limit time.Duration) {
	w.tb.Helper()
	w.until(name, limit, func(swarm.Service) bool { return w.running(name) == n })
}

func (w *world) running(name string) int {
	tasks, err := w.s.Tasks(w.ctx, name, true)
	if err != nil {
		w.tb.Fatalf("tasks: %v", err)
	}
	n := 0
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStateRunning && t.DesiredState == swarm.TaskStateRunning {
			n++
		}
	}
	return n
}

func (w *world) service(name string) swarm.Service {
	w.tb.Helper()
	svc, err := w.s.Service(w.ctx, name)
	if err != nil {
		w.tb.Fatalf("service: %v", err)
	}
	return svc
}

func (w *world) tasks(name string) []swarm.Task {
	w.tb.Helper()
	ts, err := w.s.Tasks(w.ctx, name, false)
	if err != nil {
		w.tb.Fatalf("tasks: %v", err)
	}
	return ts
}

// opt changes a spec.
type opt func(*swarm.ServiceSpec)

// spec is a service spec for st_<short>, labelled with the stack.
func spec(short string, opts ...opt) swarm.ServiceSpec {
	sp := swarm.ServiceSpec{Annotations: swarm.Annotations{Name: stack + "_" + short,
		Labels: map[string]string{engine.NamespaceLabel: stack}}}
	sp.TaskTemplate.ContainerSpec = &swarm.ContainerSpec{Image: "example/app:1"}
	for _, o := range opts {
		o(&sp)
	}
	return sp
}

func label(k, v string) opt { return func(s *swarm.ServiceSpec) { s.Labels[k] = v } }
func img(i string) opt      { return func(s *swarm.ServiceSpec) { s.TaskTemplate.ContainerSpec.Image = i } }
func env(e string) opt {
	return func(s *swarm.ServiceSpec) {
		s.TaskTemplate.ContainerSpec.Env = append(s.TaskTemplate.ContainerSpec.Env, e)
	}
}
func replicas(n uint64) opt {
	return func(s *swarm.ServiceSpec) { s.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n} }
}
func health(interval time.Duration, retries int, startPeriod time.Duration) opt {
	return func(s *swarm.ServiceSpec) {
		s.TaskTemplate.ContainerSpec.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "probe"},
			Interval: interval, Retries: retries, StartPeriod: startPeriod}
	}
}
func update(c swarm.UpdateConfig) opt   { return func(s *swarm.ServiceSpec) { s.UpdateConfig = &c } }
func rollback(c swarm.UpdateConfig) opt { return func(s *swarm.ServiceSpec) { s.RollbackConfig = &c } }

// startFirst is the discourse recipe's update config.
var startFirst = swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionRollback,
	Order: swarm.UpdateOrderStartFirst, Monitor: 5 * time.Second}

// ascending pins the slot order, for tests that follow slots by number.
func ascending(w *world) {
	if err := w.s.SetRace(RaceSlotOrder, "ascending"); err != nil {
		w.tb.Fatal(err)
	}
}
