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

	cswarm "github.com/coop-cloud/chaosrun/swarm"
)

// removeTimeout bounds waiting for removed objects to be gone, when the
// caller's context has no earlier deadline.
const removeTimeout = 90 * time.Second

// object is one swarm object to remove.
type object struct {
	kind string // service, network, secret or config
	id   string
	name string
	run  string // its chaosrun.run label
}

func (o object) String() string { return o.kind + " " + o.name }

// Remove removes a stack's services, then the networks, secrets and configs
// carrying its namespace label that chaosrun created (all of them when
// adopting), and waits until they are gone: service removal is
// asynchronous, and a network cannot go while tasks are attached. A stack
// with services chaosrun did not create is refused unless Options.Adopt.
func (e *Engine) Remove(ctx context.Context, namespace string) error {
	ns := filters.Arg("label", cswarm.NamespaceLabel+"="+namespace)
	services, err := e.existingServices(ctx, namespace, nil)
	if err != nil {
		return fmt.Errorf("remove stack %s: %w", namespace, err)
	}
	if err := e.checkOwned("remove", namespace, services); err != nil {
		return err
	}
	objs, err := listObjects(ctx, e.cli, filters.NewArgs(ns))
	if err != nil {
		return fmt.Errorf("remove stack %s: %w", namespace, err)
	}
	var mine []object
	for _, o := range objs {
		if o.kind == "service" || o.run != "" || e.opts.Adopt {
			mine = append(mine, o)
		}
	}
	if len(mine) == 0 {
		return fmt.Errorf("remove stack %s: nothing found: %w", namespace, cswarm.ErrNotFound)
	}
	if err := removeAll(ctx, e.cli, mine); err != nil {
		return fmt.Errorf("remove stack %s: %w", namespace, err)
	}
	return nil
}

// listObjects lists the services, networks, secrets and configs matching
// args, services first.
func listObjects(ctx context.Context, cli *client.Client, args filters.Args) ([]object, error) {
	var out []object
	services, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	for _, s := range services {
		out = append(out, object{"service", s.ID, s.Spec.Name, s.Spec.Labels[RunLabel]})
	}
	networks, err := cli.NetworkList(ctx, network.ListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range networks {
		out = append(out, object{"network", n.ID, n.Name, n.Labels[RunLabel]})
	}
	secrets, err := cli.SecretList(ctx, swarm.SecretListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	for _, s := range secrets {
		out = append(out, object{"secret", s.ID, s.Spec.Name, s.Spec.Labels[RunLabel]})
	}
	configs, err := cli.ConfigList(ctx, swarm.ConfigListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list configs: %w", err)
	}
	for _, c := range configs {
		out = append(out, object{"config", c.ID, c.Spec.Name, c.Spec.Labels[RunLabel]})
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
		for _, o := range sortedObjects(left) {
			gone, why := removeOne(ctx, cli, o)
			if gone {
				delete(left, o)
			} else {
				left[o] = why
			}
		}
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

// removeOne asks for o's removal; it reports whether o is gone, or why not.
func removeOne(ctx context.Context, cli *client.Client, o object) (bool, string) {
	var err error
	switch o.kind {
	case "service":
		err = cli.ServiceRemove(ctx, o.id)
		if err == nil || isNotFound(err) {
			return serviceGone(ctx, cli, o)
		}
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
	return false, strings.Join(strings.Fields(err.Error()), " ")
}

// serviceGone reports whether a removed service's tasks are gone from the
// swarm and its containers from this node (a task being prepared as the
// service goes can still start a container).
func serviceGone(ctx context.Context, cli *client.Client, o object) (bool, string) {
	tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{})
	if err != nil {
		return false, "list tasks: " + err.Error()
	}
	n := 0
	for _, t := range tasks {
		if t.ServiceID == o.id {
			n++
		}
	}
	if n > 0 {
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
