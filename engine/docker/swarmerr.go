package docker

import (
	"regexp"
	"strings"
)

// grpcPrefix is how the daemon wraps swarm's gRPC errors.
var grpcPrefix = regexp.MustCompile(`^rpc error: code = \w+ desc = `)

// swarmError is a daemon error in swarm's own words, on one line: without
// the client's "Error response from daemon: " and gRPC's "rpc error: code
// = ... desc = " (docs/refusals.md). It wraps the daemon's error, so
// errdefs checks still see it.
type swarmError struct {
	msg string
	err error
}

func (e *swarmError) Error() string { return e.msg }
func (e *swarmError) Unwrap() error { return e.err }

// inSwarmWords returns err as a swarmError, or err itself when there is
// nothing to strip (or it is nil).
func inSwarmWords(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(err.Error(), "Error response from daemon: ")
	msg = grpcPrefix.ReplaceAllString(msg, "")
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == err.Error() {
		return err
	}
	return &swarmError{msg: msg, err: err}
}
