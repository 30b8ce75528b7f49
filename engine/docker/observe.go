package docker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// observeBatch is how long the observer gathers events before it looks:
// a rolling update writes in bursts, and one look serves the burst.
const observeBatch = 100 * time.Millisecond

// Observe follows the daemon's events and, after each burst, inspects
// the services they name and lists their tasks, reporting what changed
// since it last looked (engine.Observer). A task change carries the
// daemon's own timestamp of the task's state, so its time is exact even
// though the look came later; states a task passed through between two
// looks are not reported. A task's labels are those of the spec that was
// current when it was first seen up to date, else of the spec before it.
// It costs three API calls per service per burst, so it runs only when a
// timeline is asked for.
func (e *Engine) Observe(ctx context.Context, watch func(engine.Change)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	sub := e.Subscribe(ctx)
	o := &observer{e: e, watch: watch, tasks: map[string]engine.Change{}, services: map[string]engine.Change{},
		labels: map[string]map[string]string{}, nodes: map[string]string{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sub.Close()
		o.run(ctx, sub)
	}()
	return func() { cancel(); <-done }
}

// observer is what Observe remembers between looks.
type observer struct {
	e        *Engine
	watch    func(engine.Change)
	tasks    map[string]engine.Change // by task ID, as last reported
	services map[string]engine.Change // by service name
	labels   map[string]map[string]string
	nodes    map[string]string // hostnames by node ID
}

// run reads events until ctx ends, looking at the services of each burst.
func (o *observer) run(ctx context.Context, sub engine.Subscription) {
	for {
		ev, err := sub.Next(ctx, time.Time{})
		if err != nil {
			return
		}
		burst := map[string]bool{}
		until := time.Now().Add(observeBatch)
		for err == nil {
			if ev.Service != "" {
				burst[ev.Service] = true
			}
			ev, err = sub.Next(ctx, until)
		}
		if ctx.Err() != nil {
			return
		}
		names := make([]string, 0, len(burst))
		for name := range burst {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			o.look(ctx, name)
		}
	}
}

// look inspects one service and its tasks and reports what changed. A
// service change carries the time of the service's last write (each
// change of its update state is one); a removal, the time it was seen.
func (o *observer) look(ctx context.Context, name string) {
	svc, err := o.e.Service(ctx, name)
	if errors.Is(err, engine.ErrNotFound) {
		if last, ok := o.services[name]; ok && !last.Removed {
			o.service(engine.Change{Time: time.Now(), Service: name, Labels: last.Labels, Removed: true})
		}
		return
	}
	if err != nil {
		return
	}
	ch := engine.Change{Time: o.e.localTime(svc.UpdatedAt), Service: name, Labels: svc.Spec.Labels}
	if st := svc.UpdateStatus; st != nil {
		ch.UpdateState, ch.Message = string(st.State), st.Message
	}
	o.service(ch)
	all, err := o.e.Tasks(ctx, name, false)
	if err != nil {
		return
	}
	current, err := o.e.Tasks(ctx, name, true)
	if err != nil {
		return
	}
	o.noteLabels(svc, current, all)
	var changes []engine.Change
	for _, t := range all {
		c := engine.Change{Time: o.e.localTime(t.Status.Timestamp), Service: name, Task: t.ID, Slot: t.Slot,
			Node: o.hostname(ctx, t.NodeID), State: string(t.Status.State), Desired: string(t.DesiredState),
			Err: t.Status.Err, Labels: o.labels[t.ID]}
		if last, ok := o.tasks[t.ID]; ok && last.State == c.State && last.Desired == c.Desired && last.Node == c.Node && last.Err == c.Err {
			continue
		}
		o.tasks[t.ID] = c
		changes = append(changes, c)
	}
	slices.SortStableFunc(changes, func(a, b engine.Change) int { return a.Time.Compare(b.Time) })
	for _, c := range changes {
		o.watch(c)
	}
}

// service reports a service change unless it repeats the last one.
func (o *observer) service(ch engine.Change) {
	if last, ok := o.services[ch.Service]; ok && last.UpdateState == ch.UpdateState && last.Message == ch.Message && last.Removed == ch.Removed {
		return
	}
	o.services[ch.Service] = ch
	o.watch(ch)
}

// noteLabels gives tasks seen for the first time the labels of the spec
// they were made from: the current one when they are up to date with it,
// else the previous one.
func (o *observer) noteLabels(svc swarm.Service, current, all []swarm.Task) {
	upToDate := map[string]bool{}
	for _, t := range current {
		upToDate[t.ID] = true
	}
	for _, t := range all {
		if _, ok := o.labels[t.ID]; ok {
			continue
		}
		switch {
		case upToDate[t.ID]:
			o.labels[t.ID] = svc.Spec.Labels
		case svc.PreviousSpec != nil:
			o.labels[t.ID] = svc.PreviousSpec.Labels
		default:
			o.labels[t.ID] = nil
		}
	}
}

// hostname names a node by its hostname, looked up once.
func (o *observer) hostname(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if h, ok := o.nodes[id]; ok {
		return h
	}
	n, _, err := o.e.cli.NodeInspectWithRaw(ctx, id)
	if err != nil {
		return id
	}
	o.nodes[id] = n.Description.Hostname
	return n.Description.Hostname
}
