package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a world served on a listener, until Close.
type Server struct {
	World   *World
	srv     *http.Server
	cancel  context.CancelFunc
	stopped chan error
}

// Serve starts a world with opts and serves it on ln. The world lasts
// until Close, whatever becomes of ctx's cancellation; ctx's values reach
// the handlers.
func Serve(ctx context.Context, ln net.Listener, opts Options) (*Server, error) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w, err := Start(wctx, opts)
	if err != nil {
		cancel()
		return nil, err
	}
	h, err := Handler(w)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Server{World: w, cancel: cancel, stopped: make(chan error, 1),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return wctx }}}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.stopped <- err
	}()
	return s, nil
}

// Stopped receives the listener's error if serving stops by itself.
func (s *Server) Stopped() <-chan error { return s.stopped }

// Close stops taking requests, lets those running finish until ctx ends
// (an event stream runs until then), and stops the world; what a request
// logs is written before it returns.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close() // streams still open
	}
	s.cancel()
	<-s.World.Done()
	return err
}
