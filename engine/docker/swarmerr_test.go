package docker

import (
	"errors"
	"testing"
)

// TestInSwarmWords: the daemon's refusals as measured on Docker 20.10
// (docs/refusals.md) lose their transport prefixes and nothing else.
func TestInSwarmWords(t *testing.T) {
	tests := []struct{ daemon, want string }{
		{"Error response from daemon: rpc error: code = InvalidArgument desc = only updates to Labels are allowed",
			"only updates to Labels are allowed"},
		{"Error response from daemon: rpc error: code = Unknown desc = update out of sequence", "update out of sequence"},
		{"Error response from daemon: network with name x already exists", "network with name x already exists"},
		{"Error response from daemon: a\n  b", "a b"},
		{"dial unix /var/run/docker.sock: connect: no such file", "dial unix /var/run/docker.sock: connect: no such file"},
	}
	for _, tt := range tests {
		orig := errors.New(tt.daemon)
		got := inSwarmWords(orig)
		if got.Error() != tt.want {
			t.Errorf("inSwarmWords(%q) = %q, want %q", tt.daemon, got, tt.want)
		}
		if !errors.Is(got, orig) {
			t.Errorf("inSwarmWords(%q) does not wrap the daemon's error", tt.daemon)
		}
	}
	if inSwarmWords(nil) != nil {
		t.Error("inSwarmWords(nil) is not nil")
	}
}
