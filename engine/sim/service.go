package sim

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/deepcopy"
	"github.com/coop-cloud/chaosrun/engine"
)

// specRec is one spec written to a service. It is never changed once
// written; tasks point at the record they were made from, so a task is
// clean when it points at the service's current record (swarmkit compares
// SpecVersion first, docs/swarm-semantics.md §5).
type specRec struct {
	spec   *swarm.ServiceSpec
	faults []engine.Fault  // injected into every task made from this spec
	killed map[uint64]bool // slots whose first task already got a kill fault
	// constraints are the spec's placement constraints, parsed (checked
	// by checkSpec before the record is made).
	constraints []constraint

	// Shared read-only forms handed to callers, made on first use:
	// copying the spec on every inspection dominated simulated runs.
	inspected *swarm.ServiceSpec // with swarm's defaults inserted (Spec)
	previous  *swarm.ServiceSpec // API form (PreviousSpec)
	taskSpec  *swarm.TaskSpec
	// dirtyFor remembers dirty's answer for tasks of this record against
	// another record; both never change.
	dirtyFor map[*specRec]bool
}

// inspectForm is the spec as Service shows it; callers must not change it.
func (r *specRec) inspectForm() *swarm.ServiceSpec {
	if r.inspected == nil {
		r.inspected = insertDefaults(r.copy())
	}
	return r.inspected
}

// previousForm is the spec as PreviousSpec shows it; callers must not change it.
func (r *specRec) previousForm() *swarm.ServiceSpec {
	if r.previous == nil {
		r.previous = apiForm(r.copy())
	}
	return r.previous
}

// taskForm is the task spec as Tasks shows it; callers must not change it.
func (r *specRec) taskForm() swarm.TaskSpec {
	if r.taskSpec == nil {
		r.taskSpec = ptr(deepcopy.Of(r.spec.TaskTemplate))
	}
	return *r.taskSpec
}

// service is the store's service object.
type service struct {
	id, name   string
	spec, prev *specRec
	status     *swarm.UpdateStatus // replaced, never changed, on write
	version    uint64
	created    time.Time
	updated    time.Time
	tasks      []*task // live and historic tasks, in creation order
	upd        *updater
	restarts   map[uint64][]time.Time // restart history per slot (for MaxAttempts)
	idx        index                  // kept current on every task write (index.go)
}

// newRec records a spec (already a private copy, never changed again) with
// its faults.
func newRec(spec *swarm.ServiceSpec, faults []engine.Fault) *specRec {
	r := &specRec{spec: spec, faults: faults, killed: map[uint64]bool{}}
	if p := spec.TaskTemplate.Placement; p != nil {
		r.constraints, _ = parseConstraints(p.Constraints)
	}
	return r
}

// copy returns a private copy of the record's spec, as a JSON round trip
// through the Engine API would make it (deepcopy).
func (r *specRec) copy() *swarm.ServiceSpec { return ptr(deepcopy.Of(*r.spec)) }

// sameSpec is swarmkit Supervisor.Update's test for "an update already
// works towards this goal" (reflect.DeepEqual of the specs, docs/swarm-semantics.md §5), on the
// specs as the Engine API delivers them (deepcopy.Equal).
func sameSpec(a, b *specRec) bool {
	return a == b || deepcopy.Equal(a.spec, b.spec)
}

// replicaCount is a replicated service's slot count: Replicas (nil means 1).
// A global service's slots are its eligible nodes (reconcileGlobal).
func replicaCount(svc *service) int {
	if m := svc.spec.spec.Mode; m.Replicated != nil && m.Replicated.Replicas != nil {
		return int(*m.Replicated.Replicas)
	}
	return 1
}

func image(r *specRec) string {
	if r == nil || r.spec.TaskTemplate.ContainerSpec == nil {
		return ""
	}
	return r.spec.TaskTemplate.ContainerSpec.Image
}

func replicaAttr(r *specRec) string {
	if r == nil || r.spec.Mode.Replicated == nil {
		return ""
	}
	if n := r.spec.Mode.Replicated.Replicas; n != nil {
		return fmt.Sprint(*n)
	}
	return "1"
}

func stateOf(st *swarm.UpdateStatus) string {
	if st == nil {
		return ""
	}
	return string(st.State)
}

// createService writes a new service and lets the orchestrator start it.
func (s *Sim) createService(name string, rec *specRec) *service {
	s.raft++
	now := s.now()
	svc := &service{id: s.objectID("service", name), name: name, spec: rec, version: s.raft, created: now, updated: now,
		restarts: map[uint64][]time.Time{}, idx: newIndex()}
	s.services[name] = svc
	s.emit(engine.Event{Time: now, Type: "service", Action: "create", Service: name, ID: svc.id,
		Attributes: map[string]string{"name": name}})
	s.observeService(svc, false)
	s.post(func() { s.reconcile(svc) })
	return svc
}

// updateService is controlapi.UpdateService for a normal update (docs/swarm-semantics.md §4):
// PreviousSpec ← Spec, Spec ← rec, UpdateStatus ← nil, on every call, even
// with an identical spec. The orchestrator then reconciles.
func (s *Sim) updateService(svc *service, rec *specRec) {
	s.writeService(svc, func() {
		svc.prev, svc.spec, svc.status = svc.spec, rec, nil
	})
	s.post(func() { s.reconcile(svc) })
}

// writeService applies change to svc as one store write: it bumps the
// version and UpdatedAt and emits the Engine's service update event with
// the attributes of docs/swarm-semantics.md §16.
func (s *Sim) writeService(svc *service, change func()) {
	oldSpec, oldState := svc.spec, stateOf(svc.status)
	change()
	if svc.spec != oldSpec {
		s.recountAll(svc)
	}
	s.raft++
	svc.version = s.raft
	svc.updated = s.now()
	attrs := map[string]string{"name": svc.name}
	if a, b := image(oldSpec), image(svc.spec); a != b {
		attrs["image.old"], attrs["image.new"] = a, b
	}
	if a, b := replicaAttr(oldSpec), replicaAttr(svc.spec); a != b {
		attrs["replicas.old"], attrs["replicas.new"] = a, b
	}
	switch newState := stateOf(svc.status); {
	case newState != "" && oldState == "":
		attrs["updatestate.new"] = newState
	case newState != "" && newState != oldState:
		attrs["updatestate.old"], attrs["updatestate.new"] = oldState, newState
	}
	s.emit(engine.Event{Time: svc.updated, Type: "service", Action: "update", Service: svc.name,
		ID: svc.id, Attributes: attrs})
	s.observeService(svc, false)
}

// setStatus writes a new UpdateStatus (and possibly a spec change) to svc.
func (s *Sim) setStatus(svc *service, st swarm.UpdateStatus, change func()) {
	s.writeService(svc, func() {
		svc.status = &st
		if change != nil {
			change()
		}
	})
}

// Service inspects one service by full name, shaped as the Engine returns
// it to `docker service inspect` (insertDefaults: Spec with swarm's
// defaults filled in, PreviousSpec as stored).
func (s *Sim) Service(ctx context.Context, name string) (swarm.Service, error) {
	if err := checkCtx(ctx); err != nil {
		return swarm.Service{}, err
	}
	s.lock()
	defer s.unlock()
	svc, ok := s.services[name]
	if !ok {
		return swarm.Service{}, fmt.Errorf("service %s: %w", name, engine.ErrNotFound)
	}
	return apiService(svc, true), nil
}

// sortedServices lists the services by name.
func (s *Sim) sortedServices() []*service {
	names := slices.Sorted(maps.Keys(s.services))
	out := make([]*service, len(names))
	for i, n := range names {
		out[i] = s.services[n]
	}
	return out
}
