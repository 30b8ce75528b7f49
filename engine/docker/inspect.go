package docker

import (
	"context"
	"fmt"
	"slices"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// isNotFound reports whether the daemon said an object does not exist.
func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// Service inspects one service by its full name, as `docker service
// inspect` shows it (with the swarm's defaults filled into Spec). A missing
// service gives an error wrapping engine.ErrNotFound.
func (e *Engine) Service(ctx context.Context, name string) (swarm.Service, error) {
	s, _, err := e.cli.ServiceInspectWithRaw(ctx, name, swarm.ServiceInspectOptions{InsertDefaults: true})
	if isNotFound(err) || (err == nil && s.Spec.Name != name) {
		// The daemon also resolves ID prefixes; we want the name.
		return swarm.Service{}, fmt.Errorf("service %s: %w", name, engine.ErrNotFound)
	}
	if err != nil {
		return swarm.Service{}, fmt.Errorf("inspect service %s: %w", name, err)
	}
	return s, nil
}

// Tasks lists a service's tasks, by slot (or node, for global services),
// newest first within each. With upToDate, only tasks whose spec matches
// the service's current spec, through the daemon's `_up-to-date` filter
// (swarmkit's IsTaskDirty). A missing service wraps engine.ErrNotFound.
func (e *Engine) Tasks(ctx context.Context, service string, upToDate bool) ([]swarm.Task, error) {
	ref := service
	if couldBeID(service) {
		// The daemon resolves the filter as an ID, a name or an ID prefix;
		// engine.Engine's Tasks takes names only.
		s, err := e.Service(ctx, service)
		if err != nil {
			return nil, fmt.Errorf("tasks of %w", err)
		}
		ref = s.ID
	}
	args := filters.NewArgs(filters.Arg("service", ref))
	if upToDate {
		args.Add("_up-to-date", "true")
	}
	tasks, err := e.cli.TaskList(ctx, swarm.TaskListOptions{Filters: args})
	if isNotFound(err) {
		return nil, fmt.Errorf("tasks of service %s: %w", service, engine.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("list tasks of service %s: %w", service, err)
	}
	sortTasks(tasks)
	return tasks, nil
}

// couldBeID reports whether name could be a swarm object ID or a prefix of
// one (lower-case alphanumerics); a stack's service names, with their "_",
// cannot.
func couldBeID(name string) bool {
	return !strings.ContainsFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') })
}

// Secrets lists the names of the secrets on the swarm, sorted.
func (e *Engine) Secrets(ctx context.Context) ([]string, error) {
	list, err := e.cli.SecretList(ctx, swarm.SecretListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	names := make([]string, 0, len(list))
	for _, s := range list {
		names = append(names, s.Spec.Name)
	}
	slices.Sort(names)
	return names, nil
}

// sortTasks is engine.SortTasks with tasks created at the same time in ID
// order, so that the daemon's list order never shows.
func sortTasks(tasks []swarm.Task) {
	slices.SortFunc(tasks, func(a, b swarm.Task) int { return strings.Compare(a.ID, b.ID) })
	engine.SortTasks(tasks)
}
