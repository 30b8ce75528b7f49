package serve

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"net/http"
	"regexp"
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

// LogHeader is the first line of a request log: what a replay needs to
// start the same world.
type LogHeader struct {
	Serve string  `json:"chaosrun_sim_serve"`
	Seed  int64   `json:"seed"`
	Time  string  `json:"time"`
	Speed float64 `json:"speed,omitempty"`
	// SettleLimit is settle mode's bound, as a duration ("10m0s").
	SettleLimit string    `json:"settle_limit,omitempty"`
	Epoch       time.Time `json:"epoch"`
}

// LogEntry is one line of the request log: the virtual instant the
// request ran at (an offset from the epoch), the request, and what was
// answered: its status and a digest of its body.
type LogEntry struct {
	At     string `json:"at"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Body   string `json:"body,omitempty"`
	Status int    `json:"status"`
	Digest string `json:"digest"`
	// Stream marks the event stream, which a replay skips.
	Stream bool `json:"stream,omitempty"`
}

// recorder remembers the status and a digest of the body written.
type recorder struct {
	http.ResponseWriter
	status int
	hash   hash.Hash
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (r *recorder) Write(p []byte) (int, error) {
	r.hash.Write(p)
	return r.ResponseWriter.Write(p)
}

// Flush passes flushes on, for the event stream.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) digest() string { return hex.EncodeToString(r.hash.Sum(nil)[:8]) }

// newDigest is the hash of answer bodies in the log.
func newDigest() hash.Hash { return sha256.New() }

// maxBody bounds a request body (a service spec is a few KB).
const maxBody = 4 << 20

// logged runs each request at one virtual instant (World.Request), the
// event stream apart, and writes the request log: a header, then one
// JSON line per request. Request bodies are logged as sent, so a log of
// a run that created secrets holds their data.
func (w *World) logged(h http.Handler) http.Handler {
	var mu sync.Mutex
	var enc *json.Encoder
	if w.opts.Log != nil {
		enc = json.NewEncoder(w.opts.Log)
		_ = enc.Encode(LogHeader{Serve: ServerVersion, Seed: w.opts.Seed, Time: w.opts.Time, Speed: w.opts.Speed,
			SettleLimit: w.opts.SettleLimit.String(), Epoch: w.epoch})
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			_ = httputils.WriteJSON(rw, http.StatusBadRequest, &types.ErrorResponse{Message: fmt.Sprintf("request body unreadable or over %d bytes", maxBody)})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: rw, status: http.StatusOK, hash: newDigest()}
		stream := isEventStream(r.URL.Path)
		at := w.Now()
		if stream {
			h.ServeHTTP(rec, r)
		} else if at, err = w.Request(r.Context(), func() { h.ServeHTTP(rec, r) }); err != nil {
			return
		}
		if enc == nil {
			return
		}
		e := LogEntry{At: at.Sub(w.epoch).String(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Body: string(body), Status: rec.status, Digest: rec.digest(), Stream: stream}
		mu.Lock()
		_ = enc.Encode(e)
		mu.Unlock()
	})
}

// eventsPath matches the event stream's path, under any API version.
var eventsPath = regexp.MustCompile(`^(/v[0-9.]+)?/events$`)

// isEventStream is whether path asks for the event stream.
func isEventStream(path string) bool { return eventsPath.MatchString(path) }

// clusterID is the swarm's ID, a function of the seed.
func clusterID(seed int64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "chaosrun-sim-cluster-%d", seed)
	return "sim" + strconv.FormatUint(h.Sum64(), 36)
}

// serverOS is what the simulated daemon says it runs on.
var serverOS = runtime.GOOS
