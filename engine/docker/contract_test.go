package docker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/engine/enginetest"
)

// TestContract runs engine.Engine's contract (engine/enginetest) on the
// real swarm, each case with an engine (a run ID) and stacks of its own;
// engine/sim runs the same cases on the simulator. Without a swarm it
// skips, or fails when CI=true (newTestEngine).
func TestContract(t *testing.T) {
	t.Parallel()
	start := time.Now()
	t.Cleanup(func() { t.Logf("contract suite: %.1fs", time.Since(start).Seconds()) })
	enginetest.Run(t, func(t *testing.T) enginetest.Target {
		e, _ := newTestEngine(t, Options{})
		return enginetest.Target{
			Engine: e,
			Namespace: func() string {
				_, ns := testNames(t)
				return ns
			},
			Stack: func(ns string, env []string, extras bool) engine.Stack {
				return testStack(ns, app{env: env, extras: extras})
			},
			Leftovers: e.leftovers,
			Limit:     time.Minute,
		}
	})
}

// leftovers lists the services, networks, secrets, configs and containers
// on the swarm labelled with stack ns.
func (e *Engine) leftovers(ctx context.Context, ns string) ([]string, error) {
	args := filters.NewArgs(filters.Arg("label", engine.NamespaceLabel+"="+ns))
	objs, err := listObjects(ctx, e.cli, args)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.String())
	}
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range list {
		out = append(out, fmt.Sprintf("container %.12s %v", c.ID, c.Names))
	}
	return out, nil
}
