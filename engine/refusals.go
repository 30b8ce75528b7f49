package engine

import (
	"fmt"

	"github.com/docker/docker/api/types/container"
)

// What `docker stack deploy` refuses before it asks swarm for anything,
// in docker/cli's words, shared so that both engines say the same
// (docs/refusals.md).

// CheckedExternal reports whether docker/cli checks an external network
// before a deploy: networks that are not user-defined (bridge, host, none,
// default, container:...) exist on every node, so it does not.
func CheckedExternal(name string) bool {
	return container.NetworkMode(name).IsUserDefined()
}

// ExternalNetworkMissing is docker/cli's refusal of an external network
// that does not exist.
func ExternalNetworkMissing(name string) error {
	return fmt.Errorf("network %q is declared as external, but could not be found. "+
		"You need to create a swarm-scoped network before the stack is deployed", name)
}

// ExternalNetworkScope is docker/cli's refusal of an external network that
// is not swarm-scoped.
func ExternalNetworkScope(name, scope string) error {
	return fmt.Errorf("network %q is declared as external, but it is not in the right scope: %q instead of \"swarm\"", name, scope)
}
