package runner

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"

	"github.com/coop-cloud/chaosrun/serve"
)

// serveSim is sim.serve's server (builtins.SimServer): a world of its
// own behind the Engine API on a unix socket in a temporary folder, both
// gone once stop has run.
func serveSim(ctx context.Context, seed int64, timeMode string) (string, func(context.Context) error, error) {
	dir, err := os.MkdirTemp("", "chaosrun-serve-")
	if err != nil {
		return "", nil, err
	}
	sock := filepath.Join(dir, "sim.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	s, err := serve.Serve(ctx, ln, serve.Options{Seed: seed, Time: timeMode})
	if err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func(ctx context.Context) error { return errors.Join(s.Close(ctx), os.RemoveAll(dir)) }
	return "unix://" + sock, stop, nil
}
