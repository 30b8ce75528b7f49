package docker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/docker/cli/cli/connhelper"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/coop-cloud/chaosrun/engine"
)

// connectTimeout bounds the first contact with the daemon.
const connectTimeout = 15 * time.Second

// unavailableError is a one-line reason the swarm cannot be used; it
// unwraps to engine.ErrUnavailable.
type unavailableError struct{ msg string }

func (e *unavailableError) Error() string { return e.msg }
func (e *unavailableError) Unwrap() error { return engine.ErrUnavailable }

func unavailable(format string, args ...any) error {
	return &unavailableError{msg: fmt.Sprintf(format, args...)}
}

// daemonHost is DOCKER_HOST, or the platform default.
func daemonHost() string {
	if h := os.Getenv(client.EnvOverrideHost); h != "" {
		return h
	}
	return client.DefaultDockerHost
}

// newClient builds a client from the environment. An ssh:// DOCKER_HOST is
// dialled through `ssh ... docker system dial-stdio`, as the docker CLI does.
func newClient() (*client.Client, string, error) {
	host := daemonHost()
	helper, err := connhelper.GetConnectionHelper(host)
	if err != nil {
		return nil, host, unavailable("cannot use DOCKER_HOST %s: %v", host, err)
	}
	var opts []client.Opt
	if helper == nil {
		opts = []client.Opt{client.FromEnv}
	} else {
		tr := &http.Transport{DialContext: helper.Dialer}
		opts = []client.Opt{
			client.WithHTTPClient(&http.Client{Transport: tr}),
			client.WithHost(helper.Host),
			client.WithDialContext(helper.Dialer),
			client.WithVersionFromEnv(),
		}
	}
	opts = append(opts, client.WithAPIVersionNegotiation())
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, host, unavailable("cannot use the docker daemon at %s: %v", host, err)
	}
	return cli, host, nil
}

// checkManager pings the daemon and checks it is an active swarm manager. It
// returns the local node ID and the daemon's clock offset from ours.
func checkManager(ctx context.Context, cli *client.Client, host string) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		return "", 0, unavailable("cannot reach the docker daemon at %s: %s", host, reason(err, host))
	}
	before := time.Now()
	info, err := cli.Info(ctx)
	if err != nil {
		return "", 0, unavailable("cannot reach the docker daemon at %s: %s", host, reason(err, host))
	}
	var skew time.Duration
	if t, err := time.Parse(time.RFC3339Nano, info.SystemTime); err == nil {
		skew = t.Sub(before.Add(time.Since(before) / 2))
		if skew > -time.Second && skew < time.Second {
			skew = 0 // same host or close enough: do not add noise
		}
	}
	sw := info.Swarm
	switch {
	case sw.LocalNodeState != swarm.LocalNodeStateActive:
		return "", 0, unavailable("docker daemon at %s is not part of a swarm (state %q; run docker swarm init)",
			host, sw.LocalNodeState)
	case !sw.ControlAvailable:
		return "", 0, unavailable("docker daemon at %s is not a swarm manager (run docker swarm init, or point DOCKER_HOST at a manager)", host)
	}
	return sw.NodeID, skew, nil
}

// reason says on one line why a request to host failed.
func reason(err error, host string) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", connectTimeout)
	}
	msg := err.Error()
	if client.IsErrConnectionFailed(err) && strings.HasPrefix(msg, "Cannot connect to the Docker daemon") {
		// The client drops the dial error here; say what we can see.
		msg = "connection failed (is dockerd running?)"
		if path, ok := strings.CutPrefix(host, "unix://"); ok {
			if _, serr := os.Stat(path); serr != nil {
				msg = path + " does not exist (is dockerd running?)"
			}
		}
	}
	msg = requestPrefix.ReplaceAllString(msg, "")
	return strings.Join(strings.Fields(msg), " ")
}

// requestPrefix is the client's `Head "http://docker.example.com/_ping": `
// (a placeholder URL for ssh hosts), which says nothing useful.
var requestPrefix = regexp.MustCompile(`[A-Za-z]+ "http://[^"]*": `)
