package serve

import (
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine/sim"
)

// objects lists the secrets or configs that f keeps.
func (b swarmBackend) objects(kind string, f filters.Args, accepted []string) ([]sim.Object, error) {
	if err := validate(f, accepted); err != nil {
		return nil, err
	}
	var all []sim.Object
	if err := b.do(false, func(s *sim.Sim) error { all = s.Objects(kind); return nil }); err != nil {
		return nil, err
	}
	var out []sim.Object
	for _, o := range all {
		if common(f, o.Name, o.ID, o.Labels) && oneOf(f.Get("names"), o.Name) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (b swarmBackend) object(kind, ref string) (o sim.Object, err error) {
	err = b.do(false, func(s *sim.Sim) (err error) { o, err = s.ObjectByRef(kind, ref); return })
	return o, err
}

func (b swarmBackend) create(kind string, a swarm.Annotations, data []byte) (id string, err error) {
	err = b.do(true, func(s *sim.Sim) (err error) { id, err = s.CreateObject(kind, a.Name, a.Labels, data); return })
	return id, err
}

func (b swarmBackend) update(kind, ref string, version uint64, a swarm.Annotations, data []byte) error {
	return b.do(true, func(s *sim.Sim) error { return s.UpdateObject(kind, ref, version, a.Labels, data) })
}

func (b swarmBackend) remove(kind, ref string) error {
	return b.do(true, func(s *sim.Sim) error { return s.RemoveObject(kind, ref) })
}

// secret is o as the API shows a secret: never its data.
func secret(o sim.Object) swarm.Secret {
	return swarm.Secret{ID: o.ID, Meta: o.Created, Spec: swarm.SecretSpec{Annotations: swarm.Annotations{Name: o.Name, Labels: o.Labels}}}
}

func config(o sim.Object) swarm.Config {
	return swarm.Config{ID: o.ID, Meta: o.Created, Spec: swarm.ConfigSpec{Annotations: swarm.Annotations{Name: o.Name, Labels: o.Labels}, Data: o.Data}}
}

func (b swarmBackend) GetSecrets(opts swarm.SecretListOptions) ([]swarm.Secret, error) {
	list, err := b.objects("secret", opts.Filters, secretFilters)
	out := make([]swarm.Secret, len(list))
	for i, o := range list {
		out[i] = secret(o)
	}
	return out, err
}

func (b swarmBackend) GetSecret(ref string) (swarm.Secret, error) {
	o, err := b.object("secret", ref)
	return secret(o), err
}

func (b swarmBackend) CreateSecret(s swarm.SecretSpec) (string, error) {
	return b.create("secret", s.Annotations, s.Data)
}

func (b swarmBackend) UpdateSecret(ref string, version uint64, s swarm.SecretSpec) error {
	return b.update("secret", ref, version, s.Annotations, s.Data)
}

func (b swarmBackend) RemoveSecret(ref string) error { return b.remove("secret", ref) }

func (b swarmBackend) GetConfigs(opts swarm.ConfigListOptions) ([]swarm.Config, error) {
	list, err := b.objects("config", opts.Filters, configFilters)
	out := make([]swarm.Config, len(list))
	for i, o := range list {
		out[i] = config(o)
	}
	return out, err
}

func (b swarmBackend) GetConfig(ref string) (swarm.Config, error) {
	o, err := b.object("config", ref)
	return config(o), err
}

func (b swarmBackend) CreateConfig(c swarm.ConfigSpec) (string, error) {
	return b.create("config", c.Annotations, c.Data)
}

func (b swarmBackend) UpdateConfig(ref string, version uint64, c swarm.ConfigSpec) error {
	return b.update("config", ref, version, c.Annotations, c.Data)
}

func (b swarmBackend) RemoveConfig(ref string) error { return b.remove("config", ref) }
