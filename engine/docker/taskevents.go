package docker

import (
	"context"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Labels the swarm executor puts on a task's container.
const (
	serviceNameLabel = "com.docker.swarm.service.name"
	taskIDLabel      = "com.docker.swarm.task.id"
)

// taskEvent maps a container event of a swarm task to a "task" event
// (without its state yet); other container events give false.
//
// Attributes: container (ID), container.event (start, die, oom or
// health_status), health (for health_status), exitCode (for die).
func taskEvent(m events.Message) (engine.Event, bool) {
	a := m.Actor.Attributes
	service, task := a[serviceNameLabel], a[taskIDLabel]
	if service == "" || task == "" {
		return engine.Event{}, false
	}
	action, health, _ := strings.Cut(string(m.Action), ": ")
	switch action {
	case "start", "die", "oom", "health_status":
	default:
		return engine.Event{}, false
	}
	attrs := map[string]string{"container": m.Actor.ID, "container.event": action}
	if health != "" {
		attrs["health"] = health
	}
	if code, ok := a["exitCode"]; ok && action == "die" {
		attrs["exitCode"] = code
	}
	return engine.Event{Time: time.Unix(0, m.TimeNano), Type: "task", Action: "update",
		Service: service, ID: task, Attributes: attrs}, true
}

// settled reports whether a task's state reflects a container event.
func settled(containerEvent string, health string, t swarm.Task) bool {
	rank := engine.TaskStateRank(t.Status.State)
	switch {
	case containerEvent == "die":
		return rank > engine.TaskStateRank(swarm.TaskStateRunning)
	case containerEvent == "start":
		return rank >= engine.TaskStateRank(swarm.TaskStateStarting)
	case containerEvent == "health_status" && health == "healthy":
		return rank >= engine.TaskStateRank(swarm.TaskStateRunning)
	}
	return true
}

// settle looks the task up until its state reflects the container event (at
// most taskSettle), then queues the event with the task's state and desired
// state.
func (s *subscription) settle(ev engine.Event) {
	defer s.e.goroutines.Add(-1)
	ctx, cancel := context.WithTimeout(s.ctx, taskSettle)
	defer cancel()
	for {
		t, _, err := s.e.cli.TaskInspectWithRaw(ctx, ev.ID)
		if err == nil {
			ev.Attributes["state"] = string(t.Status.State)
			ev.Attributes["desired"] = string(t.DesiredState)
			if settled(ev.Attributes["container.event"], ev.Attributes["health"], t) {
				break
			}
		}
		if isNotFound(err) || (clock.Real{}).Sleep(ctx, 20*time.Millisecond) != nil {
			break
		}
	}
	if s.ctx.Err() == nil {
		s.push(ev)
	}
}
