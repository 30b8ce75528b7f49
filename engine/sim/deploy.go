package sim

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Deploy creates or updates a stack like `docker stack deploy`: external
// networks are checked, missing networks created, secrets and configs
// created or updated (createObjects), then each service (in name order) is
// created, or updated at its current version with controlapi's semantics
// (docs/swarm-semantics.md §4), keeping its ForceUpdate counter. Swarm's refusals stop the deploy
// where the real one stops (docs/refusals.md). Faults attach to the spec this deploy
// writes, so they hit the tasks made from it; memory pressure (keyed by ""
// or a service) raises every node's background memory After the deploy.
func (s *Sim) Deploy(ctx context.Context, st engine.Stack) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if st.Namespace == "" {
		return fmt.Errorf("deploy: empty stack namespace")
	}
	if err := checkFaults(st); err != nil {
		return err
	}
	recs, err := specRecs(st)
	if err != nil {
		return err
	}
	s.lock()
	defer s.unlock()
	s.ensureNodes()
	if err := s.checkExternal(st); err != nil {
		return err
	}
	if err := s.createObjects(st); err != nil {
		return err
	}
	for _, rec := range recs {
		if svc, ok := s.services[rec.spec.Name]; ok {
			rec.spec.TaskTemplate.ForceUpdate = svc.spec.spec.TaskTemplate.ForceUpdate
			s.updateService(svc, rec)
			continue
		}
		if err := checkName("service", rec.spec.Name); err != nil {
			return fmt.Errorf("deploy stack %s: create service %s: %w", st.Namespace, rec.spec.Name, err)
		}
		s.createService(rec.spec.Name, rec)
	}
	s.memoryFaults(st)
	return nil
}

// UpdateService is controlapi's UpdateService of one service at version,
// which must be the service's current one: swarm refuses a stale version
// with "update out of sequence" (docs/refusals.md). Deploy updates at the
// version it just read; this is for callers that read it earlier.
func (s *Sim) UpdateService(ctx context.Context, name string, version swarm.Version, spec swarm.ServiceSpec) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if spec.Name != name {
		return fmt.Errorf("update service %s: spec is named %s", name, spec.Name)
	}
	if err := checkSpec(&spec); err != nil {
		return fmt.Errorf("update %w", err)
	}
	s.lock()
	defer s.unlock()
	svc, ok := s.services[name]
	if !ok {
		return fmt.Errorf("update service %s: %w", name, engine.ErrNotFound)
	}
	if version.Index != svc.version {
		return fmt.Errorf("update service %s at version %d: %s", name, version.Index, errOutOfSequence)
	}
	s.updateService(svc, newRec(&spec, nil))
	return nil
}

// specRecs checks the stack's service specs and makes their records, with
// the faults each new spec carries (memory pressure is node-wide, not the
// spec's). A record holds its own copy of the spec's top level, which the
// simulator sets (Name, ForceUpdate); what the spec points to is the
// caller's, read-only by engine.Engine's contract, and compared as JSON
// (deepcopy.Equal). Copying every spec deeply cost a sixth of an explore
// run.
// The records come in service name order.
func specRecs(st engine.Stack) ([]*specRec, error) {
	var out []*specRec
	for _, name := range slices.Sorted(maps.Keys(st.Services)) {
		spec := ptr(st.Services[name])
		if spec.Name == "" {
			spec.Name = name
		}
		if spec.Name != name {
			return nil, fmt.Errorf("deploy stack %s: service %s: spec is named %s", st.Namespace, name, spec.Name)
		}
		if err := checkSpec(spec); err != nil {
			return nil, fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
		}
		var faults []engine.Fault
		for _, f := range st.Faults[name] {
			if f.Kind != engine.FaultMemory {
				faults = append(faults, f)
			}
		}
		out = append(out, newRec(spec, faults))
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// MaxReplicas is the most replicas the simulator models per service
// (README, Limits). A real swarm takes more, but every simulated slot is a
// task with its own timers, events and memory accounting: measured on two
// cores, 10,000 slots hold about 60 MB and 100,000 about 250 MB within 20
// seconds, and replicas: 10000000 (a typo) reached 3 GB in 7 s. A
// convergence wait inspects every task on each event, so a wait on 400
// replicas took over two minutes; past 10,000 no run would finish.
const MaxReplicas = 10_000

// checkReplicas refuses a replicated service with more than MaxReplicas
// slots, naming the service and its count.
func checkReplicas(spec *swarm.ServiceSpec) error {
	if r := spec.Mode.Replicated; r != nil && r.Replicas != nil && *r.Replicas > MaxReplicas {
		return fmt.Errorf("service %s: %d replicas, more than the simulator models (at most %d per service)",
			spec.Name, *r.Replicas, MaxReplicas)
	}
	return nil
}

// checkSpec refuses what swarm's control API refuses in a spec the
// simulator models (placement constraints), and more replicas than it
// models.
func checkSpec(spec *swarm.ServiceSpec) error {
	if err := checkReplicas(spec); err != nil {
		return err
	}
	if p := spec.TaskTemplate.Placement; p != nil {
		if _, err := parseConstraints(p.Constraints); err != nil {
			return fmt.Errorf("service %s: %w", spec.Name, err)
		}
	}
	return nil
}

// checkFaults refuses faults for services the stack lacks and unknown kinds.
func checkFaults(st engine.Stack) error {
	for _, name := range slices.Sorted(maps.Keys(st.Faults)) {
		if _, ok := st.Services[name]; name != "" && !ok {
			return fmt.Errorf("deploy stack %s: faults for service %s, which the stack does not have", st.Namespace, name)
		}
		for _, f := range st.Faults[name] {
			switch f.Kind {
			case engine.FaultUnhealthy, engine.FaultCrash, engine.FaultKill:
				if name == "" {
					return fmt.Errorf("deploy stack %s: %s fault without a service", st.Namespace, f.Kind)
				}
			case engine.FaultMemory:
				if f.Bytes <= 0 {
					return fmt.Errorf("deploy stack %s: memory_pressure fault of %d bytes, want a positive amount", st.Namespace, f.Bytes)
				}
			default:
				return fmt.Errorf("deploy stack %s: unknown fault kind %q; want %s, %s, %s or %s", st.Namespace, f.Kind,
					engine.FaultUnhealthy, engine.FaultCrash, engine.FaultKill, engine.FaultMemory)
			}
		}
	}
	return nil
}

// memoryFaults schedules the deploy's memory pressure.
func (s *Sim) memoryFaults(st engine.Stack) {
	for _, name := range slices.Sorted(maps.Keys(st.Faults)) {
		for _, f := range st.Faults[name] {
			if f.Kind != engine.FaultMemory {
				continue
			}
			bytes := f.Bytes
			if f.After <= 0 {
				s.raiseLoad(bytes)
				continue
			}
			s.after(f.After, func() { s.raiseLoad(bytes) })
		}
	}
}

// Secrets lists the names of the secrets on the swarm, sorted.
func (s *Sim) Secrets(ctx context.Context) ([]string, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	s.lock()
	defer s.unlock()
	var names []string
	for _, key := range slices.Sorted(maps.Keys(s.objects)) {
		if o := s.objects[key]; o.kind == "secret" {
			names = append(names, o.name)
		}
	}
	return names, nil
}

// Remove removes a stack: its services (their tasks are shut down at once)
// and the networks, secrets and configs it created, those labelled with
// the namespace, whatever their names, as `docker stack rm` finds them
// (engine.Engine). A stack with nothing to remove gives an error wrapping
// engine.ErrNotFound.
func (s *Sim) Remove(ctx context.Context, namespace string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if namespace == "" {
		return fmt.Errorf("remove: empty stack namespace")
	}
	s.lock()
	defer s.unlock()
	found := false
	for _, svc := range s.sortedServices() {
		if svc.spec.spec.Labels[engine.NamespaceLabel] == namespace {
			s.removeService(svc)
			found = true
		}
	}
	for _, key := range slices.Sorted(maps.Keys(s.objects)) {
		if s.objects[key].namespace == namespace {
			delete(s.objects, key)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("remove stack %s: nothing found: %w", namespace, engine.ErrNotFound)
	}
	return nil
}

// removeService deletes svc: its update stops and its containers go.
func (s *Sim) removeService(svc *service) {
	if svc.upd != nil {
		svc.upd.cancel()
	}
	for _, t := range svc.tasks {
		if t.reaped || t.terminal() {
			continue
		}
		t.cancelTimers()
		s.releaseMemory(t)
		t.desired, t.state, t.msg, t.stamp = swarm.TaskStateRemove, swarm.TaskStateShutdown, "shutdown", s.now()
		s.writeTask(t, "update")
	}
	delete(s.services, svc.name)
	s.raft++
	s.emit(engine.Event{Time: s.now(), Type: "service", Action: "remove", Service: svc.name, ID: svc.id,
		Attributes: map[string]string{"name": svc.name}})
	s.observeService(svc, true)
}
