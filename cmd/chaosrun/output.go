package main

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// outputWriter is stdout as the commands write to it. A write that finds
// the pipe's reader gone (EPIPE: `chaosrun ... | head`) closes closed, once,
// and a run then stops as on Ctrl-C: its cleanups run and its temporary
// folder is removed, where SIGPIPE would have killed the process outright.
type outputWriter struct {
	w      io.Writer
	once   sync.Once
	closed chan struct{}
}

func newOutputWriter(w io.Writer) *outputWriter {
	// Go kills a program whose write to stdout meets a closed pipe unless
	// it asks for SIGPIPE; asked for, the write fails with EPIPE instead.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	return &outputWriter{w: w, closed: make(chan struct{})}
}

func (o *outputWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if errors.Is(err, syscall.EPIPE) {
		o.once.Do(func() { close(o.closed) })
	}
	return n, err
}

// outputClosed is the channel that closes when w, the commands' stdout,
// finds its reader gone; nil (never ready) for any other writer.
func outputClosed(w io.Writer) <-chan struct{} {
	if o, ok := w.(*outputWriter); ok {
		return o.closed
	}
	return nil
}
