package docker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coop-cloud/chaosrun/engine"
)

// fakeDaemon answers /_ping and /info like a daemon whose swarm state is
// given, over tcp://.
func fakeDaemon(t *testing.T, swarmJSON string) string {
	return fakeDaemonWith(t, swarmJSON, nil)
}

// fakeDaemonWith is fakeDaemon that also serves /events with events.
func fakeDaemonWith(t *testing.T, swarmJSON string, events http.HandlerFunc) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			w.Header().Set("Content-Type", "application/json")
			now := time.Now().UTC().Format(time.RFC3339Nano)
			w.Write([]byte(`{"SystemTime":"` + now + `","Swarm":` + swarmJSON + `}`))
		case strings.HasSuffix(r.URL.Path, "/events") && events != nil:
			events(w, r)
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
		if !errors.Is(err, engine.ErrUnavailable) || err == nil || err.Error() != want {
			t.Errorf("New: %v\nwant %s (wrapping ErrUnavailable)", err, want)
		}
	}
}

// TestReconnect: when the event stream breaks, the subscription reconnects,
// asks the daemon to replay from before the newest event, skips what it
// has seen, and asks for a re-check of the services it deployed.
func TestReconnect(t *testing.T) {
	base := time.Now().UnixNano()
	event := func(id string, n int64) string {
		return fmt.Sprintf(`{"Type":"service","Action":"update","Actor":{"ID":%q,"Attributes":{"name":"s_app"}},"timeNano":%d}`+"\n", id, base+n)
	}
	var mu sync.Mutex
	var sinces []string
	host := fakeDaemonWith(t, `{"LocalNodeState":"active","NodeID":"n1","ControlAvailable":true}`,
		func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			sinces = append(sinces, r.URL.Query().Get("since"))
			n := len(sinces)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if n == 1 {
				w.Write([]byte(event("a", 0)))
				return // the stream breaks
			}
			w.Write([]byte(event("a", 0) + event("b", 1)))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
	t.Setenv("DOCKER_HOST", host)
	e, err := New(context.Background(), Options{RunID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.cli.Close()
	e.remember([]string{"s_app"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := e.Subscribe(ctx)
	var got []string
	for len(got) < 3 {
		ev, err := sub.Next(ctx, time.Now().Add(5*time.Second))
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, ev.ID+ev.Attributes[RecheckAttr])
	}
	if want := []string{"a", "reconnect", "b"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sinces) != 2 || sinces[1] != timestamp(time.Unix(0, base).Add(-replayMargin)) {
		t.Errorf("since parameters %v, want the second %s before the newest event", sinces, replayMargin)
	}
}
