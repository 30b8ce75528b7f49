package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/docker/docker/api/server/httputils"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/errdefs"
	units "github.com/docker/go-units"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/sim"
)

// The control endpoints shape the simulated swarm while clients use it,
// under /chaosrun/ (docs/serve.md); they are not part of the Engine API.
func controlRoutes(w *World) []route {
	c := control{w}
	return []route{
		{http.MethodGet, "/chaosrun/status", c.status},
		{http.MethodPost, "/chaosrun/nodes", c.addNode},
		{http.MethodPost, "/chaosrun/nodes/{name}/down", c.nodeDown},
		{http.MethodPost, "/chaosrun/host-load", c.hostLoad},
		{http.MethodPost, "/chaosrun/time", c.advance},
	}
}

type control struct{ w *World }

// Status is what GET /chaosrun/status answers.
type Status struct {
	Seed    int64  `json:"seed"`
	Time    string `json:"time"`
	Now     string `json:"now"`
	Elapsed string `json:"elapsed"`
}

func (c control) status(_ context.Context, rw http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	now := c.w.Now()
	return httputils.WriteJSON(rw, http.StatusOK, Status{Seed: c.w.opts.Seed, Time: c.w.opts.Time,
		Now: now.UTC().Format(time.RFC3339Nano), Elapsed: c.w.Elapsed().String()})
}

// decode reads a request body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errdefs.InvalidParameter(fmt.Errorf("%s %s: bad body: %v", r.Method, r.URL.Path, err))
	}
	return nil
}

// NodeRequest adds a node: POST /chaosrun/nodes.
type NodeRequest struct {
	Name   string            `json:"name"`
	Memory string            `json:"memory"` // a size such as 4GiB
	CPUs   float64           `json:"cpus,omitempty"`
	Role   string            `json:"role,omitempty"` // manager or worker (default)
	Labels map[string]string `json:"labels,omitempty"`
}

func (c control) addNode(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var req NodeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	mem, err := units.RAMInBytes(req.Memory)
	if err != nil || mem <= 0 || req.Name == "" {
		return errdefs.InvalidParameter(fmt.Errorf("add node: want a name and a memory size such as 4GiB (got %q, %q)", req.Name, req.Memory))
	}
	if req.Role == "" {
		req.Role = "worker"
	}
	if req.Role != "worker" && req.Role != "manager" || req.CPUs < 0 {
		return errdefs.InvalidParameter(fmt.Errorf("add node %s: role %q, cpus %g: want manager or worker, and a number of CPUs that is not negative", req.Name, req.Role, req.CPUs))
	}
	u := engine.NodeUpdate{Role: req.Role, Labels: req.Labels, NanoCPUs: int64(req.CPUs * 1e9)}
	err = (swarmBackend{c.w}).do(true, func(s *sim.Sim) error {
		if nodes, _ := s.Nodes(context.Background()); hasNode(nodes, req.Name) {
			return errdefs.Conflict(fmt.Errorf("add node: node %s already exists", req.Name))
		}
		s.AddNode(req.Name, mem)
		return s.UpdateNode(req.Name, u)
	})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusCreated)
	return nil
}

// DownRequest stops a node's daemon After from now, for Duration (0: for
// good): POST /chaosrun/nodes/{name}/down.
type DownRequest struct {
	After    string `json:"after,omitempty"`
	Duration string `json:"duration,omitempty"`
}

func (c control) nodeDown(_ context.Context, rw http.ResponseWriter, r *http.Request, vars map[string]string) error {
	var req DownRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	after, err1 := optionalDuration(req.After)
	d, err2 := optionalDuration(req.Duration)
	if err1 != nil || err2 != nil {
		return errdefs.InvalidParameter(fmt.Errorf("node down: after and duration are durations such as 30s"))
	}
	var known bool
	err := (swarmBackend{c.w}).do(true, func(s *sim.Sim) error {
		nodes, _ := s.Nodes(context.Background())
		if known = hasNode(nodes, vars["name"]); !known {
			return nil
		}
		return s.NodeDown(vars["name"], after, d)
	})
	switch {
	case err != nil:
		return errdefs.InvalidParameter(err)
	case !known:
		return errdefs.NotFound(fmt.Errorf("node down: no node named %s", vars["name"]))
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}

// LoadRequest sets every node's background memory, drawn per node from
// [Min, Max]: POST /chaosrun/host-load.
type LoadRequest struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

func (c control) hostLoad(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var req LoadRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	lo, err1 := units.RAMInBytes(req.Min)
	hi, err2 := units.RAMInBytes(req.Max)
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return errdefs.InvalidParameter(fmt.Errorf("host load: want min and max sizes such as 1GiB, min at most max"))
	}
	if err := (swarmBackend{c.w}).do(true, func(s *sim.Sim) error { s.SetHostLoad(lo, hi); return nil }); err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}

// TimeRequest runs settle mode's clock on: POST /chaosrun/time.
type TimeRequest struct {
	Advance string `json:"advance"`
}

func (c control) advance(_ context.Context, rw http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var req TimeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d <= 0 {
		return errdefs.InvalidParameter(fmt.Errorf("advance: want a positive duration such as 30s"))
	}
	if c.w.opts.Time != TimeSettle {
		return errdefs.InvalidParameter(fmt.Errorf("advance: time is %s, which follows the wall clock; only --time settle is advanced by hand", c.w.opts.Time))
	}
	if err := c.w.Advance(r.Context(), d); err != nil {
		return err
	}
	return c.status(r.Context(), rw, r, nil)
}

// hasNode reports whether a node has the hostname.
func hasNode(nodes []swarm.Node, name string) bool {
	for _, n := range nodes {
		if n.Description.Hostname == name {
			return true
		}
	}
	return false
}

func optionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative")
	}
	return d, err
}
