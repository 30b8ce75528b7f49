package docker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// observeBatch is how long the observer gathers events before it looks:
// a rolling update writes in bursts, and one look serves the burst.
const observeBatch = 100 * time.Millisecond

// Observe follows the daemon's events and, after each burst, inspects
// the services they name that were deployed through this engine (a
// shared daemon runs other people's services too) and lists their tasks, reporting what changed
// since it last looked (engine.Observer). A task change carries the
// daemon's own timestamp of the task's state, so its time is exact even
// though the look came later; states a task passed through between two
// looks are not reported. A task's labels are those of the spec that was
// current when it was first seen up to date, else of the spec before it.
// It costs three API calls per service per burst, so it runs only when a
// timeline is asked for. Stopping looks once more at every service seen,
// for up to finalLook: a case often ends right after the change it waited
// for, before the burst that holds it was looked at.
func (e *Engine) Observe(ctx context.Context, watch func(engine.Change)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	sub := e.Subscribe(ctx)
	o := &observer{e: e, watch: watch, tasks: map[string]engine.Change{}, services: map[string]engine.Change{},
		labels: map[string]map[string]string{}, specs: map[string][]seenSpec{}, nodes: map[string]string{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sub.Close()
		o.run(ctx, sub)
		final, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalLook)
		defer cancel()
		names := map[string]bool{}
		for name := range o.services {
			names[name] = true
		}
		for _, name := range e.deployedNames() { // those a burst cut short had named too
			names[name] = true
		}
		o.lookAll(final, slices.Sorted(maps.Keys(names)))
	}()
	return func() { cancel(); <-done }
}

// finalLook bounds the last look when an observer stops.
const finalLook = 5 * time.Second

// observer is what Observe remembers between looks.
type observer struct {
	e        *Engine
	watch    func(engine.Change)
	tasks    map[string]engine.Change     // by task ID, as last reported
	services map[string]engine.Change     // by service name
	labels   map[string]map[string]string // by task ID
	specs    map[string][]seenSpec        // by service name
	nodes    map[string]string            // hostnames by node ID
}

// seenSpec is a service spec the observer saw: what tells its tasks
// apart, and its labels.
type seenSpec struct {
	key    string
	labels map[string]string
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
			if ev.Service != "" && o.e.wasDeployed(ev.Service) {
				burst[ev.Service] = true
			}
			ev, err = sub.Next(ctx, until)
		}
		if ctx.Err() != nil {
			return
		}
		o.lookAll(ctx, slices.Sorted(maps.Keys(burst)))
	}
}

func (o *observer) lookAll(ctx context.Context, names []string) {
	for _, name := range names {
		o.look(ctx, name)
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
// they were made from: the current one when they are up to date with it
// (the daemon's own judgement), else the newest spec seen whose image,
// env, container labels and force-update count the task has (a rollback
// leaves no PreviousSpec to ask), else none.
func (o *observer) noteLabels(svc swarm.Service, current, all []swarm.Task) {
	o.seeSpec(svc.Spec.Name, svc.Spec.TaskTemplate, svc.Spec.Labels)
	if p := svc.PreviousSpec; p != nil {
		o.seeSpec(svc.Spec.Name, p.TaskTemplate, p.Labels)
	}
	upToDate := map[string]bool{}
	for _, t := range current {
		upToDate[t.ID] = true
	}
	for _, t := range all {
		if _, ok := o.labels[t.ID]; ok {
			continue
		}
		o.labels[t.ID] = nil
		if upToDate[t.ID] {
			o.labels[t.ID] = svc.Spec.Labels
			continue
		}
		key := specKey(t.Spec)
		seen := o.specs[svc.Spec.Name]
		for i := len(seen) - 1; i >= 0; i-- {
			if seen[i].key == key {
				o.labels[t.ID] = seen[i].labels
				break
			}
		}
	}
}

// seeSpec remembers a spec of a service, newest last.
func (o *observer) seeSpec(service string, ts swarm.TaskSpec, labels map[string]string) {
	key := specKey(ts)
	seen := o.specs[service]
	if n := len(seen); n > 0 && seen[n-1].key == key && maps.Equal(seen[n-1].labels, labels) {
		return
	}
	o.specs[service] = append(seen, seenSpec{key: key, labels: labels})
}

// specKey is what tells the tasks of two deploys of a stack apart.
func specKey(ts swarm.TaskSpec) string {
	var b strings.Builder
	if c := ts.ContainerSpec; c != nil {
		fmt.Fprintf(&b, "%s\x00%q\x00", c.Image, c.Env)
		for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
			fmt.Fprintf(&b, "%s=%s\x00", k, c.Labels[k])
		}
	}
	fmt.Fprintf(&b, "%d", ts.ForceUpdate)
	return b.String()
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
