package docker

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	cswarm "github.com/coop-cloud/chaosrun/swarm"
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

// createObjects creates the stack's missing networks, secrets and configs,
// as `docker stack deploy` does before the services.
func (e *Engine) createObjects(ctx context.Context, st cswarm.Stack) error {
	if err := e.createNetworks(ctx, st); err != nil {
		return err
	}
	if err := e.createSecrets(ctx, st); err != nil {
		return err
	}
	return e.createConfigs(ctx, st)
}

// createNetworks creates the stack's missing networks, overlay by default.
func (e *Engine) createNetworks(ctx context.Context, st cswarm.Stack) error {
	if len(st.Networks) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(st.Networks))
	list, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: nameFilter(names)})
	if err != nil {
		return fmt.Errorf("deploy stack %s: list networks: %w", st.Namespace, err)
	}
	have := map[string]bool{}
	for _, n := range list {
		have[n.Name] = true
	}
	for _, name := range names {
		if have[name] {
			continue
		}
		opts := st.Networks[name]
		opts.Labels = e.runLabels(opts.Labels)
		if opts.Driver == "" {
			opts.Driver = "overlay"
		}
		if _, err := e.cli.NetworkCreate(ctx, name, opts); err != nil {
			return fmt.Errorf("deploy stack %s: create network %s: %w", st.Namespace, name, err)
		}
	}
	return nil
}

// createSecrets creates the stack's missing secrets. Values are sent to the
// daemon only, never printed.
func (e *Engine) createSecrets(ctx context.Context, st cswarm.Stack) error {
	if len(st.Secrets) == 0 {
		return nil
	}
	var names []string
	for _, s := range st.Secrets {
		names = append(names, s.Name)
	}
	list, err := e.cli.SecretList(ctx, swarm.SecretListOptions{Filters: nameFilter(names)})
	if err != nil {
		return fmt.Errorf("deploy stack %s: list secrets: %w", st.Namespace, err)
	}
	have := map[string]bool{}
	for _, s := range list {
		have[s.Spec.Name] = true
	}
	for _, spec := range st.Secrets {
		if have[spec.Name] {
			continue
		}
		spec.Labels = e.runLabels(spec.Labels)
		if _, err := e.cli.SecretCreate(ctx, spec); err != nil {
			return fmt.Errorf("deploy stack %s: create secret %s: %w", st.Namespace, spec.Name, err)
		}
	}
	return nil
}

// createConfigs creates the stack's missing configs.
func (e *Engine) createConfigs(ctx context.Context, st cswarm.Stack) error {
	if len(st.Configs) == 0 {
		return nil
	}
	var names []string
	for _, c := range st.Configs {
		names = append(names, c.Name)
	}
	list, err := e.cli.ConfigList(ctx, swarm.ConfigListOptions{Filters: nameFilter(names)})
	if err != nil {
		return fmt.Errorf("deploy stack %s: list configs: %w", st.Namespace, err)
	}
	have := map[string]bool{}
	for _, c := range list {
		have[c.Spec.Name] = true
	}
	for _, spec := range st.Configs {
		if have[spec.Name] {
			continue
		}
		spec.Labels = e.runLabels(spec.Labels)
		if _, err := e.cli.ConfigCreate(ctx, spec); err != nil {
			return fmt.Errorf("deploy stack %s: create config %s: %w", st.Namespace, spec.Name, err)
		}
	}
	return nil
}

// resolveRefs fills in the IDs of secret and config references that name
// their object only (as a compose conversion without a daemon leaves them),
// the way `docker stack deploy` looks them up. spec itself is not changed.
func (e *Engine) resolveRefs(ctx context.Context, spec swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil || (!missingSecretIDs(cs.Secrets) && !missingConfigIDs(cs.Configs)) {
		return spec, nil
	}
	c := *cs
	if missingSecretIDs(c.Secrets) {
		list, err := e.cli.SecretList(ctx, swarm.SecretListOptions{})
		if err != nil {
			return spec, fmt.Errorf("service %s: list secrets: %w", spec.Name, err)
		}
		ids := map[string]string{}
		for _, s := range list {
			ids[s.Spec.Name] = s.ID
		}
		c.Secrets = make([]*swarm.SecretReference, len(cs.Secrets))
		for i, r := range cs.Secrets {
			ref := *r
			if ref.SecretID == "" {
				if ref.SecretID = ids[ref.SecretName]; ref.SecretID == "" {
					return spec, fmt.Errorf("service %s: secret %s does not exist", spec.Name, ref.SecretName)
				}
			}
			c.Secrets[i] = &ref
		}
	}
	if missingConfigIDs(c.Configs) {
		list, err := e.cli.ConfigList(ctx, swarm.ConfigListOptions{})
		if err != nil {
			return spec, fmt.Errorf("service %s: list configs: %w", spec.Name, err)
		}
		ids := map[string]string{}
		for _, s := range list {
			ids[s.Spec.Name] = s.ID
		}
		c.Configs = make([]*swarm.ConfigReference, len(cs.Configs))
		for i, r := range cs.Configs {
			ref := *r
			if ref.ConfigID == "" {
				if ref.ConfigID = ids[ref.ConfigName]; ref.ConfigID == "" {
					return spec, fmt.Errorf("service %s: config %s does not exist", spec.Name, ref.ConfigName)
				}
			}
			c.Configs[i] = &ref
		}
	}
	spec.TaskTemplate.ContainerSpec = &c
	return spec, nil
}

func missingSecretIDs(refs []*swarm.SecretReference) bool {
	for _, r := range refs {
		if r.SecretID == "" {
			return true
		}
	}
	return false
}

func missingConfigIDs(refs []*swarm.ConfigReference) bool {
	for _, r := range refs {
		if r.ConfigID == "" {
			return true
		}
	}
	return false
}
