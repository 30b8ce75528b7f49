// Package docker is chaosrun's engine for a real Docker Swarm, reached
// through the Engine API (github.com/docker/docker/client) the way the docker
// CLI reaches it: DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH, or ssh://user@host), DOCKER_API_VERSION, or the local
// socket. Docker CLI contexts are not read.
//
// Safety: everything the engine creates carries the label
// chaosrun.run=<RunID>, and owner labels naming the process that created
// it. It changes an existing stack only when chaosrun
// created it (its services carry chaosrun.run) or Options.Adopt is set, it
// never prints secret values, and Close removes what the run created unless
// Options.Keep is set. Cleanup finds what earlier runs left behind.
//
// Where things are: deploy.go and objects.go (Deploy), inspect.go
// (Service, Tasks, Secrets), events.go and taskevents.go (Subscribe),
// remove.go (Remove), cleanup.go (Close, Cleanup), faults.go, kill.go and
// pressure.go (faults). The real-swarm tests (go test ./engine/docker) need
// a swarm manager and the chaosrun-testapp:dev image (.ci/docker-setup.sh);
// without them they skip, or fail when CI=true.
package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docker/docker/client"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/procid"
)

// RunLabel marks every object chaosrun creates; its value is the run ID.
const RunLabel = "chaosrun.run"

// The owner labels record, next to RunLabel, the process that created an
// object, so that Cleanup can tell a live run from a dead one: its host
// name, its pid and its start mark (procid.ID).
const (
	OwnerHostLabel  = "chaosrun.owner.host"
	OwnerPIDLabel   = "chaosrun.owner.pid"
	OwnerStartLabel = "chaosrun.owner.start"
)

// ErrNotOwned is returned (wrapped) when a deploy or remove would change a
// stack that chaosrun did not create and was not told to adopt.
var ErrNotOwned = errors.New("stack not created by chaosrun")

// Options configure an Engine.
type Options struct {
	// RunID identifies this run; it is the value of the chaosrun.run label
	// on everything the engine creates. Required.
	RunID string
	// Adopt lets the engine change and remove stacks that chaosrun did not
	// create (services without a chaosrun.run label).
	Adopt bool
	// Keep leaves what the run created in place on Close.
	Keep bool
	// Owner is the process recorded in the owner labels of what the engine
	// creates; the zero ID is this process (procid.Self).
	Owner procid.ID
	// Log receives notes about faults and warnings from the daemon (never
	// secret values); nil discards them.
	Log io.Writer
}

// Engine is a real swarm, reached through one Engine API client. It
// implements engine.Engine.
type Engine struct {
	opts   Options
	cli    *client.Client
	host   string   // DOCKER_HOST as given, for messages
	nodeID string   // the manager node the daemon runs
	nodes  []daemon // other nodes' daemons (NodeDaemonsEnv)
	skew   time.Duration

	ctx    context.Context // ends on Close; bounds fault watchers
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	// goroutines counts the running goroutines of subscriptions (each
	// stream's reader and ticker, and task settlers), for tests that check
	// nothing outlives its subscription.
	goroutines atomic.Int64

	mu       sync.Mutex
	deployed map[string]bool // services deployed through this engine
	logMu    sync.Mutex
}

var _ engine.Engine = (*Engine)(nil)

// New connects to the daemon named by the environment and checks that it is
// a swarm manager. A daemon that cannot be reached, or is not a manager,
// gives an error wrapping engine.ErrUnavailable.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if err := checkRunID(opts.RunID); err != nil {
		return nil, err
	}
	cli, host, err := newClient()
	if err != nil {
		return nil, err
	}
	nodeID, skew, err := checkManager(ctx, cli, host)
	if err != nil {
		cli.Close()
		return nil, err
	}
	nodes, err := connectNodeDaemons(ctx, cli)
	if err != nil {
		cli.Close()
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Owner == (procid.ID{}) {
		opts.Owner = procid.Self()
	}
	e := &Engine{opts: opts, cli: cli, host: host, nodeID: nodeID, skew: skew, nodes: nodes,
		deployed: map[string]bool{}}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// checkRunID accepts IDs usable as a label value and in object names.
func checkRunID(id string) error {
	if id == "" {
		return errors.New("docker engine: empty run ID; want a short identifier such as 20260101-1200-ab12")
	}
	if strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("docker engine: run ID %q contains spaces or control characters", id)
	}
	return nil
}

// Name is "docker".
func (e *Engine) Name() string { return "docker" }

// Clock is the wall clock.
func (e *Engine) Clock() clock.Clock { return clock.Real{} }

// DaemonTime converts a local time to the daemon's clock, using the offset
// measured when the engine connected (zero for a local daemon).
func (e *Engine) DaemonTime(t time.Time) time.Time { return t.Add(e.skew) }

// localTime converts a time on the daemon's clock to the local one.
func (e *Engine) localTime(t time.Time) time.Time { return t.Add(-e.skew) }

// logf writes one note to Options.Log.
func (e *Engine) logf(format string, args ...any) {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	fmt.Fprintf(e.opts.Log, "docker engine: "+format+"\n", args...)
}

// remember notes services deployed through this engine, for safety re-checks.
func (e *Engine) remember(names []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range names {
		e.deployed[n] = true
	}
}

// wasDeployed reports whether the service was deployed through this
// engine.
func (e *Engine) wasDeployed(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deployed[name]
}

// deployedNames lists the services deployed through this engine.
func (e *Engine) deployedNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.deployed))
	for n := range e.deployed {
		names = append(names, n)
	}
	return names
}
