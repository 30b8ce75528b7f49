package recipe

import (
	"fmt"
	"sort"

	"github.com/docker/cli/cli/compose/convert"
	composetypes "github.com/docker/cli/cli/compose/types"
	"github.com/docker/docker/api/types/swarm"
)

// secretRefs builds a service's secret references, sorted by secret name
// like docker/cli. SecretID is left empty: the engine resolves it by name.
func secretRefs(ns convert.Namespace, svc composetypes.ServiceConfig, defs map[string]composetypes.SecretConfig) ([]*swarm.SecretReference, error) {
	refs := []*swarm.SecretReference{}
	targets := map[string]bool{}
	for _, s := range svc.Secrets {
		def, ok := defs[s.Source]
		if !ok {
			return nil, fmt.Errorf("undefined secret %s", echo(s.Source))
		}
		r := resolveRef(ns, composetypes.FileReferenceConfig(s), def.Name)
		if targets[r.Target] {
			return nil, fmt.Errorf("duplicate secret target for %s not allowed", echoRaw(r.Name))
		}
		targets[r.Target] = true
		refs = append(refs, &swarm.SecretReference{
			SecretName: r.Name,
			File:       &swarm.SecretReferenceFileTarget{Name: r.Target, UID: r.UID, GID: r.GID, Mode: r.Mode},
		})
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].SecretName < refs[j].SecretName })
	return refs, nil
}

// configRefs builds a service's config references, sorted by config name.
// ConfigID is left empty: the engine resolves it by name. Credential specs
// naming a config are not supported.
func configRefs(ns convert.Namespace, svc composetypes.ServiceConfig, defs map[string]composetypes.ConfigObjConfig) ([]*swarm.ConfigReference, error) {
	refs := []*swarm.ConfigReference{}
	for _, c := range svc.Configs {
		def, ok := defs[c.Source]
		if !ok {
			return nil, fmt.Errorf("undefined config %s", echo(c.Source))
		}
		r := resolveRef(ns, composetypes.FileReferenceConfig(c), def.Name)
		refs = append(refs, &swarm.ConfigReference{
			ConfigName: r.Name,
			File:       &swarm.ConfigReferenceFileTarget{Name: r.Target, UID: r.UID, GID: r.GID, Mode: r.Mode},
		})
	}
	if svc.CredentialSpec.Config != "" {
		return nil, fmt.Errorf("credential_spec.config is not supported")
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].ConfigName < refs[j].ConfigName })
	return refs, nil
}
