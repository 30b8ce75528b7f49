package serve

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api"
	"github.com/docker/docker/api/server/httpstatus"
	"github.com/docker/docker/api/server/httputils"
	"github.com/docker/docker/api/server/middleware"
	swarmrouter "github.com/docker/docker/api/server/router/swarm"
	"github.com/docker/docker/api/types"
	"github.com/gorilla/mux"
)

// ServerVersion is the engine version sim serve reports: the Engine API it
// speaks is moby's of the version this module pins.
const ServerVersion = "28.5.2-chaosrun-sim"

// apiFunc is moby's handler shape (httputils.APIFunc).
type apiFunc = httputils.APIFunc

// route is one endpoint.
type route struct {
	method, path string
	handler      apiFunc
}

// Handler serves the world on the Engine API: moby's swarm router for
// services, tasks, nodes, secrets and configs, and the system, network,
// distribution, container and event endpoints of system.go. Each request
// is logged with its virtual time when Options.Log is set.
func Handler(w *World) (http.Handler, error) {
	version, err := middleware.NewVersionMiddleware(ServerVersion, api.DefaultVersion, api.MinSupportedAPIVersion)
	if err != nil {
		return nil, err
	}
	m := mux.NewRouter()
	add := func(method, path string, h apiFunc) {
		f := httpHandler(version.WrapHandler(h))
		m.Path("/v{version:[0-9.]+}" + path).Methods(method).Handler(f)
		m.Path(path).Methods(method).Handler(f)
	}
	for _, r := range swarmrouter.NewRouter(swarmBackend{w}).Routes() {
		add(r.Method(), r.Path(), r.Handler())
	}
	for _, r := range append(systemRoutes(w), controlRoutes(w)...) {
		add(r.method, r.path, r.handler)
	}
	notFound := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = httputils.WriteJSON(rw, http.StatusNotFound, &types.ErrorResponse{
			Message: fmt.Sprintf("page not found: chaosrun sim serve does not serve %s %s", r.Method, r.URL.Path)})
	})
	m.NotFoundHandler, m.MethodNotAllowedHandler = notFound, notFound
	return w.logged(m), nil
}

// httpHandler runs an API function and writes its error as dockerd does:
// the status its kind gives, the message as JSON.
func httpHandler(h apiFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		vars := mux.Vars(r)
		if vars == nil {
			vars = map[string]string{}
		}
		if err := h(r.Context(), rw, r, vars); err != nil {
			_ = httputils.WriteJSON(rw, httpstatus.FromError(err), &types.ErrorResponse{Message: err.Error()})
		}
	})
}

// logEntry is one line of the request log.
type logEntry struct {
	At     string `json:"at"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// Flush passes flushes on, for the event stream.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logged wraps h with the request log: one JSON line per request, with
// the virtual time it was answered at, as an offset from the start.
func (w *World) logged(h http.Handler) http.Handler {
	if w.opts.Log == nil {
		return h
	}
	var mu sync.Mutex
	enc := json.NewEncoder(w.opts.Log)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		e := logEntry{At: "+" + w.Elapsed().Round(time.Millisecond).String(), Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Status: sw.status}
		mu.Lock()
		_ = enc.Encode(e)
		mu.Unlock()
	})
}

// clusterID is the swarm's ID, a function of the seed.
func clusterID(seed int64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "chaosrun-sim-cluster-%d", seed)
	return "sim" + strconv.FormatUint(h.Sum64(), 36)
}

// serverOS is what the simulated daemon says it runs on.
var serverOS = runtime.GOOS
