package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The Engine API's object calls, for `chaosrun sim serve` (docs/serve.md):
// services by ID, name or ID prefix, one at a time, and the swarm's
// secrets, configs and networks as objects with IDs and versions. They are
// not part of engine.Engine, whose deploys are stack-wide.

// KeyIDs makes the IDs of services, secrets, configs and networks created
// from now on a function of the seed, the object's kind and its name, not
// draws from the seeded source: a client that creates objects in an order
// of its own (docker stack deploy ranges over a Go map) gets the same IDs
// whatever the order.
func (s *Sim) KeyIDs(seed int64) {
	s.lock()
	defer s.unlock()
	s.idKey = &seed
}

// objectID is the ID of a new object of kind named name.
func (s *Sim) objectID(kind, name string) string {
	if s.idKey == nil {
		return s.newID()
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s", *s.idKey, kind, name)
	x := h.Sum64()
	var b [25]byte
	for i := range b {
		b[i] = idAlphabet[x%uint64(len(idAlphabet))]
		x = x*6364136223846793005 + 1442695040888963407
	}
	return string(b[:])
}

// lookupService finds a service as dockerd does: by full ID, by name, or
// by an ID prefix that names one service.
func (s *Sim) lookupService(ref string) (*service, error) {
	if svc, ok := s.services[ref]; ok {
		return svc, nil
	}
	var found *service
	for _, svc := range s.sortedServices() {
		if svc.id == ref {
			return svc, nil
		}
		if ref != "" && strings.HasPrefix(svc.id, ref) {
			if found != nil {
				return nil, refusal(ErrInvalid, "service %s is ambiguous (%s and %s match)", ref, found.id, svc.id)
			}
			found = svc
		}
	}
	if found == nil {
		return nil, fmt.Errorf("service %s not found: %w", ref, engine.ErrNotFound)
	}
	return found, nil
}

// apiService is svc as the Engine API shows it: Spec with swarm's
// defaults inserted when insertDefaults (inspect's ?insertDefaults=true),
// else as stored; PreviousSpec as stored.
func apiService(svc *service, insertDefaults bool) swarm.Service {
	out := swarm.Service{ID: svc.id}
	out.Version.Index = svc.version
	out.CreatedAt, out.UpdatedAt = svc.created, svc.updated
	if insertDefaults {
		out.Spec = *svc.spec.inspectForm()
	} else {
		out.Spec = *svc.spec.previousForm()
	}
	if svc.prev != nil {
		out.PreviousSpec = svc.prev.previousForm()
	}
	out.UpdateStatus = svc.status // replaced, never changed: shared read-only
	ep := swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP}
	if e := out.Spec.EndpointSpec; e != nil {
		ep = *e // its Ports are the shared form's, read-only
	}
	out.Endpoint = swarm.Endpoint{Spec: ep}
	return out
}

// ServiceByRef inspects a service named by ID, name or ID prefix.
func (s *Sim) ServiceByRef(ctx context.Context, ref string, insertDefaults bool) (swarm.Service, error) {
	if err := checkCtx(ctx); err != nil {
		return swarm.Service{}, err
	}
	s.lock()
	defer s.unlock()
	svc, err := s.lookupService(ref)
	if err != nil {
		return swarm.Service{}, err
	}
	return apiService(svc, insertDefaults), nil
}

// ListServices lists every service by name, specs as stored, with the
// running and desired task counts of the API's ?status=true.
func (s *Sim) ListServices(ctx context.Context) ([]swarm.Service, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	s.lock()
	defer s.unlock()
	var out []swarm.Service
	for _, svc := range s.sortedServices() {
		api := apiService(svc, false)
		running, desired := 0, 0
		for _, t := range svc.tasks {
			if !t.reaped && t.desired == swarm.TaskStateRunning {
				desired++
				if t.state == swarm.TaskStateRunning {
					running++
				}
			}
		}
		if r := svc.spec.spec.Mode.Replicated; r != nil && r.Replicas != nil {
			desired = int(*r.Replicas)
		}
		api.ServiceStatus = &swarm.ServiceStatus{RunningTasks: uint64(running), DesiredTasks: uint64(desired)}
		out = append(out, api)
	}
	return out, nil
}

// CreateService is controlapi's CreateService of one service: the name
// must be valid and free; it returns the new service's ID. faults go into
// every task made from this spec, as a deploy's do.
func (s *Sim) CreateService(ctx context.Context, spec swarm.ServiceSpec, faults []engine.Fault) (string, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	if err := checkName("service", spec.Name); err != nil {
		return "", fmt.Errorf("create service %s: %w", spec.Name, err)
	}
	storedMode(&spec)
	if err := checkSpec(&spec); err != nil {
		return "", fmt.Errorf("create %w", err)
	}
	s.lock()
	defer s.unlock()
	s.ensureNodes()
	if _, ok := s.services[spec.Name]; ok {
		return "", refusal(ErrConflict, "create service %s: name conflicts with an existing object: service %s already exists", spec.Name, spec.Name)
	}
	if err := checkFaults(engine.Stack{Namespace: spec.Name, Services: map[string]swarm.ServiceSpec{spec.Name: spec},
		Faults: map[string][]engine.Fault{spec.Name: faults}}); err != nil {
		return "", err
	}
	return s.createService(spec.Name, newRec(&spec, faults)).id, nil
}

// UpdateServiceRef is controlapi's UpdateService of the service ref
// names, at version (swarm refuses a stale one: "update out of
// sequence"). With rollback it is the API's rollback=previous, a manual
// rollback (Rollback), and spec is not used. faults go into the tasks of
// the new spec.
func (s *Sim) UpdateServiceRef(ctx context.Context, ref string, version uint64, spec swarm.ServiceSpec, faults []engine.Fault, rollback bool) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if !rollback {
		if err := checkSpec(&spec); err != nil {
			return fmt.Errorf("update %w", err)
		}
	}
	s.lock()
	defer s.unlock()
	svc, err := s.lookupService(ref)
	if err != nil {
		return err
	}
	if version != svc.version {
		return fmt.Errorf("update service %s at version %d: %s", svc.name, version, errOutOfSequence)
	}
	if rollback {
		return s.rollback(svc)
	}
	if spec.Name == "" {
		spec.Name = svc.name
	}
	if spec.Name != svc.name {
		return fmt.Errorf("update service %s: renaming services is not supported", svc.name)
	}
	storedMode(&spec)
	s.updateService(svc, newRec(&spec, faults))
	return nil
}

// SwapBehaviour sets how service's containers behave (SetBehaviour) and
// returns what puts back the behaviour it had, for a change that swarm
// then refuses.
func (s *Sim) SwapBehaviour(service string, b Behaviour) (undo func()) {
	s.lock()
	defer s.unlock()
	old, had := s.behaviour[service]
	s.behaviour[service] = b
	return func() {
		s.lock()
		defer s.unlock()
		if had {
			s.behaviour[service] = old
		} else {
			delete(s.behaviour, service)
		}
	}
}

// storedMode gives a spec the mode dockerd stores for it (its convert
// package's ServiceSpecToGRPC): a replicated service without a count, or
// a spec without a mode, has one replica.
func storedMode(spec *swarm.ServiceSpec) {
	m := &spec.Mode
	if m.Global != nil || m.GlobalJob != nil || m.ReplicatedJob != nil || m.Replicated != nil && m.Replicated.Replicas != nil {
		return
	}
	one := uint64(1)
	m.Replicated = &swarm.ReplicatedService{Replicas: &one}
}

// RemoveService removes one service; its tasks are shut down at once.
func (s *Sim) RemoveService(ctx context.Context, ref string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	s.lock()
	defer s.unlock()
	svc, err := s.lookupService(ref)
	if err != nil {
		return err
	}
	s.removeService(svc)
	return nil
}

// AllTasks lists every service's tasks (the task reaper's leftovers
// excluded), by service name, then as Tasks orders them.
func (s *Sim) AllTasks(ctx context.Context) ([]swarm.Task, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	s.lock()
	defer s.unlock()
	var out []swarm.Task
	for _, svc := range s.sortedServices() {
		var tasks []swarm.Task
		for _, t := range svc.tasks {
			if !t.reaped {
				tasks = append(tasks, s.apiTask(t))
			}
		}
		engine.SortTasks(tasks)
		out = append(out, tasks...)
	}
	return out, nil
}

// Object is a secret, config or network as the API calls need it.
type Object struct {
	Kind, ID, Name string
	Version        uint64
	Labels         map[string]string
	Data           []byte
	Created        swarm.Meta
}

// Objects lists the secrets, configs or networks (kind), by name.
func (s *Sim) Objects(kind string) []Object {
	s.lock()
	defer s.unlock()
	var out []Object
	for _, key := range slices.Sorted(maps.Keys(s.objects)) {
		if o := s.objects[key]; o.kind == kind {
			out = append(out, apiObject(o))
		}
	}
	return out
}

func apiObject(o *object) Object {
	return Object{Kind: o.kind, ID: o.id, Name: o.name, Version: o.version, Labels: maps.Clone(o.labels), Data: o.data,
		Created: swarm.Meta{Version: swarm.Version{Index: o.version}, CreatedAt: o.created, UpdatedAt: o.created}}
}

// lookupObject finds an object of kind by ID, name or ID prefix.
func (s *Sim) lookupObject(kind, ref string) (*object, error) {
	if o, ok := s.objects[kind+"/"+ref]; ok {
		return o, nil
	}
	var found *object
	for _, key := range slices.Sorted(maps.Keys(s.objects)) {
		o := s.objects[key]
		if o.kind != kind {
			continue
		}
		if o.id == ref {
			return o, nil
		}
		if ref != "" && strings.HasPrefix(o.id, ref) {
			if found != nil {
				return nil, refusal(ErrInvalid, "%s %s is ambiguous", kind, ref)
			}
			found = o
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s %s not found: %w", kind, ref, engine.ErrNotFound)
	}
	return found, nil
}

// ObjectByRef inspects a secret, config or network by ID, name or prefix.
func (s *Sim) ObjectByRef(kind, ref string) (Object, error) {
	s.lock()
	defer s.unlock()
	o, err := s.lookupObject(kind, ref)
	if err != nil {
		return Object{}, err
	}
	return apiObject(o), nil
}

// CreateObject creates a secret, config or network; a name in use is
// swarm's "already exists" conflict.
func (s *Sim) CreateObject(kind, name string, labels map[string]string, data []byte) (string, error) {
	s.lock()
	defer s.unlock()
	if _, ok := s.objects[kind+"/"+name]; ok {
		return "", refusal(ErrConflict, "%s %s already exists", kind, name)
	}
	if err := s.createObject(kind, name, labels, data); err != nil {
		return "", err
	}
	return s.objects[kind+"/"+name].id, nil
}

// UpdateObject changes a secret's or config's labels at version.
func (s *Sim) UpdateObject(kind, ref string, version uint64, labels map[string]string, data []byte) error {
	s.lock()
	defer s.unlock()
	o, err := s.lookupObject(kind, ref)
	if err != nil {
		return err
	}
	return s.updateObject(o, version, labels, data)
}

// RemoveObject removes a secret, config or network; swarm refuses to
// remove a secret or config a service uses.
func (s *Sim) RemoveObject(kind, ref string) error {
	s.lock()
	defer s.unlock()
	o, err := s.lookupObject(kind, ref)
	if err != nil {
		return err
	}
	if users := s.usersOf(o); len(users) > 0 {
		return refusal(ErrInvalid, "%s '%s' is in use by the following service: %s", kind, o.name, strings.Join(users, ", "))
	}
	delete(s.objects, kind+"/"+o.name)
	return nil
}

// usersOf names the services whose current spec refers to o.
func (s *Sim) usersOf(o *object) []string {
	var users []string
	for _, svc := range s.sortedServices() {
		c := svc.spec.spec.TaskTemplate.ContainerSpec
		if c == nil {
			continue
		}
		uses := false
		switch o.kind {
		case "secret":
			uses = slices.ContainsFunc(c.Secrets, func(r *swarm.SecretReference) bool { return r.SecretName == o.name || r.SecretID == o.id })
		case "config":
			uses = slices.ContainsFunc(c.Configs, func(r *swarm.ConfigReference) bool { return r.ConfigName == o.name || r.ConfigID == o.id })
		case "network":
			uses = slices.ContainsFunc(svc.spec.spec.TaskTemplate.Networks, func(n swarm.NetworkAttachmentConfig) bool { return n.Target == o.name || n.Target == o.id })
		}
		if uses {
			users = append(users, svc.name)
		}
	}
	return users
}
