package docker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/procid"
)

// removeTimeout bounds waiting for removed objects to be gone, when the
// caller's context has no earlier deadline.
const removeTimeout = 90 * time.Second

// object is one swarm object to remove.
type object struct {
	kind  string // service, network, secret or config
	id    string
	name  string
	run   string    // its chaosrun.run label
	stack string    // its com.docker.stack.namespace label
	owner procid.ID // its owner labels; the zero ID when it has none
}

// newObject is the object of that kind, ID and name with these labels.
func newObject(kind, id, name string, labels map[string]string) object {
	return object{kind: kind, id: id, name: name, run: labels[RunLabel], stack: labels[engine.NamespaceLabel], owner: ownerOf(labels)}
}

func (o object) String() string { return o.kind + " " + o.name }

// Remove removes a stack's services, then the networks, secrets and configs
// carrying its namespace label that chaosrun created (all of them when
// adopting), and waits until they are gone: service removal is
// asynchronous, and a network cannot go while tasks are attached. A stack
// with services chaosrun did not create is refused unless Options.Adopt.
func (e *Engine) Remove(ctx context.Context, namespace string) error {
	if namespace == "" {
		return fmt.Errorf("remove: empty stack namespace")
	}
	args := filters.NewArgs(filters.Arg("label", engine.NamespaceLabel+"="+namespace))
	list, err := e.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	if err != nil {
		return fmt.Errorf("remove stack %s: list services: %w", namespace, err)
	}
	services := map[string]swarm.Service{}
	for _, s := range list {
		services[s.Spec.Name] = s
	}
	if err := e.checkOwned("remove", namespace, services); err != nil {
		return err
	}
	others, err := listOthers(ctx, e.cli, args)
	if err != nil {
		return fmt.Errorf("remove stack %s: %w", namespace, err)
	}
	var mine []object
	for _, o := range append(serviceObjects(list), others...) {
		if o.kind == "service" || o.run != "" || e.opts.Adopt {
			mine = append(mine, o)
		}
	}
	if len(mine) == 0 {
		return fmt.Errorf("remove stack %s: nothing found: %w", namespace, engine.ErrNotFound)
	}
	if err := removeAll(ctx, e.cli, mine); err != nil {
		return fmt.Errorf("remove stack %s: %w", namespace, err)
	}
	return nil
}

// listObjects lists the services, networks, secrets and configs matching
// args, services first.
func listObjects(ctx context.Context, cli *client.Client, args filters.Args) ([]object, error) {
	services, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	others, err := listOthers(ctx, cli, args)
	if err != nil {
		return nil, err
	}
	return append(serviceObjects(services), others...), nil
}

// serviceObjects is services as objects to remove.
func serviceObjects(services []swarm.Service) []object {
	var out []object
	for _, s := range services {
		out = append(out, newObject("service", s.ID, s.Spec.Name, s.Spec.Labels))
	}
	return out
}

// listOthers lists the networks, secrets and configs matching args.
func listOthers(ctx context.Context, cli *client.Client, args filters.Args) ([]object, error) {
	var out []object
	networks, err := cli.NetworkList(ctx, network.ListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range networks {
		out = append(out, newObject("network", n.ID, n.Name, n.Labels))
	}
	secrets, err := cli.SecretList(ctx, swarm.SecretListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	for _, s := range secrets {
		out = append(out, newObject("secret", s.ID, s.Spec.Name, s.Spec.Labels))
	}
	configs, err := cli.ConfigList(ctx, swarm.ConfigListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list configs: %w", err)
	}
	for _, c := range configs {
		out = append(out, newObject("config", c.ID, c.Spec.Name, c.Spec.Labels))
	}
	return out, nil
}

// removeAll removes services first, then retries the other objects until
// they are gone and the services' containers on this node have stopped and
// been removed. On timeout it says what is left.
func removeAll(ctx context.Context, cli *client.Client, objs []object) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, removeTimeout)
		defer cancel()
	}
	left := map[object]string{} // object → why it is still there
	for _, o := range objs {
		left[o] = "not yet removed"
	}
	start := time.Now()
	for {
		removeRound(ctx, cli, left)
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s, still present: %s", time.Since(start).Round(time.Second), describe(left))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// sortedObjects orders objects services first (networks, secrets and
// configs can only go after them), then by name.
func sortedObjects(m map[object]string) []object {
	rank := map[string]int{"service": 0, "network": 1, "secret": 2, "config": 3}
	out := make([]object, 0, len(m))
	for o := range m {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].kind] != rank[out[j].kind] {
			return rank[out[i].kind] < rank[out[j].kind]
		}
		return out[i].name < out[j].name
	})
	return out
}

// removeRound asks once for the removal of each object left, services
// first, and deletes from left those that are gone (the others get why).
// Removed services are checked against one listing of the swarm's tasks.
func removeRound(ctx context.Context, cli *client.Client, left map[object]string) {
	objs := sortedObjects(left)
	var removed []object // services whose removal the daemon accepted
	for _, o := range objs {
		if o.kind != "service" {
			continue
		}
		if err := cli.ServiceRemove(ctx, o.id); err != nil && !isNotFound(err) {
			left[o] = oneLine(err)
			continue
		}
		removed = append(removed, o)
	}
	if len(removed) > 0 {
		tasks, err := tasksByService(ctx, cli)
		for _, o := range removed {
			if gone, why := serviceGone(ctx, cli, o, tasks, err); gone {
				delete(left, o)
			} else {
				left[o] = why
			}
		}
	}
	for _, o := range objs {
		if o.kind == "service" {
			continue
		}
		if gone, why := removeOne(ctx, cli, o); gone {
			delete(left, o)
		} else {
			left[o] = why
		}
	}
}

// removeOne asks for the removal of o, a network, secret or config; it
// reports whether o is gone, or why not.
func removeOne(ctx context.Context, cli *client.Client, o object) (bool, string) {
	var err error
	switch o.kind {
	case "network":
		if err = cli.NetworkRemove(ctx, o.id); err == nil || isNotFound(err) {
			// The node's own copy of an overlay network can outlive the
			// swarm's while containers are still attached.
			if _, err = cli.NetworkInspect(ctx, o.id, network.InspectOptions{}); err == nil {
				return false, "still attached on this node"
			}
		}
	case "secret":
		err = cli.SecretRemove(ctx, o.id)
	case "config":
		err = cli.ConfigRemove(ctx, o.id)
	}
	if err == nil || isNotFound(err) {
		return true, ""
	}
	return false, oneLine(err)
}

// oneLine is err's message on one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// tasksByService counts the swarm's tasks by service ID. It lists every
// task, unfiltered: the daemon resolves a "service" filter to the service
// first, and fails once the service is removed, while its tasks can linger.
func tasksByService(ctx context.Context, cli *client.Client) (map[string]int, error) {
	tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{})
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, t := range tasks {
		n[t.ServiceID]++
	}
	return n, nil
}

// serviceGone reports whether a removed service's tasks are gone from the
// swarm (tasks, or listErr, from tasksByService) and its containers from
// this node (a task being prepared as the service goes can still start a
// container).
func serviceGone(ctx context.Context, cli *client.Client, o object, tasks map[string]int, listErr error) (bool, string) {
	if listErr != nil {
		return false, "list tasks: " + listErr.Error()
	}
	if n := tasks[o.id]; n > 0 {
		return false, fmt.Sprintf("%d tasks not yet removed", n)
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "com.docker.swarm.service.id="+o.id))})
	if err != nil {
		return false, "list its containers: " + err.Error()
	}
	if len(list) > 0 {
		return false, fmt.Sprintf("%d containers not yet removed", len(list))
	}
	return true, ""
}

// describe lists what is left and why, one clause per object.
func describe(left map[object]string) string {
	var parts []string
	for _, o := range sortedObjects(left) {
		parts = append(parts, fmt.Sprintf("%s (%s)", o, left[o]))
	}
	return strings.Join(parts, "; ")
}
