package recipe

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/docker/cli/cli/compose/convert"
	composetypes "github.com/docker/cli/cli/compose/types"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/engine"
)

// DefaultAPIVersion is the Engine API version services are converted for
// when StackOptions names none (Docker 28.5's).
const DefaultAPIVersion = "1.51"

// StackOptions are the choices of one deploy.
type StackOptions struct {
	// Chaos deploys the checkout as it is, like `abra app deploy --chaos`.
	Chaos bool
	// APIVersion of the engine; "" means DefaultAPIVersion.
	APIVersion string
}

// Deploy is everything one `abra app deploy` of an app sends and checks.
type Deploy struct {
	// Stack is what the swarm engine deploys. Its fields are the caller's
	// to set or add to; what its service specs point to is shared with the
	// build cache and must not be changed.
	Stack engine.Stack
	// Version is the deploy version: the chaos version with Chaos.
	Version string
	// Secrets are the external secrets that must exist before the deploy.
	// (External networks are Stack.ExternalNetworks: the engine checks them.)
	Secrets []Secret
	// Compose is the loaded configuration, labels stamped.
	Compose *Compose
}

// Build follows abra's deploy flow up to the swarm calls: the deploy
// version (refusing a dirty tree without chaos), the compose files loaded,
// abra's labels stamped on the app service, every app env variable exposed
// to the app service, then docker/cli's converter for networks, secrets,
// configs and services. Secret and config references carry names only;
// their IDs are left empty for the engine to resolve by name at deploy time.
func (a *App) Build(opts StackOptions) (*Deploy, error) {
	version, err := a.DeployVersion(opts.Chaos)
	if err != nil {
		return nil, err
	}
	key := a.buildKey(opts, version)
	if d := a.cachedBuild(key); d != nil {
		return d, nil
	}
	d, err := a.build(opts, version)
	if err == nil {
		a.storeBuild(key, d)
	}
	return d, err
}

// build is Build without the cache. The compose files are read with the
// exports of the recipe's abra.sh in the env, as abra reads them.
func (a *App) build(opts StackOptions, version string) (*Deploy, error) {
	a, err := a.withAbraSh()
	if err != nil {
		return nil, err
	}
	c, err := a.LoadCompose()
	if err != nil {
		return nil, err
	}
	secrets, err := a.Secrets(c)
	if err != nil {
		return nil, err
	}
	stack := a.StackName()
	StampLabels(c.Config, stack, a.RecipeName(), opts.Chaos, version)
	ExposeAllEnv(c.Config, a.Env)
	st, err := convertStack(stack, c.Config, opts.APIVersion)
	if err != nil {
		return nil, err
	}
	return &Deploy{Stack: st, Version: version, Secrets: secrets, Compose: c}, nil
}

// ExposeAllEnv adds every app env variable to the app service's
// environment unless the service already sets it, as abra's
// appPkg.ExposeAllEnv does [D/M].
func ExposeAllEnv(cfg *composetypes.Config, env map[string]string) {
	for i := range cfg.Services {
		svc := &cfg.Services[i]
		if svc.Name != AppService {
			continue
		}
		if svc.Environment == nil {
			svc.Environment = composetypes.MappingWithEquals{}
		}
		for k, v := range env {
			if _, ok := svc.Environment[k]; !ok {
				value := v
				svc.Environment[k] = &value
			}
		}
	}
}

// convertStack runs docker/cli's converters over a loaded configuration.
func convertStack(stack string, cfg *composetypes.Config, apiVersion string) (engine.Stack, error) {
	if apiVersion == "" {
		apiVersion = DefaultAPIVersion
	}
	ns := convert.NewNamespace(stack)
	networks, externals := convert.Networks(ns, cfg.Networks, servicesNetworks(cfg.Services))
	sort.Strings(externals)
	secretSpecs, err := convert.Secrets(ns, cfg.Secrets)
	if err != nil {
		return engine.Stack{}, errors.New(cut.Text(err.Error()))
	}
	configSpecs, err := convert.Configs(ns, cfg.Configs)
	if err != nil {
		return engine.Stack{}, errors.New(cut.Text(err.Error()))
	}
	sort.Slice(secretSpecs, func(i, j int) bool { return secretSpecs[i].Name < secretSpecs[j].Name })
	sort.Slice(configSpecs, func(i, j int) bool { return configSpecs[i].Name < configSpecs[j].Name })
	st := engine.Stack{
		Namespace: stack, Networks: networks, ExternalNetworks: externals, Secrets: secretSpecs, Configs: configSpecs,
		Services: map[string]swarm.ServiceSpec{},
	}
	for _, svc := range cfg.Services {
		spec, err := convertService(apiVersion, ns, svc, cfg)
		if err != nil {
			return engine.Stack{}, fmt.Errorf("service %s: %s", echoRaw(svc.Name), cut.Text(err.Error()))
		}
		st.Services[spec.Name] = spec
	}
	return st, nil
}

// convertService converts one service with its secret and config
// references.
func convertService(apiVersion string, ns convert.Namespace, svc composetypes.ServiceConfig, cfg *composetypes.Config) (swarm.ServiceSpec, error) {
	secrets, err := secretRefs(ns, svc, cfg.Secrets)
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	configs, err := configRefs(ns, svc, cfg.Configs)
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	return convert.Service(apiVersion, ns, svc, cfg.Networks, cfg.Volumes, secrets, configs)
}

// servicesNetworks is the set of networks the services join, "default" for
// a service that names none, like `docker stack deploy`.
func servicesNetworks(services []composetypes.ServiceConfig) map[string]struct{} {
	nets := map[string]struct{}{}
	for _, s := range services {
		if len(s.Networks) == 0 {
			nets["default"] = struct{}{}
		}
		for n := range s.Networks {
			nets[n] = struct{}{}
		}
	}
	return nets
}

// fileRef is a service's reference to a secret or config, resolved the way
// docker/cli's converter does: the object's name (or the namespaced compose
// name), target defaulting to the source, uid/gid "0", mode 0444.
type fileRef struct {
	Name, Target, UID, GID string
	Mode                   os.FileMode
}

func resolveRef(ns convert.Namespace, ref composetypes.FileReferenceConfig, objName string) fileRef {
	r := fileRef{Name: ns.Scope(ref.Source), Target: ref.Target, UID: ref.UID, GID: ref.GID, Mode: 0o444}
	if objName != "" {
		r.Name = objName
	}
	if r.Target == "" {
		r.Target = ref.Source
	}
	if r.UID == "" {
		r.UID = "0"
	}
	if r.GID == "" {
		r.GID = "0"
	}
	if ref.Mode != nil {
		r.Mode = os.FileMode(*ref.Mode)
	}
	return r
}
