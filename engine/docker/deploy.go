package docker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Deploy creates or updates a stack the way `docker stack deploy` does:
// external networks are checked, missing networks created, secrets and
// configs created or updated (createObjects), then each service is created,
// or updated at its current version index keeping its ForceUpdate counter.
// The daemon's refusals come back in swarm's words (docs/refusals.md). Faults are planned and
// checked before anything changes. A stack with services chaosrun did not
// create is refused unless Options.Adopt (an error wrapping ErrNotOwned).
func (e *Engine) Deploy(ctx context.Context, st engine.Stack) error {
	if st.Namespace == "" {
		return fmt.Errorf("deploy: empty stack namespace")
	}
	plans, err := e.planAll(ctx, st)
	if err != nil {
		return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
	}
	names := slices.Sorted(maps.Keys(st.Services))
	existing, err := e.existingServices(ctx, st.Namespace, names)
	if err != nil {
		return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
	}
	if err := e.checkOwned("deploy", st.Namespace, existing); err != nil {
		return err
	}
	if err := e.checkExternal(ctx, st); err != nil {
		return err
	}
	ids, err := e.createObjects(ctx, st)
	if err != nil {
		return err
	}
	e.remember(names)
	for _, name := range names {
		var cur *swarm.Service
		if s, ok := existing[name]; ok {
			cur = &s
		}
		if err := e.deployService(ctx, name, st.Services[name], cur, plans[name], ids); err != nil {
			return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(plans)) {
		for _, f := range plans[name].pressure {
			if err := e.startPressure(ctx, st.Namespace, f); err != nil {
				return fmt.Errorf("deploy stack %s: %w", st.Namespace, err)
			}
		}
	}
	return nil
}

// planAll plans the stack's faults, refusing those it cannot inject.
func (e *Engine) planAll(ctx context.Context, st engine.Stack) (map[string]faultPlan, error) {
	plans := map[string]faultPlan{}
	for name, faults := range st.Faults {
		spec, ok := st.Services[name]
		if !ok {
			return nil, fmt.Errorf("faults for service %s, which the stack does not have", name)
		}
		p, err := planFaults(name, spec, faults)
		if err != nil {
			return nil, err
		}
		plans[name] = p
	}
	if err := e.checkPressure(ctx, plans); err != nil {
		return nil, err
	}
	return plans, nil
}

// checkPressure checks, before anything changes, that memory pressure can
// be put on the node when a plan asks for it.
func (e *Engine) checkPressure(ctx context.Context, plans map[string]faultPlan) error {
	for _, p := range plans {
		if len(p.pressure) > 0 {
			return e.checkPressureImage(ctx)
		}
	}
	return nil
}

// existingServices finds the stack's services (by namespace label) and any
// other service with one of the given names.
func (e *Engine) existingServices(ctx context.Context, ns string, names []string) (map[string]swarm.Service, error) {
	byLabel, err := e.cli.ServiceList(ctx, swarm.ServiceListOptions{
		Filters: filters.NewArgs(filters.Arg("label", engine.NamespaceLabel+"="+ns))})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	out := map[string]swarm.Service{}
	for _, s := range byLabel {
		out[s.Spec.Name] = s
	}
	if len(names) == 0 {
		return out, nil
	}
	byName, err := e.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: nameFilter(names)})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	for _, s := range byName {
		if slices.Contains(names, s.Spec.Name) { // the name filter matches prefixes
			out[s.Spec.Name] = s
		}
	}
	return out, nil
}

// checkOwned refuses to touch services chaosrun did not create, unless Adopt.
func (e *Engine) checkOwned(verb, ns string, services map[string]swarm.Service) error {
	if e.opts.Adopt {
		return nil
	}
	var foreign []string
	for name, s := range services {
		if s.Spec.Labels[RunLabel] == "" {
			foreign = append(foreign, name)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	slices.Sort(foreign)
	return fmt.Errorf("%s stack %s: service %s exists and was not created by chaosrun (no %s label); "+
		"refusing to change it: use another stack name, or adopt the stack (--adopt) to let chaosrun update and remove it: %w",
		verb, ns, strings.Join(foreign, ", "), RunLabel, ErrNotOwned)
}

// deployService creates or updates one service, injecting its faults; ids
// are the secrets and configs createObjects saw.
func (e *Engine) deployService(ctx context.Context, name string, spec swarm.ServiceSpec, cur *swarm.Service,
	plan faultPlan, ids objectIDs) error {
	if spec.Name == "" {
		spec.Name = name
	}
	if spec.Name != name {
		return fmt.Errorf("service %s: spec is named %s", name, spec.Name)
	}
	spec = plan.apply(spec)
	spec, err := e.resolveRefs(ctx, spec, ids)
	if err != nil {
		return err
	}
	spec.Labels = e.serviceLabels(spec.Labels, cur)
	var before map[string]bool
	if plan.kill != nil {
		if before, err = e.taskIDs(ctx, name); err != nil {
			return err
		}
	}
	var warnings []string
	if cur == nil {
		resp, err := e.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{})
		if err != nil {
			return fmt.Errorf("create service %s: %w", name, inSwarmWords(err))
		}
		warnings = resp.Warnings
	} else {
		w, err := e.updateService(ctx, name, spec, *cur)
		if err != nil {
			return err
		}
		warnings = w
	}
	for _, w := range warnings {
		e.logf("service %s: daemon warning: %s", name, w)
	}
	if plan.kill != nil {
		e.startKill(killWatch{service: name, before: before, after: *plan.kill, slots: slotCount(spec)})
	}
	return nil
}

// updateService updates a service at its current version; when the
// updater's own writes move the version on in between, it re-reads the
// service and tries again.
func (e *Engine) updateService(ctx context.Context, name string, spec swarm.ServiceSpec, cur swarm.Service) ([]string, error) {
	for attempt := 0; ; attempt++ {
		spec.TaskTemplate.ForceUpdate = cur.Spec.TaskTemplate.ForceUpdate
		resp, err := e.cli.ServiceUpdate(ctx, cur.ID, cur.Version, spec, swarm.ServiceUpdateOptions{})
		if err == nil {
			return resp.Warnings, nil
		}
		if attempt >= 4 || !strings.Contains(err.Error(), "out of sequence") {
			return nil, fmt.Errorf("update service %s at version %d: %w", name, cur.Version.Index, inSwarmWords(err))
		}
		cur, _, err = e.cli.ServiceInspectWithRaw(ctx, cur.ID, swarm.ServiceInspectOptions{})
		if err != nil {
			return nil, fmt.Errorf("update service %s: inspect after a version conflict: %w", name, err)
		}
	}
}

// serviceLabels returns the service labels to deploy: a new service gets
// chaosrun.run=<RunID>; an existing one keeps the run label it has (the run
// that created it owns it), and an adopted one is not labelled.
func (e *Engine) serviceLabels(labels map[string]string, cur *swarm.Service) map[string]string {
	if cur == nil {
		return e.runLabels(labels)
	}
	return keepOwner(e.runLabels(labels), cur.Spec.Labels)
}

// keepOwner gives labels, which it changes, the run and owner labels of
// cur, the existing object's labels: the run that created it owns it, and
// one that has none (an adopted one) gets none.
func keepOwner(labels, cur map[string]string) map[string]string {
	for _, k := range ownerKeys {
		if v := cur[k]; v != "" && cur[RunLabel] != "" {
			labels[k] = v
		} else {
			delete(labels, k)
		}
	}
	return labels
}

// slotCount is how many tasks a service runs: its replicas, or 1.
func slotCount(spec swarm.ServiceSpec) int {
	if r := spec.Mode.Replicated; r != nil && r.Replicas != nil && *r.Replicas > 0 {
		return int(*r.Replicas)
	}
	return 1
}

// runLabels returns labels plus chaosrun.run=<RunID> and the owner
// labels, leaving labels alone.
func (e *Engine) runLabels(labels map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, ownerLabels(e.opts.RunID, e.opts.Owner))
	return out
}
