package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
)

// Tests against the real swarm named by the environment (DOCKER_HOST or the
// local socket). Without a reachable swarm manager, or without the test app
// image, they skip, saying why; with CI=true they fail instead. Set up with
// .ci/docker-setup.sh.

const testImage = TestAppImage + ":dev"

// need skips the test, or fails it when CI=true.
func need(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: the real swarm is required; run .ci/docker-setup.sh)", msg)
	}
	t.Skipf("%s (run .ci/docker-setup.sh to test against a real swarm)", msg)
}

// logWriter sends engine notes to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// unique is a short random suffix for run IDs and stack names.
func unique() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// testNames gives a test its run ID and stack namespace, unique per run.
func testNames(t testing.TB) (runID, ns string) {
	base := nonName.ReplaceAllString(strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), "")
	if len(base) > 16 {
		base = base[:16]
	}
	u := unique()
	return "test-" + base + "-" + u, "crt" + base + u
}

// testContext is t.Context() ending after limit, or at the test's own
// deadline (go test -timeout) when that comes first, so that no call to
// the daemon can hang the test.
func testContext(t testing.TB, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(t.Context(), limit)
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := dt.Deadline(); ok {
			ctx, cancelD := context.WithDeadline(ctx, d)
			return ctx, func() { cancelD(); cancel() }
		}
	}
	return ctx, cancel
}

// newTestEngine connects to the swarm (or skips), and closes the engine
// when the test ends, checking that nothing it created is left. It also
// returns a stack namespace for the test (see testNames); the run ID is
// opts.RunID when given.
func newTestEngine(t testing.TB, opts Options) (*Engine, string) {
	t.Helper()
	runID, ns := testNames(t)
	if opts.RunID == "" {
		opts.RunID = runID
	}
	opts.Log = logWriter{t}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := New(ctx, opts)
	if errors.Is(err, engine.ErrUnavailable) {
		need(t, "no docker swarm: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cli.ImageInspect(ctx, testImage); err != nil {
		e.Close(ctx)
		need(t, "image %s is missing (build it with examples/testapp/build.sh): %v", testImage, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return e, ns
}

// app describes the test app service of a test stack.
type app struct {
	env           []string
	labels        map[string]string
	failureAction string // "" is the swarm's default, pause
	order         string
	extras        bool          // a network, a secret and a config too
	memLimit      int64         // bytes; 0: none
	monitor       time.Duration // update monitor; 0: 3s
	faults        []engine.Fault
	replicas      uint64 // 0: 1
	parallelism   uint64 // update parallelism; 0: 1
}

// testStack is a one-service stack <ns>_app running the test app with
// quick healthchecks (every 1s, 3 retries, a 3s timeout that a loaded CI
// machine can meet) and a 3s update monitor.
func testStack(ns string, a app) engine.Stack {
	replicas := max(a.replicas, 1)
	grace := 2 * time.Second
	nsLabel := map[string]string{engine.NamespaceLabel: ns}
	labels := map[string]string{engine.NamespaceLabel: ns}
	for k, v := range a.labels {
		labels[k] = v
	}
	monitor := a.monitor
	if monitor == 0 {
		monitor = 3 * time.Second
	}
	update := &swarm.UpdateConfig{Parallelism: max(a.parallelism, 1), Monitor: monitor,
		FailureAction: a.failureAction, Order: a.order}
	name := ns + "_app"
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: name, Labels: labels},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
			Image: testImage, Env: a.env, Labels: nsLabel, StopGracePeriod: &grace,
			Healthcheck: &container.HealthConfig{Test: []string{"CMD", "/testapp", "-health"},
				Interval: time.Second, Timeout: 3 * time.Second, Retries: 3},
		}},
		Mode:           swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		UpdateConfig:   update,
		RollbackConfig: &swarm.UpdateConfig{Parallelism: 1, Monitor: 3 * time.Second, Order: a.order},
	}
	if a.memLimit > 0 {
		spec.TaskTemplate.Resources = &swarm.ResourceRequirements{Limits: &swarm.Limit{MemoryBytes: a.memLimit}}
	}
	st := engine.Stack{Namespace: ns, Services: map[string]swarm.ServiceSpec{name: spec}}
	if a.faults != nil {
		st.Faults = map[string][]engine.Fault{name: a.faults}
	}
	if a.extras {
		st.Networks = map[string]network.CreateOptions{ns + "_default": {Driver: "overlay", Labels: nsLabel}}
		st.Secrets = []swarm.SecretSpec{{Annotations: swarm.Annotations{Name: ns + "_token", Labels: nsLabel},
			Data: []byte("not-printed-" + ns)}}
		st.Configs = []swarm.ConfigSpec{{Annotations: swarm.Annotations{Name: ns + "_conf", Labels: nsLabel},
			Data: []byte("greeting: hello\n")}}
		cs := spec.TaskTemplate.ContainerSpec
		cs.Secrets = []*swarm.SecretReference{{SecretName: ns + "_token",
			File: &swarm.SecretReferenceFileTarget{Name: "token", UID: "0", GID: "0", Mode: 0o444}}}
		cs.Configs = []*swarm.ConfigReference{{ConfigName: ns + "_conf",
			File: &swarm.ConfigReferenceFileTarget{Name: "/conf.yml", UID: "0", GID: "0", Mode: 0o444}}}
		spec.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: ns + "_default", Aliases: []string{"app"}}}
		st.Services[name] = spec
	}
	return st
}

// deploy deploys st or fails the test.
func deploy(t testing.TB, e *Engine, st engine.Stack) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := e.Deploy(ctx, st); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return start
}

// waitRunning waits, through sub, until the service has `replicas`
// up-to-date tasks running.
func waitRunning(t testing.TB, e *Engine, sub engine.Subscription, name string, replicas int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	ctx, cancel := testContext(t, limit+30*time.Second) // past deadline: ErrDeadline comes first
	defer cancel()
	for {
		tasks, err := e.Tasks(ctx, name, true)
		if err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, tk := range tasks {
			if tk.Status.State == swarm.TaskStateRunning && tk.DesiredState == swarm.TaskStateRunning {
				running++
			}
		}
		if running >= replicas {
			return
		}
		if _, err := sub.Next(ctx, deadline); errors.Is(err, clock.ErrDeadline) {
			t.Fatalf("%s: %d of %d tasks running after %s: %v", name, running, replicas, limit, taskStates(tasks))
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// taskStates summarises tasks for failure messages.
func taskStates(tasks []swarm.Task) []string {
	var out []string
	for _, tk := range tasks {
		out = append(out, fmt.Sprintf("%.10s slot %d %s/%s %s", tk.ID, tk.Slot, tk.Status.State, tk.DesiredState, tk.Status.Err))
	}
	return out
}

// step is one UpdateStatus state seen while waiting, with when it was seen
// (since the deploy) and when swarm wrote it (service UpdatedAt).
type step struct {
	state   swarm.UpdateState
	message string
	seen    time.Duration
	written time.Duration
}

// waitUpdate waits through sub, the way a convergence checker would, until
// the service's UpdateStatus reaches one of the terminal states. It
// returns the service, the states seen, and the verdict latency: from
// swarm's write of the terminal status (CompletedAt, or UpdatedAt when the
// state has none) to the inspection that saw it.
func waitUpdate(t testing.TB, e *Engine, sub engine.Subscription, name string, start time.Time,
	limit time.Duration, terminal ...swarm.UpdateState) (swarm.Service, []step, time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	ctx, cancel := testContext(t, limit+30*time.Second) // past deadline: ErrDeadline comes first
	defer cancel()
	var steps []step
	for {
		svc, err := e.Service(ctx, name)
		seen := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		if us := svc.UpdateStatus; us != nil && (len(steps) == 0 || steps[len(steps)-1].state != us.State) {
			written := e.localTime(svc.UpdatedAt)
			steps = append(steps, step{us.State, us.Message, seen.Sub(start), written.Sub(start)})
			t.Logf("%s: +%.1fs %s %q (written +%.2fs)", name, seen.Sub(start).Seconds(), us.State, us.Message,
				written.Sub(start).Seconds())
			for _, want := range terminal {
				if us.State == want {
					at := written
					if us.CompletedAt != nil {
						at = e.localTime(*us.CompletedAt)
					}
					return svc, steps, seen.Sub(at)
				}
			}
		}
		if _, err := sub.Next(ctx, deadline); errors.Is(err, clock.ErrDeadline) {
			tasks, _ := e.Tasks(ctx, name, false)
			t.Fatalf("%s: no %v within %s; states %v; tasks %v", name, terminal, limit, steps, taskStates(tasks))
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
