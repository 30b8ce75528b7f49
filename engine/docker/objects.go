package docker

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// nameFilter filters a list by names (the daemon matches prefixes, so
// callers compare names exactly).
func nameFilter(names []string) filters.Args {
	args := filters.NewArgs()
	for _, n := range names {
		args.Add("name", n)
	}
	return args
}

// objectIDs are the IDs of secrets and configs by name, as a deploy saw
// them: the ones createObjects listed and the ones it created.
type objectIDs struct {
	secrets, configs map[string]string
}

// listed is an existing object as a listing shows it.
type listed struct {
	id      string
	version swarm.Version
	labels  map[string]string
}

// checkExternal refuses, as docker/cli's validateExternalNetworks does
// before anything changes, an external network that does not exist or is
// not swarm-scoped (docs/refusals.md).
func (e *Engine) checkExternal(ctx context.Context, st engine.Stack) error {
	for _, name := range st.ExternalNetworks {
		if !engine.CheckedExternal(name) {
			continue
		}
		n, err := e.cli.NetworkInspect(ctx, name, network.InspectOptions{})
		switch {
		case isNotFound(err):
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, engine.ExternalNetworkMissing(name))
		case err != nil:
			return fmt.Errorf("deploy stack %s: inspect external network %s: %w", st.Namespace, name, inSwarmWords(err))
		case n.Scope != "swarm":
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, engine.ExternalNetworkScope(name, n.Scope))
		}
	}
	return nil
}

// createObjects does what `docker stack deploy` does before the services:
// it creates the stack's missing networks, then creates each secret and
// config, or updates it when it exists, which swarm refuses for a change of
// data (docs/refusals.md). It returns the IDs of the secrets and configs it
// listed or created, for resolveRefs.
func (e *Engine) createObjects(ctx context.Context, st engine.Stack) (objectIDs, error) {
	ids := objectIDs{secrets: map[string]string{}, configs: map[string]string{}}
	if err := e.createNetworks(ctx, st); err != nil {
		return ids, err
	}
	var err error
	// Secret values are sent to the daemon only, never printed.
	if ids.secrets, err = putAll(ctx, e, st.Namespace, "secret", st.Secrets,
		func(s swarm.SecretSpec) string { return s.Name },
		func(ctx context.Context, args filters.Args) (map[string]listed, error) {
			list, err := e.cli.SecretList(ctx, swarm.SecretListOptions{Filters: args})
			return byName(list, func(s swarm.Secret) (string, listed) {
				return s.Spec.Name, listed{s.ID, s.Version, s.Spec.Labels}
			}), err
		},
		func(ctx context.Context, spec swarm.SecretSpec) (string, error) {
			spec.Labels = e.runLabels(spec.Labels)
			resp, err := e.cli.SecretCreate(ctx, spec)
			return resp.ID, err
		},
		func(ctx context.Context, cur listed, spec swarm.SecretSpec) error {
			spec.Labels = e.updateLabels(spec.Labels, cur.labels)
			return e.cli.SecretUpdate(ctx, cur.id, cur.version, spec)
		}); err != nil {
		return ids, err
	}
	ids.configs, err = putAll(ctx, e, st.Namespace, "config", st.Configs,
		func(c swarm.ConfigSpec) string { return c.Name },
		func(ctx context.Context, args filters.Args) (map[string]listed, error) {
			list, err := e.cli.ConfigList(ctx, swarm.ConfigListOptions{Filters: args})
			return byName(list, func(c swarm.Config) (string, listed) {
				return c.Spec.Name, listed{c.ID, c.Version, c.Spec.Labels}
			}), err
		},
		func(ctx context.Context, spec swarm.ConfigSpec) (string, error) {
			spec.Labels = e.runLabels(spec.Labels)
			resp, err := e.cli.ConfigCreate(ctx, spec)
			return resp.ID, err
		},
		func(ctx context.Context, cur listed, spec swarm.ConfigSpec) error {
			spec.Labels = e.updateLabels(spec.Labels, cur.labels)
			return e.cli.ConfigUpdate(ctx, cur.id, cur.version, spec)
		})
	return ids, err
}

// createNetworks creates the stack's networks that do not exist.
func (e *Engine) createNetworks(ctx context.Context, st engine.Stack) error {
	_, err := putAll(ctx, e, st.Namespace, "network", slices.Sorted(maps.Keys(st.Networks)), func(n string) string { return n },
		func(ctx context.Context, args filters.Args) (map[string]listed, error) {
			list, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: args})
			return byName(list, func(n network.Summary) (string, listed) { return n.Name, listed{id: n.ID} }), err
		},
		func(ctx context.Context, name string) (string, error) {
			opts := st.Networks[name]
			opts.Labels = e.runLabels(opts.Labels)
			if opts.Driver == "" {
				opts.Driver = "overlay"
			}
			resp, err := e.cli.NetworkCreate(ctx, name, opts)
			return resp.ID, err
		}, nil)
	return err
}

// updateLabels are the labels an update of an existing secret or config
// sends: the stack's, with the run label the object has. One chaosrun did
// not create keeps its own labels unless adopting: the update then only
// has swarm check its data.
func (e *Engine) updateLabels(labels, cur map[string]string) map[string]string {
	if cur[RunLabel] == "" && !e.opts.Adopt {
		return maps.Clone(cur)
	}
	return keepOwner(e.runLabels(labels), cur)
}

// putAll lists the objects of one kind named by items and, in order,
// creates those that do not exist and updates (with update; nil leaves
// them) those that do. It returns the IDs by name of the objects listed
// (which may include longer names: the daemon matches prefixes) and
// created; never nil.
func putAll[T any](ctx context.Context, e *Engine, ns, kind string, items []T, nameOf func(T) string,
	list func(context.Context, filters.Args) (map[string]listed, error),
	create func(context.Context, T) (string, error),
	update func(context.Context, listed, T) error) (map[string]string, error) {
	ids := map[string]string{}
	if len(items) == 0 {
		return ids, nil
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = nameOf(it)
	}
	have, err := list(ctx, nameFilter(names))
	if err != nil {
		return nil, fmt.Errorf("deploy stack %s: list %ss: %w", ns, kind, err)
	}
	for name, o := range have {
		ids[name] = o.id
	}
	for i, it := range items {
		cur, ok := have[names[i]]
		switch {
		case ok && update != nil:
			if err := update(ctx, cur, it); err != nil {
				return nil, fmt.Errorf("deploy stack %s: update %s %s: %w", ns, kind, names[i], inSwarmWords(err))
			}
		case !ok:
			id, err := create(ctx, it)
			if err != nil {
				return nil, fmt.Errorf("deploy stack %s: create %s %s: %w", ns, kind, names[i], inSwarmWords(err))
			}
			ids[names[i]] = id
		}
	}
	return ids, nil
}

// byName maps the names of listed objects to what a deploy needs of them.
func byName[T any](list []T, of func(T) (string, listed)) map[string]listed {
	out := make(map[string]listed, len(list))
	for _, o := range list {
		name, l := of(o)
		out[name] = l
	}
	return out
}

// idsByName maps the names of listed objects to their IDs.
func idsByName[T any](list []T, nameID func(T) (name, id string)) map[string]string {
	out := make(map[string]string, len(list))
	for _, o := range list {
		name, id := nameID(o)
		out[name] = id
	}
	return out
}

// resolveRefs fills in the IDs of secret and config references that name
// their object only (as a compose conversion without a daemon leaves them),
// the way `docker stack deploy` looks them up: in ids, else in a listing of
// every secret or config (whose IDs it adds to ids). spec itself is not
// changed.
func (e *Engine) resolveRefs(ctx context.Context, spec swarm.ServiceSpec, ids objectIDs) (swarm.ServiceSpec, error) {
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil || (!missingIDs(cs.Secrets, secretRef) && !missingIDs(cs.Configs, configRef)) {
		return spec, nil
	}
	c := *cs
	var err error
	if missingIDs(c.Secrets, secretRef) {
		c.Secrets, err = withIDs(cs.Secrets, secretRef, ids.secrets, func() (map[string]string, error) {
			list, err := e.cli.SecretList(ctx, swarm.SecretListOptions{})
			return idsByName(list, func(s swarm.Secret) (string, string) { return s.Spec.Name, s.ID }), err
		})
		if err != nil {
			return spec, fmt.Errorf("service %s: %w", spec.Name, err)
		}
	}
	if missingIDs(c.Configs, configRef) {
		c.Configs, err = withIDs(cs.Configs, configRef, ids.configs, func() (map[string]string, error) {
			list, err := e.cli.ConfigList(ctx, swarm.ConfigListOptions{})
			return idsByName(list, func(c swarm.Config) (string, string) { return c.Spec.Name, c.ID }), err
		})
		if err != nil {
			return spec, fmt.Errorf("service %s: %w", spec.Name, err)
		}
	}
	spec.TaskTemplate.ContainerSpec = &c
	return spec, nil
}

// refField gives a secret or config reference's ID field and the name it
// refers to, for missingIDs and withIDs.
type refField[R any] func(*R) (id *string, kind, name string)

func secretRef(r *swarm.SecretReference) (*string, string, string) {
	return &r.SecretID, "secret", r.SecretName
}

func configRef(r *swarm.ConfigReference) (*string, string, string) {
	return &r.ConfigID, "config", r.ConfigName
}

// missingIDs reports whether a reference lacks its object's ID.
func missingIDs[R any](refs []*R, field refField[R]) bool {
	for _, r := range refs {
		if id, _, _ := field(r); *id == "" {
			return true
		}
	}
	return false
}

// withIDs returns copies of refs with each missing ID looked up by name in
// ids; names not there are looked up in listAll (called at most once,
// its IDs added to ids). refs itself is not changed.
func withIDs[R any](refs []*R, field refField[R], ids map[string]string,
	listAll func() (map[string]string, error)) ([]*R, error) {
	out := make([]*R, len(refs))
	listed := false
	for i, r := range refs {
		ref := *r
		if id, kind, name := field(&ref); *id == "" {
			if _, ok := ids[name]; !ok && !listed {
				all, err := listAll()
				if err != nil {
					return nil, fmt.Errorf("list %ss: %w", kind, err)
				}
				maps.Copy(ids, all)
				listed = true
			}
			if *id = ids[name]; *id == "" {
				return nil, fmt.Errorf("%s %s does not exist", kind, name)
			}
		}
		out[i] = &ref
	}
	return out, nil
}
