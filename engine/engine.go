// Package engine is the small interface chaosrun's builtins use to talk to a
// Docker Swarm, in Docker's own API types. Two engines implement it: the
// deterministic simulator (engine/sim) and a real swarm (engine/docker). A
// scenario cannot tell them apart except by time.
package engine

import (
	"context"
	"errors"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
)

// Engine is a swarm that stacks are deployed to. What Service and Tasks
// return is read-only to the caller: the simulator shares it between calls.
type Engine interface {
	// Name is "sim" or "docker".
	Name() string
	// Clock is the engine's time source; on the simulator it is virtual.
	Clock() clock.Clock
	// Deploy creates or updates a stack the way `docker stack deploy` does:
	// external networks are checked first, networks that do not exist are
	// created, secrets and configs are created or (when they exist) updated,
	// which swarm refuses for a change of data, then each service is
	// created, or updated (at its current version index) when it exists.
	// Swarm's refusals are the errors, in swarm's words (docs/refusals.md).
	// It changes nothing st points to: the build cache shares specs
	// between deploys, so an engine copies a spec before changing it.
	Deploy(ctx context.Context, st Stack) error
	// Secrets lists the names of the secrets that exist on the swarm.
	Secrets(ctx context.Context) ([]string, error)
	// Service inspects one service by full name (<stack>_<service>; an ID
	// is no name). A missing service wraps ErrNotFound.
	Service(ctx context.Context, name string) (swarm.Service, error)
	// Tasks lists a service's tasks (by full name, as for Service) by slot,
	// newest first per slot; upToDate keeps only tasks whose spec matches
	// the service's current spec, like the Engine's `_up-to-date=true` task
	// filter. A missing service wraps ErrNotFound.
	Tasks(ctx context.Context, service string, upToDate bool) ([]swarm.Task, error)
	// Remove removes a stack's services, networks and the secrets it created,
	// and returns once they are really gone. A stack's objects are those
	// carrying its NamespaceLabel, whatever their names, as `docker stack
	// rm` finds them; a stack without any wraps ErrNotFound, and an empty
	// namespace is an error (it would match everything unlabelled).
	Remove(ctx context.Context, namespace string) error
	// Subscribe starts a stream of service and task events. It lasts until
	// Close, or until ctx ends; what it holds is released only then.
	Subscribe(ctx context.Context) Subscription
}

// Stack is what a stack deploy sends: everything already converted from
// compose and named with the stack namespace.
type Stack struct {
	Namespace string
	// Networks to create when missing, by full name.
	Networks map[string]network.CreateOptions
	// ExternalNetworks must exist, swarm-scoped, before anything is
	// deployed (docker/cli's validateExternalNetworks), by name.
	ExternalNetworks []string
	// Secrets to create when missing, or to update (labels only; swarm
	// refuses a change of data) when they exist. Spec.Data holds the value,
	// which is never printed.
	Secrets []swarm.SecretSpec
	// Configs to create when missing or update when they exist, like
	// Secrets.
	Configs []swarm.ConfigSpec
	// Services by full name (<stack>_<service>).
	Services map[string]swarm.ServiceSpec
	// Faults to inject into the new tasks this deploy starts, by full
	// service name.
	Faults map[string][]Fault
}

// Subscription is a stream of engine events.
type Subscription interface {
	// Next returns the next event, or clock.ErrDeadline when the deadline
	// (zero: none) passes first, or ctx.Err(), or ErrClosed after Close.
	Next(ctx context.Context, deadline time.Time) (Event, error)
	// Close ends the stream and releases what it holds (the simulator's
	// queue; the daemon's event connection and its goroutines). Closing
	// twice is harmless.
	Close()
}

// ErrClosed is what Next returns once its subscription is closed.
var ErrClosed = errors.New("subscription closed")

// Event is a change to a service or a task.
type Event struct {
	Time time.Time
	// Type is "service" or "task".
	Type string
	// Action is create, update or remove.
	Action string
	// Service is the full service name; ID is the service or task ID, or
	// none on an engine's own event (the docker engine's re-check
	// requests, engine/docker/events.go).
	Service string
	ID      string
	// Attributes as the Engine reports them for services (updatestate.new,
	// image.new, ...) and, for tasks, "state" and "desired". They are
	// read-only: the simulator shares them between subscribers.
	Attributes map[string]string
}

// Fault kinds: what makes the new task of an update fail. Both engines
// accept the same names; an engine that cannot inject one says so.
const (
	// FaultUnhealthy makes the new task's healthcheck fail.
	FaultUnhealthy = "unhealthy"
	// FaultCrash makes the new task exit non-zero After it starts.
	FaultCrash = "crash"
	// FaultKill kills the new task's container once it is running.
	FaultKill = "kill"
	// FaultMemory puts memory pressure on the node (Bytes held).
	FaultMemory = "memory_pressure"
)

// Fault is one injected failure.
type Fault struct {
	Kind  string
	After time.Duration
	Bytes int64
}

// ErrNotFound is returned (wrapped) when a service or stack does not exist.
var ErrNotFound = errors.New("not found")

// NamespaceLabel is the label `docker stack deploy` puts on every object of a stack.
const NamespaceLabel = "com.docker.stack.namespace"

// ErrUnavailable is returned (wrapped) when the engine cannot be reached or
// is not a swarm manager; chaosrun exits 3 on it.
var ErrUnavailable = errors.New("swarm engine unavailable")

// ErrUnsupported is returned (wrapped) for a request an engine cannot honour,
// such as a fault the real swarm cannot inject.
var ErrUnsupported = errors.New("not supported by this engine")

// NodeAdmin is an engine whose swarm's nodes can be listed and changed,
// as `docker node ls`, `docker node inspect` and `docker node update` do.
type NodeAdmin interface {
	// Nodes lists the nodes, managers first, in the order they joined.
	Nodes(ctx context.Context) ([]swarm.Node, error)
	// SetNode changes the node named by ref (an ID, or a hostname that
	// names one node): availability ("active", "pause" or "drain"; ""
	// keeps it) and labels (nil keeps them; a map replaces them).
	SetNode(ctx context.Context, ref, availability string, labels map[string]string) error
}
