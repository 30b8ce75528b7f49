package docker

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cswarm "github.com/coop-cloud/chaosrun/swarm"
)

// fakeDaemon answers /_ping and /info like a daemon whose swarm state is
// given, over tcp://.
func fakeDaemon(t *testing.T, swarmJSON string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"SystemTime":"2026-01-01T00:00:00Z","Swarm":` + swarmJSON + `}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
}

// TestNotManager: a daemon outside a swarm, or a worker, is ErrUnavailable
// with one line saying what to do.
func TestNotManager(t *testing.T) {
	for _, c := range []struct{ swarm, want string }{
		{`{"LocalNodeState":"inactive"}`, "is not part of a swarm (state \"inactive\"; run docker swarm init)"},
		{`{"LocalNodeState":"active","NodeID":"n1","ControlAvailable":false}`, "is not a swarm manager (run docker swarm init, or point DOCKER_HOST at a manager)"},
	} {
		host := fakeDaemon(t, c.swarm)
		t.Setenv("DOCKER_HOST", host)
		_, err := New(context.Background(), Options{RunID: "x"})
		want := "docker daemon at " + host + " " + c.want
		if !errors.Is(err, cswarm.ErrUnavailable) || err == nil || err.Error() != want {
			t.Errorf("New: %v\nwant %s (wrapping ErrUnavailable)", err, want)
		}
	}
}
