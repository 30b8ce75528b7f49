package docker

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/docker/docker/client"
)

// NodeDaemonsEnv names the daemons of the swarm's other nodes, for the
// faults that act on containers (kill, and crash of images other than the
// test app): addresses as DOCKER_HOST takes them, separated by commas or
// spaces. The manager's own daemon (DOCKER_HOST) needs no entry. A task on
// a node whose daemon is not named cannot be killed; the engine says so.
const NodeDaemonsEnv = "CHAOSRUN_NODE_DAEMONS"

// daemon is one node's Engine API, for acting on its containers.
type daemon struct {
	node string // the swarm node ID it runs
	host string
	cli  *client.Client
}

// connectNodeDaemons connects to the daemons NodeDaemonsEnv names and
// checks that each is a node of the same swarm as the manager's.
func connectNodeDaemons(ctx context.Context, manager *client.Client) ([]daemon, error) {
	hosts := strings.FieldsFunc(os.Getenv(NodeDaemonsEnv), func(r rune) bool { return r == ',' || r == ' ' })
	if len(hosts) == 0 {
		return nil, nil
	}
	var out []daemon
	for _, h := range hosts {
		cli, err := client.NewClientWithOpts(client.WithHost(h), client.WithAPIVersionNegotiation())
		if err != nil {
			closeDaemons(out)
			return nil, unavailable("%s: %s: %v", NodeDaemonsEnv, h, err)
		}
		// A worker knows its node ID but not the swarm's; the manager
		// knows its nodes.
		why := ""
		ni, err := cli.Info(ctx)
		switch {
		case err != nil:
			why = err.Error()
		case ni.Swarm.NodeID == "":
			why = "it is not in a swarm"
		default:
			if _, _, err := manager.NodeInspectWithRaw(ctx, ni.Swarm.NodeID); err != nil {
				why = fmt.Sprintf("its node %s is not one of the manager's (%v)", ni.Swarm.NodeID, err)
			}
		}
		if why != "" {
			cli.Close()
			closeDaemons(out)
			return nil, unavailable("%s: the daemon at %s: %s", NodeDaemonsEnv, h, why)
		}
		out = append(out, daemon{node: ni.Swarm.NodeID, host: h, cli: cli})
	}
	return out, nil
}

func closeDaemons(ds []daemon) {
	for _, d := range ds {
		d.cli.Close()
	}
}

// daemons is every daemon the engine can act on containers through: the
// manager's first.
func (e *Engine) daemons() []daemon {
	return append([]daemon{{node: e.nodeID, host: e.host, cli: e.cli}}, e.nodes...)
}

// nodesReached names the nodes whose containers faults can act on.
func (e *Engine) nodesReached() string {
	var ids []string
	for _, d := range e.daemons() {
		ids = append(ids, d.node)
	}
	return fmt.Sprintf("nodes %s (%s names the others' daemons)", strings.Join(ids, ", "), NodeDaemonsEnv)
}
