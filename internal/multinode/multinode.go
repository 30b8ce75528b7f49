// Package multinode gives tests the two-node swarm that
// .ci/multinode-setup.sh starts on one machine (docs/conformance.md): the
// sockets of its manager and worker daemons, one test at a time across
// packages, and a way to stop and start the worker's daemon.
package multinode

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/coop-cloud/chaosrun/internal/realswarm"
)

// Worker is the node number of the worker, for Daemon.
const Worker = 2

// Swarm returns the manager's and the worker's daemon addresses
// (CHAOSRUN_MULTINODE, CHAOSRUN_MULTINODE_WORKER). Without them the test
// is skipped, saying why, or fails when CI=true. It holds the swarm for
// the test alone: tests in other packages wait for it.
func Swarm(t testing.TB) (manager, worker string) {
	t.Helper()
	manager, worker = os.Getenv("CHAOSRUN_MULTINODE"), os.Getenv("CHAOSRUN_MULTINODE_WORKER")
	if manager == "" || worker == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHAOSRUN_MULTINODE and CHAOSRUN_MULTINODE_WORKER are not set: .ci/run starts a two-node swarm with .ci/multinode-setup.sh and sets them")
		}
		t.Skip("skipping multi-node test: CHAOSRUN_MULTINODE and CHAOSRUN_MULTINODE_WORKER are not set (.ci/multinode-setup.sh starts a two-node swarm)")
	}
	realswarm.Lock(t, "chaosrun-multinode.lock")
	return manager, worker
}

// Daemon stops or starts ("stop", "start") node n's daemon with
// .ci/multinode-daemon.sh.
func Daemon(t testing.TB, action string, n int) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if dir == filepath.Dir(dir) {
			t.Fatal("multinode: no go.mod above the test's folder")
		}
	}
	out, err := exec.Command(filepath.Join(dir, ".ci", "multinode-daemon.sh"), action, strconv.Itoa(n)).CombinedOutput()
	if err != nil {
		t.Fatalf("multinode-daemon.sh %s %d: %v\n%s", action, n, err, out)
	}
}
