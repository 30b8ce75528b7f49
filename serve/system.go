package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"

	"github.com/docker/docker/api"
	"github.com/docker/docker/api/server/httputils"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/errdefs"

	"github.com/coop-cloud/chaosrun/engine/sim"
)

// systemRoutes are the endpoints outside moby's swarm router that the
// docker CLI, abra and docker-py ask a swarm manager for.
func systemRoutes(w *World) []route {
	b := swarmBackend{w}
	return []route{
		{http.MethodGet, "/_ping", ping},
		{http.MethodHead, "/_ping", ping},
		{http.MethodGet, "/version", serverVersion},
		{http.MethodGet, "/info", b.info},
		{http.MethodGet, "/networks", b.networks},
		{http.MethodGet, "/networks/{id:.*}", b.network},
		{http.MethodPost, "/networks/create", b.createNetwork},
		{http.MethodDelete, "/networks/{id:.*}", b.removeNetwork},
		{http.MethodGet, "/distribution/{name:.*}/json", distribution},
		{http.MethodGet, "/containers/json", noContainers},
		{http.MethodGet, "/events", b.events},
	}
}

// ping answers as dockerd does, with the headers clients read (the
// version middleware sets API-Version and OSType).
func ping(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	rw.Header().Set("Swarm", "active/manager")
	rw.Header().Set("Docker-Experimental", "false")
	rw.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	rw.Header().Set("Pragma", "no-cache")
	if r.Method == http.MethodHead {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Content-Length", "0")
		return nil
	}
	_, err := rw.Write([]byte("OK"))
	return err
}

func serverVersion(_ context.Context, rw http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	return httputils.WriteJSON(rw, http.StatusOK, types.Version{
		Platform:   struct{ Name string }{"chaosrun sim serve"},
		Components: []types.ComponentVersion{{Name: "Engine", Version: ServerVersion, Details: map[string]string{"ApiVersion": api.DefaultVersion, "MinAPIVersion": api.MinSupportedAPIVersion, "Os": serverOS, "Arch": runtime.GOARCH, "GoVersion": runtime.Version(), "Experimental": "false"}}},
		Version:    ServerVersion, APIVersion: api.DefaultVersion, MinAPIVersion: api.MinSupportedAPIVersion,
		GoVersion: runtime.Version(), Os: serverOS, Arch: runtime.GOARCH,
	})
}

// info is `docker info`: a manager of an active swarm, with the time mode
// and what it can change among the warnings docker info prints.
func (b swarmBackend) info(_ context.Context, rw http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	var nodes []swarm.Node
	if err := b.do(false, func(s *sim.Sim) (err error) { nodes, err = s.Nodes(context.Background()); return }); err != nil {
		return err
	}
	info := system.Info{ID: clusterID(b.w.opts.Seed), Name: "chaosrun-sim", ServerVersion: ServerVersion, OSType: serverOS,
		OperatingSystem: "chaosrun simulated swarm", Architecture: runtime.GOARCH, NCPU: runtime.NumCPU(),
		Labels:   []string{"chaosrun.time=" + b.w.opts.Time, fmt.Sprintf("chaosrun.seed=%d", b.w.opts.Seed)},
		Warnings: []string{"chaosrun sim serve: " + timeWarning(b.w.opts)}}
	info.Swarm = swarm.Info{LocalNodeState: swarm.LocalNodeStateActive, ControlAvailable: true, Nodes: len(nodes),
		Cluster: &swarm.ClusterInfo{ID: clusterID(b.w.opts.Seed)}}
	for _, n := range nodes {
		if n.Spec.Role == swarm.NodeRoleManager {
			info.Swarm.Managers++
			if info.Swarm.NodeID == "" {
				info.Swarm.NodeID, info.Swarm.NodeAddr = n.ID, n.Status.Addr
			}
			info.Swarm.RemoteManagers = append(info.Swarm.RemoteManagers, swarm.Peer{NodeID: n.ID, Addr: n.Status.Addr + ":2377"})
		}
	}
	return httputils.WriteJSON(rw, http.StatusOK, info)
}

// timeWarning says what the time mode can change (docs/serve.md).
func timeWarning(o Options) string {
	switch o.Time {
	case TimeFast:
		return fmt.Sprintf("time runs %gx faster than the wall clock: a client's wall-clock timeout or stability window "+
			"lasts %gx longer in simulated time, so a deploy that times out on a real swarm may converge here", o.Speed, o.Speed)
	case TimeSettle:
		return "time stands still between requests and each change runs to a quiet state: clients never see an update " +
			"in progress, and what they time on the wall clock does not happen in simulated time"
	}
	return "time follows the wall clock: verdicts are as on a real swarm, and as slow"
}

func (b swarmBackend) networkList() ([]sim.Object, error) {
	var list []sim.Object
	err := b.do(false, func(s *sim.Sim) error { list = s.Objects("network"); return nil })
	return list, err
}

func networkOf(o sim.Object) network.Inspect {
	return network.Inspect{Name: o.Name, ID: o.ID, Created: o.Created.CreatedAt, Scope: "swarm", Driver: "overlay",
		Labels: o.Labels, Options: map[string]string{}, Containers: map[string]network.EndpointResource{}}
}

func (b swarmBackend) networks(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter(err)
	}
	f, err := filters.FromJSON(r.Form.Get("filters"))
	if err != nil {
		return errdefs.InvalidParameter(err)
	}
	if err := validate(f, networkFilters); err != nil {
		return err
	}
	list, err := b.networkList()
	if err != nil {
		return err
	}
	out := []network.Inspect{}
	for _, o := range list {
		if common(f, o.Name, o.ID, o.Labels) && oneOf(f.Get("driver"), "overlay") && oneOf(f.Get("scope"), "swarm") {
			out = append(out, networkOf(o))
		}
	}
	return httputils.WriteJSON(rw, http.StatusOK, out)
}

func (b swarmBackend) network(_ context.Context, rw http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	var o sim.Object
	if err := b.do(false, func(s *sim.Sim) (err error) { o, err = s.ObjectByRef("network", vars["id"]); return }); err != nil {
		return err
	}
	return httputils.WriteJSON(rw, http.StatusOK, networkOf(o))
}

func (b swarmBackend) createNetwork(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var req network.CreateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return errdefs.InvalidParameter(fmt.Errorf("bad network create request: %v", err))
	}
	if req.Driver != "" && req.Driver != "overlay" {
		return errdefs.InvalidParameter(fmt.Errorf("network %s: driver %s: the simulated swarm has overlay networks only", req.Name, req.Driver))
	}
	id, err := b.create("network", swarm.Annotations{Name: req.Name, Labels: req.Labels}, nil)
	if err != nil {
		return err
	}
	return httputils.WriteJSON(rw, http.StatusCreated, network.CreateResponse{ID: id})
}

func (b swarmBackend) removeNetwork(_ context.Context, rw http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	if err := b.remove("network", vars["id"]); err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}

// distribution answers an image lookup: there is no registry behind the
// simulator, which stack deploy reports as a warning and goes on.
func distribution(_ context.Context, _ http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	return errdefs.Unavailable(fmt.Errorf("no registry behind the simulated swarm to look up %s", vars["name"]))
}

func noContainers(_ context.Context, rw http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	return httputils.WriteJSON(rw, http.StatusOK, []types.Container{})
}

// events streams the simulator's service events from now on, as dockerd
// streams its cluster events, until the client goes. Filters type, event
// (the action), scope and service (a name or an ID) apply; other filters
// and until are refused, and since is accepted but past events are not
// kept. Task changes have no Engine event.
func (b swarmBackend) events(ctx context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter(err)
	}
	f, err := filters.FromJSON(r.Form.Get("filters"))
	if err != nil {
		return errdefs.InvalidParameter(err)
	}
	if err := validate(f, []string{"type", "event", "scope", "service"}); err != nil {
		return errdefs.InvalidParameter(fmt.Errorf("%v (sim serve filters events by type, event, scope and service)", err))
	}
	if r.Form.Get("until") != "" {
		return errdefs.InvalidParameter(errors.New("sim serve streams events from now on: until is not supported"))
	}
	evs, stop := b.w.Watch()
	defer stop()
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusOK)
	flush := func() {
		if fl, ok := rw.(http.Flusher); ok {
			fl.Flush()
		}
	}
	flush()
	enc := json.NewEncoder(rw)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.w.Done():
			return nil
		case ev := <-evs:
			if ev.Type != "service" {
				continue
			}
			m := events.Message{Type: events.ServiceEventType, Action: events.Action(ev.Action), Scope: "swarm",
				Actor: events.Actor{ID: ev.ID, Attributes: ev.Attributes}, Time: ev.Time.Unix(), TimeNano: ev.Time.UnixNano()}
			if !oneOf(f.Get("type"), string(m.Type)) || !oneOf(f.Get("event"), string(m.Action)) || !oneOf(f.Get("scope"), m.Scope) ||
				len(f.Get("service")) > 0 && !oneOf(f.Get("service"), ev.ID) && !oneOf(f.Get("service"), ev.Service) {
				continue
			}
			if err := enc.Encode(m); err != nil {
				return nil
			}
			flush()
		}
	}
}
