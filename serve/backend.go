package serve

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker/api/types/backend"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/errdefs"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/sim"
)

// swarmBackend is moby's swarm router Backend (api/server/router/swarm)
// over a world: each call runs on the world's goroutine.
type swarmBackend struct{ w *World }

// apiError gives a simulator error the status dockerd would answer with,
// by the kind it wraps.
func apiError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, engine.ErrNotFound):
		return errdefs.NotFound(err)
	case errors.Is(err, sim.ErrConflict):
		return errdefs.Conflict(err)
	case errors.Is(err, sim.ErrInvalid):
		return errdefs.InvalidParameter(err)
	}
	return err
}

// do runs fn on the world and maps its error.
func (b swarmBackend) do(changes bool, fn func(*sim.Sim) error) error {
	return apiError(b.w.Do(context.Background(), changes, fn))
}

var errSimSwarm = errdefs.Unavailable(errors.New("the simulated swarm is made by chaosrun sim serve; it cannot be initialised, joined, left or unlocked"))

func (swarmBackend) Init(swarm.InitRequest) (string, error)             { return "", errSimSwarm }
func (swarmBackend) Join(swarm.JoinRequest) error                       { return errSimSwarm }
func (swarmBackend) Leave(context.Context, bool) error                  { return errSimSwarm }
func (swarmBackend) GetUnlockKey() (string, error)                      { return "", errSimSwarm }
func (swarmBackend) UnlockSwarm(swarm.UnlockRequest) error              { return errSimSwarm }
func (swarmBackend) Update(uint64, swarm.Spec, swarm.UpdateFlags) error { return errSimSwarm }

// Inspect is the swarm itself, as `docker swarm inspect` shows it.
func (b swarmBackend) Inspect() (swarm.Swarm, error) {
	sw := swarm.Swarm{ClusterInfo: swarm.ClusterInfo{ID: clusterID(b.w.opts.Seed)}}
	sw.Spec.Annotations.Name = "default"
	sw.CreatedAt, sw.UpdatedAt = b.w.epoch, b.w.epoch
	sw.Version.Index = 1
	return sw, nil
}

func (b swarmBackend) GetServices(opts swarm.ServiceListOptions) ([]swarm.Service, error) {
	f := opts.Filters
	if err := validate(f, serviceFilters); err != nil {
		return nil, err
	}
	for _, m := range f.Get("mode") {
		if m != "replicated" && m != "global" && m != "replicated-job" && m != "global-job" {
			return nil, badValue("mode", m)
		}
	}
	var all []swarm.Service
	if err := b.do(false, func(s *sim.Sim) (err error) { all, err = s.ListServices(context.Background()); return }); err != nil {
		return nil, err
	}
	out := []swarm.Service{} // [] rather than null when empty, as dockerd answers
	for _, svc := range all {
		if common(f, svc.Spec.Name, svc.ID, svc.Spec.Labels) && oneOf(f.Get("mode"), serviceMode(svc.Spec)) &&
			oneOf(f.Get("runtime"), "container") {
			if !opts.Status {
				svc.ServiceStatus = nil
			}
			out = append(out, svc)
		}
	}
	return out, nil
}

func serviceMode(spec swarm.ServiceSpec) string {
	switch {
	case spec.Mode.Global != nil:
		return "global"
	case spec.Mode.ReplicatedJob != nil:
		return "replicated-job"
	case spec.Mode.GlobalJob != nil:
		return "global-job"
	}
	return "replicated"
}

func (b swarmBackend) GetService(ref string, insertDefaults bool) (svc swarm.Service, err error) {
	err = b.do(false, func(s *sim.Sim) (err error) {
		svc, err = s.ServiceByRef(context.Background(), ref, insertDefaults)
		return
	})
	return svc, err
}

func (b swarmBackend) CreateService(spec swarm.ServiceSpec, _ string, _ bool) (*swarm.ServiceCreateResponse, error) {
	sh, err := shapingOf(spec)
	if err != nil {
		return nil, err
	}
	var id string
	err = b.do(true, func(s *sim.Sim) (err error) {
		undo := s.SwapBehaviour(spec.Name, sh.behaviour)
		if id, err = s.CreateService(context.Background(), spec, sh.faults); err != nil {
			undo()
		}
		return
	})
	if err != nil {
		return nil, err
	}
	return &swarm.ServiceCreateResponse{ID: id}, nil
}

func (b swarmBackend) UpdateService(ref string, version uint64, spec swarm.ServiceSpec, flags swarm.ServiceUpdateOptions, _ bool) (*swarm.ServiceUpdateResponse, error) {
	rollback := false
	switch flags.Rollback {
	case "", "none":
	case "previous":
		rollback = true
	default:
		return nil, errdefs.InvalidParameter(fmt.Errorf("unrecognized rollback option %s", flags.Rollback))
	}
	sh, err := shapingOf(spec)
	if err != nil && !rollback {
		return nil, err
	}
	err = b.do(true, func(s *sim.Sim) error {
		svc, err := s.ServiceByRef(context.Background(), ref, false)
		if err != nil {
			return err
		}
		if rollback && svc.PreviousSpec != nil {
			sh, _ = shapingOf(*svc.PreviousSpec) // it was read when it was sent
		}
		undo := func() {}
		if !rollback || svc.PreviousSpec != nil {
			undo = s.SwapBehaviour(svc.Spec.Name, sh.behaviour)
		}
		err = s.UpdateServiceRef(context.Background(), ref, version, spec, sh.faults, rollback)
		if err != nil {
			undo() // swarm refused the change: its labels shape nothing
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &swarm.ServiceUpdateResponse{}, nil
}

func (b swarmBackend) RemoveService(ref string) error {
	return b.do(true, func(s *sim.Sim) error { return s.RemoveService(context.Background(), ref) })
}

func (swarmBackend) ServiceLogs(context.Context, *backend.LogSelector, *container.LogsOptions) (<-chan *backend.LogMessage, error) {
	return nil, errdefs.NotImplemented(errors.New("the simulated swarm runs no containers, so its services have no logs"))
}
