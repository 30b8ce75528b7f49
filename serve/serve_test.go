package serve

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
)

// served starts a world and its handler on a unix socket of the test and
// returns a docker client for it.
func served(t *testing.T, opts Options) (*client.Client, *World) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "sim.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Serve(context.Background(), ln, opts)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := client.NewClientWithOpts(client.WithHost("unix://"+sock), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return cli, s.World
}

func replicas(n uint64) swarm.ServiceMode {
	return swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}}
}

func webSpec(version string) swarm.ServiceSpec {
	return swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: "st_web", Labels: map[string]string{"com.docker.stack.namespace": "st"}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: "nginx:1.25", Env: []string{"VERSION=" + version}}},
		Mode:         replicas(2),
	}
}

func TestPingInfoAndVersion(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	p, err := cli.Ping(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.APIVersion == "" || p.OSType != "linux" || p.SwarmStatus == nil || p.SwarmStatus.NodeState != swarm.LocalNodeStateActive || !p.SwarmStatus.ControlAvailable {
		t.Errorf("ping %+v, want an API version, linux and an active manager", p)
	}
	info, err := cli.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Swarm.ControlAvailable || info.Swarm.NodeID == "" || info.Swarm.Nodes != 1 || len(info.Warnings) != 1 ||
		!strings.Contains(info.Warnings[0], "clients never see an update in progress") {
		t.Errorf("info swarm %+v warnings %q: want a manager node and the settle mode's warning", info.Swarm, info.Warnings)
	}
}

// TestServiceLifecycle: create, inspect with defaults, list tasks by
// service name, update at the current version, refuse a stale one, roll
// back, remove.
func TestServiceLifecycle(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	created, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc, _, err := cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{InsertDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	if svc.ID != created.ID || svc.Spec.UpdateConfig == nil || svc.Spec.UpdateConfig.Monitor != 5*time.Second {
		t.Errorf("inspect %s update config %+v: want %s with swarm's defaults", svc.ID, svc.Spec.UpdateConfig, created.ID)
	}
	tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", "st_web"), filters.Arg("desired-state", "running"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].Status.State != swarm.TaskStateRunning {
		t.Fatalf("%d tasks, first %s: want 2 running (settle mode runs the deploy to its end)", len(tasks), tasks[0].Status.State)
	}
	if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, webSpec("2"), swarm.ServiceUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cli.ServiceUpdate(ctx, svc.ID, svc.Version, webSpec("3"), swarm.ServiceUpdateOptions{})
	if err == nil || !strings.Contains(err.Error(), "update out of sequence") {
		t.Errorf("an update at a stale version: %v, want update out of sequence", err)
	}
	svc, _, _ = cli.ServiceInspectWithRaw(ctx, svc.ID[:6], swarm.ServiceInspectOptions{})
	if svc.UpdateStatus == nil || svc.UpdateStatus.State != swarm.UpdateStateCompleted {
		t.Fatalf("after the update: %+v, want completed", svc.UpdateStatus)
	}
	if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, svc.Spec, swarm.ServiceUpdateOptions{Rollback: "previous"}); err != nil {
		t.Fatal(err)
	}
	svc, _, _ = cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{})
	if svc.UpdateStatus.State != swarm.UpdateStateRollbackCompleted || svc.Spec.TaskTemplate.ContainerSpec.Env[0] != "VERSION=1" {
		t.Errorf("after the rollback: %s with %v, want rollback_completed on VERSION=1", svc.UpdateStatus.State, svc.Spec.TaskTemplate.ContainerSpec.Env)
	}
	// Up to date: the tasks of the restored spec, the first ones (shut
	// down by the update) and the rollback's, as dockerd's filter keeps
	// them whatever their state.
	upToDate, _ := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc.ID), filters.Arg("_up-to-date", "true"))})
	running, _ := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc.ID), filters.Arg("_up-to-date", "true"), filters.Arg("desired-state", "running"))})
	if len(upToDate) != 4 || len(running) != 2 {
		t.Errorf("%d up-to-date tasks after the rollback, %d of them meant to run; want 4 and 2", len(upToDate), len(running))
	}
	if err := cli.ServiceRemove(ctx, "st_web"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{}); !errdefs.IsNotFound(err) {
		t.Errorf("inspect after remove: %v, want not found", err)
	}
}

func TestRefusals(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	_, err := cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("colour", "red"))})
	if !errdefs.IsInvalidParameter(err) || !strings.Contains(err.Error(), "invalid filter 'colour'") {
		t.Errorf("an unknown filter: %v, want a 400 naming it", err)
	}
	if _, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{}); !errdefs.IsConflict(err) {
		t.Errorf("a second service of one name: %v, want a conflict", err)
	}
	bad := webSpec("1")
	bad.Name = "no spaces allowed"
	if _, err := cli.ServiceCreate(ctx, bad, swarm.ServiceCreateOptions{}); !errdefs.IsInvalidParameter(err) || !strings.Contains(err.Error(), "DNS name") {
		t.Errorf("a bad name: %v, want swarm's DNS name refusal as a 400", err)
	}
	if _, err := cli.ServiceLogs(ctx, "st_web", containerLogs()); err == nil || !strings.Contains(err.Error(), "no logs") {
		t.Errorf("service logs: %v, want a refusal saying nothing runs", err)
	}
}

// TestObjects: secrets, configs and networks with IDs, versions and
// swarm's refusals.
func TestObjects(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	sec, err := cli.SecretCreate(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: "st_pw"}, Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	spec := webSpec("1")
	spec.TaskTemplate.ContainerSpec.Secrets = []*swarm.SecretReference{{SecretID: sec.ID, SecretName: "st_pw"}}
	if _, err := cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := cli.SecretList(ctx, swarm.SecretListOptions{Filters: filters.NewArgs(filters.Arg("name", "st_"))})
	if err != nil || len(list) != 1 || list[0].ID != sec.ID || list[0].Spec.Data != nil {
		t.Fatalf("secret list %+v, %v: want the one secret, without its data", list, err)
	}
	if err := cli.SecretRemove(ctx, "st_pw"); err == nil || !strings.Contains(err.Error(), "in use by the following service: st_web") {
		t.Errorf("removing a secret in use: %v, want swarm's refusal", err)
	}
	if _, err := cli.NetworkCreate(ctx, "st_default", network.CreateOptions{Driver: "overlay", Labels: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "a=b"))})
	if err != nil || len(nets) != 1 || nets[0].Name != "st_default" || nets[0].Scope != "swarm" {
		t.Errorf("network list %+v, %v: want st_default, swarm-scoped", nets, err)
	}
}

// TestEvents: a client following /events sees the service's update
// states as swarm writes them.
func TestEvents(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, errs := cli.Events(ctx, events.ListOptions{Filters: filters.NewArgs(filters.Arg("type", "service"))})
	time.Sleep(50 * time.Millisecond) // let the stream open
	if _, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, _, _ := cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{})
	if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, webSpec("2"), swarm.ServiceUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	var states []string
	for len(states) < 2 {
		select {
		case m := <-msgs:
			if s := m.Actor.Attributes["updatestate.new"]; s != "" {
				states = append(states, s)
			}
		case err := <-errs:
			t.Fatalf("events: %v (states so far %v)", err, states)
		}
	}
	if got := strings.Join(states, " "); got != "updating completed" {
		t.Errorf("update states %q, want updating completed", got)
	}
}

// TestIDsDoNotDependOnOrder: two clients creating the same services in
// different orders get the same IDs (stack deploy creates them in Go map
// order).
func TestIDsDoNotDependOnOrder(t *testing.T) {
	ids := func(order []string) map[string]string {
		cli, _ := served(t, Options{Seed: 7, Time: TimeSettle})
		out := map[string]string{}
		for _, name := range order {
			spec := webSpec("1")
			spec.Name = name
			r, err := cli.ServiceCreate(context.Background(), spec, swarm.ServiceCreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out[name] = r.ID
		}
		return out
	}
	a, b := ids([]string{"st_a", "st_b"}), ids([]string{"st_b", "st_a"})
	if a["st_a"] != b["st_a"] || a["st_b"] != b["st_b"] || a["st_a"] == a["st_b"] {
		t.Errorf("IDs %v and %v: want the same whatever the order, and one per name", a, b)
	}
}

// TestRequestLog: each request is one JSON line with its virtual time.
func TestRequestLog(t *testing.T) {
	var log strings.Builder
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle, Log: &syncWriter{b: &log}})
	ctx := context.Background()
	if _, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ServiceList(ctx, swarm.ServiceListOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	var last LogEntry
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Method != "GET" || !strings.HasSuffix(last.Path, "/services") || last.Status != 200 || last.At == "0s" || len(last.Digest) != 16 {
		t.Errorf("last log line %+v: want the service list, answered after the create had run on", last)
	}
}

func containerLogs() container.LogsOptions { return container.LogsOptions{ShowStdout: true} }

// syncWriter is a strings.Builder safe for the log's writes.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestRealTimeMovesWithTheWallClock: in real time a new service's tasks
// go through their states while the client waits, not at once; fast time
// gets there sooner on the wall clock.
func TestRealTimeMovesWithTheWallClock(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want time.Duration // wall time until both tasks run, at least
	}{{TimeReal, 150 * time.Millisecond}, {TimeFast, -1}} {
		t.Run(tc.mode, func(t *testing.T) {
			cli, w := served(t, Options{Seed: 1, Time: tc.mode, Speed: 100})
			ctx := context.Background()
			start := time.Now()
			if _, err := cli.ServiceCreate(ctx, webSpec("1"), swarm.ServiceCreateOptions{}); err != nil {
				t.Fatal(err)
			}
			for running := 0; running < 2; time.Sleep(5 * time.Millisecond) {
				tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", "st_web"))})
				if err != nil {
					t.Fatal(err)
				}
				running = 0
				for _, tk := range tasks {
					if tk.Status.State == swarm.TaskStateRunning {
						running++
					}
				}
				if time.Since(start) > 10*time.Second {
					t.Fatalf("after 10 s of wall time %d tasks run", running)
				}
			}
			wall, virtual := time.Since(start), w.Elapsed()
			if tc.want >= 0 && wall < tc.want {
				t.Errorf("%s: tasks ran after %s of wall time, want at least %s (the simulated ladder)", tc.mode, wall, tc.want)
			}
			if tc.mode == TimeFast && virtual < 10*wall {
				t.Errorf("fast: %s of simulated time in %s of wall time, want far more", virtual, wall)
			}
		})
	}
}

// TestFaultLabels: a spec labelled chaosrun.unhealthy rolls back to the
// spec before it, whose tasks are healthy; a bad label is refused.
func TestFaultLabels(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	spec := webSpec("1")
	spec.UpdateConfig = &swarm.UpdateConfig{Parallelism: 1, Order: swarm.UpdateOrderStartFirst, FailureAction: swarm.UpdateFailureActionRollback, Monitor: 5 * time.Second}
	spec.Labels["chaosrun.boot"] = "20s"
	if _, err := cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, _, _ := cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{})
	first, _ := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", "st_web"))})
	if len(first) != 2 || first[0].Status.State != swarm.TaskStateRunning || first[0].Status.Timestamp.Sub(first[0].CreatedAt) < 20*time.Second {
		t.Fatalf("tasks %+v: want two running, 20 s (chaosrun.boot) or more after they were made", first)
	}
	next := webSpec("2")
	next.UpdateConfig = spec.UpdateConfig
	next.Labels["chaosrun.unhealthy"] = "true"
	if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, next, swarm.ServiceUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, _, _ = cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{})
	if svc.UpdateStatus == nil || svc.UpdateStatus.State != swarm.UpdateStateRollbackCompleted {
		t.Fatalf("after an unhealthy update: %+v, want rollback_completed", svc.UpdateStatus)
	}
	tasks, _ := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", "st_web"))})
	failed := 0
	for _, tk := range tasks {
		if tk.Status.State == swarm.TaskStateFailed {
			failed++
		}
	}
	if failed == 0 {
		t.Errorf("no failed task among %d after the unhealthy update", len(tasks))
	}
	bad := webSpec("3")
	bad.Labels["chaosrun.boot"] = "soon"
	_, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, bad, swarm.ServiceUpdateOptions{})
	if !errdefs.IsInvalidParameter(err) || !strings.Contains(err.Error(), `label chaosrun.boot="soon": want a duration`) {
		t.Errorf("a bad label: %v, want a 400 naming it", err)
	}
	bad.Labels = map[string]string{"chaosrun.colour": "red"}
	if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, bad, swarm.ServiceUpdateOptions{}); err == nil || !strings.Contains(err.Error(), "unknown label chaosrun.colour") {
		t.Errorf("an unknown chaosrun label: %v, want it refused", err)
	}
}

// TestControl: nodes added, the clock advanced by hand in settle mode, a
// node taken down; the Engine API shows each.
func TestControl(t *testing.T) {
	cli, w := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx := context.Background()
	post := func(path, body string, want int) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://sim"+path, strings.NewReader(body))
		resp, err := cli.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST %s %s: status %d, want %d", path, body, resp.StatusCode, want)
		}
	}
	post("/chaosrun/nodes", `{"name": "worker-1", "memory": "4GiB", "labels": {"zone": "b"}}`, http.StatusCreated)
	post("/chaosrun/nodes", `{"name": "worker-1", "memory": "4GiB"}`, http.StatusConflict)
	post("/chaosrun/nodes", `{"name": "worker-2", "memory": "lots"}`, http.StatusBadRequest)
	post("/chaosrun/nodes", `{"name": "worker-2", "memory": "1GiB", "colour": "red"}`, http.StatusBadRequest)
	nodes, err := cli.NodeList(ctx, swarm.NodeListOptions{Filters: filters.NewArgs(filters.Arg("node.label", "zone=b"))})
	if err != nil || len(nodes) != 1 || nodes[0].Description.Hostname != "worker-1" || nodes[0].Spec.Role != swarm.NodeRoleWorker {
		t.Fatalf("nodes labelled zone=b: %+v, %v: want worker-1, a worker", nodes, err)
	}
	before := w.Elapsed()
	post("/chaosrun/time", `{"advance": "90s"}`, http.StatusOK)
	if got := w.Elapsed() - before; got != 90*time.Second {
		t.Errorf("advancing 90s moved the clock %s", got)
	}
	post("/chaosrun/nodes/worker-1/down", `{}`, http.StatusNoContent)
	post("/chaosrun/time", `{"advance": "1m"}`, http.StatusOK)
	n, _, err := cli.NodeInspectWithRaw(ctx, "worker-1")
	if err != nil || n.Status.State != swarm.NodeStateDown {
		t.Errorf("worker-1 a minute after its daemon stopped: %s, %v, want down", n.Status.State, err)
	}
	post("/chaosrun/host-load", `{"min": "1GiB", "max": "2GiB"}`, http.StatusNoContent)
}

// TestStoredMode: a spec without a replica count is stored with one, as
// dockerd stores it; the CLI's progress monitor needs the count.
func TestStoredMode(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	spec := webSpec("1")
	spec.Mode = swarm.ServiceMode{Replicated: &swarm.ReplicatedService{}}
	if _, err := cli.ServiceCreate(context.Background(), spec, swarm.ServiceCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, _, _ := cli.ServiceInspectWithRaw(context.Background(), "st_web", swarm.ServiceInspectOptions{InsertDefaults: true})
	if r := svc.Spec.Mode.Replicated; r == nil || r.Replicas == nil || *r.Replicas != 1 {
		t.Errorf("mode %+v, want replicated with 1 replica", svc.Spec.Mode)
	}
}

// TestEmptyListsAreArrays: an empty list is [], not null, as dockerd
// answers (docker-py iterates over it).
func TestEmptyListsAreArrays(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	for _, path := range []string{"/services", "/tasks", "/secrets", "/configs", "/containers/json", `/networks?filters={"name":["none"]}`} {
		resp, err := cli.HTTPClient().Get("http://sim" + path)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		_, _ = io.Copy(&body, resp.Body)
		resp.Body.Close()
		if got := strings.TrimSpace(body.String()); got != "[]" {
			t.Errorf("GET %s: %s, want []", path, got)
		}
	}
}

// TestReplay: a request log replays to the same answers, in settle and
// in real time (where the clock moved between requests); a log whose
// seed is changed does not.
func TestReplay(t *testing.T) {
	for _, mode := range []string{TimeSettle, TimeReal} {
		t.Run(mode, func(t *testing.T) {
			var log strings.Builder
			cli, _ := served(t, Options{Seed: 3, Time: mode, Log: &syncWriter{b: &log}})
			ctx := context.Background()
			spec := webSpec("1")
			spec.Labels["chaosrun.boot"] = "300ms"
			if _, err := cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{}); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				time.Sleep(100 * time.Millisecond) // in real time, tasks move on meanwhile
				if _, err := cli.TaskList(ctx, swarm.TaskListOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			svc, _, _ := cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{})
			if _, err := cli.ServiceUpdate(ctx, svc.ID, svc.Version, webSpec("2"), swarm.ServiceUpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
			cli.ServiceInspectWithRaw(ctx, "st_web", swarm.ServiceInspectOptions{InsertDefaults: true})
			cli.TaskList(ctx, swarm.TaskListOptions{})
			n, diffs, err := Replay(ctx, strings.NewReader(log.String()))
			if err != nil || len(diffs) > 0 || n < 10 {
				t.Fatalf("replayed %d requests: %v %q, want them all alike", n, err, diffs)
			}
			reseeded := strings.Replace(log.String(), `"seed":3`, `"seed":4`, 1)
			if _, diffs, _ := Replay(ctx, strings.NewReader(reseeded)); len(diffs) == 0 {
				t.Errorf("a log replayed with another seed gave the same answers")
			}
		})
	}
}

// TestEventFilters: a service filter keeps that service's events; an
// unsupported filter or until is refused rather than ignored.
func TestEventFilters(t *testing.T) {
	cli, _ := served(t, Options{Seed: 1, Time: TimeSettle})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, errs := cli.Events(ctx, events.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "a=b"))})
	if err := <-errs; !errdefs.IsInvalidParameter(err) {
		t.Errorf("a label filter: %v, want a 400", err)
	}
	_, errs = cli.Events(ctx, events.ListOptions{Until: "1700000000"})
	if err := <-errs; !errdefs.IsInvalidParameter(err) {
		t.Errorf("until: %v, want a 400", err)
	}
	msgs, errs := cli.Events(ctx, events.ListOptions{Filters: filters.NewArgs(filters.Arg("service", "st_b"))})
	time.Sleep(50 * time.Millisecond)
	for _, name := range []string{"st_a", "st_b"} {
		spec := webSpec("1")
		spec.Name = name
		if _, err := cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case m := <-msgs:
		if m.Actor.Attributes["name"] != "st_b" {
			t.Errorf("first event of a service=st_b stream: %+v", m)
		}
	case err := <-errs:
		t.Fatal(err)
	}
}
