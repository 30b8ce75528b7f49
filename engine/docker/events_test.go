package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// TestSubscribeEvents: a subscription taken just before a deploy sees the
// service's create, and the task's container events as "task" events that
// carry the task's state once it follows them (healthy → running).
func TestSubscribeEvents(t *testing.T) {
	t.Parallel()
	e, ns := newTestEngine(t, Options{})
	name := ns + "_app"
	sub := e.Subscribe(t.Context())
	deploy(t, e, testStack(ns, app{}))
	deadline := time.Now().Add(time.Minute)
	var created, healthy bool
	var seen []string
	for !created || !healthy {
		ev, err := sub.Next(context.Background(), deadline)
		if err != nil {
			t.Fatalf("after %v: %v", seen, err)
		}
		if ev.Service != name {
			continue
		}
		desc := fmt.Sprintf("%s %s %v", ev.Type, ev.Action, ev.Attributes)
		seen = append(seen, desc)
		t.Logf("event: %s", desc)
		switch {
		case ev.Type == "service" && ev.Action == "create":
			created = !healthy
		case ev.Type == "task" && ev.Attributes["health"] == "healthy":
			healthy = true
			if ev.Attributes["state"] != string(swarm.TaskStateRunning) || ev.Attributes["desired"] != "running" || ev.ID == "" {
				t.Errorf("healthy task event %+v: want state and desired running and the task ID", ev)
			}
		}
	}
	if !created {
		t.Errorf("events %v: want the service create before the task turned healthy", seen)
	}
}

// TestNextDeadline: Next returns clock.ErrDeadline at the deadline, and the
// subscription's context error once it is cancelled.
func TestNextDeadline(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	sub := e.Subscribe(ctx)
	start := time.Now()
	for {
		_, err := sub.Next(context.Background(), start.Add(300*time.Millisecond))
		if errors.Is(err, clock.ErrDeadline) {
			break
		}
		if err != nil || time.Since(start) > 5*time.Second {
			t.Fatalf("Next: %v after %s, want ErrDeadline at 300ms", err, time.Since(start))
		}
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > time.Second {
		t.Errorf("ErrDeadline after %s, want 300ms", d)
	}
	cancel()
	cancelled := time.Now()
	for {
		_, err := sub.Next(context.Background(), time.Now().Add(5*time.Second))
		if errors.Is(err, context.Canceled) {
			return
		}
		if err != nil {
			t.Fatalf("Next after cancel: %v, want context.Canceled", err)
		}
		if time.Since(cancelled) > 5*time.Second {
			t.Fatalf("Next still returns events %s after cancel, want context.Canceled", time.Since(cancelled))
		}
	}
}

// TestSSHHost: an ssh:// DOCKER_HOST is dialled through ssh like the docker
// CLI does; an unreachable one is ErrUnavailable naming the host.
func TestSSHHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", "ssh://nobody@127.0.0.1:1")
	cli, host, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	cli.Close()
	if host != "ssh://nobody@127.0.0.1:1" {
		t.Errorf("host = %s", host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = New(ctx, Options{RunID: "x"})
	if !errors.Is(err, engine.ErrUnavailable) || !strings.HasPrefix(err.Error(), "cannot reach the docker daemon at ssh://nobody@127.0.0.1:1: ") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("New over an unreachable ssh host: %q, want one line wrapping ErrUnavailable", err)
	}
	t.Logf("%v", err)
}
