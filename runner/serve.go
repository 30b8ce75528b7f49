package runner

import (
	"context"
	"errors"
	"net"
	"net/http"
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
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w, err := serve.Start(wctx, serve.Options{Seed: seed, Time: timeMode})
	if err == nil {
		var h http.Handler
		if h, err = serve.Handler(w); err == nil {
			srv := &http.Server{Handler: h}
			go srv.Serve(ln)
			stop := func(context.Context) error {
				err := srv.Close()
				cancel()
				<-w.Done()
				return errors.Join(err, os.RemoveAll(dir))
			}
			return "unix://" + sock, stop, nil
		}
	}
	cancel()
	ln.Close()
	os.RemoveAll(dir)
	return "", nil, err
}
