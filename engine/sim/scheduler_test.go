package sim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

func placement(f func(p *swarm.Placement)) opt {
	return func(s *swarm.ServiceSpec) {
		if s.TaskTemplate.Placement == nil {
			s.TaskTemplate.Placement = &swarm.Placement{}
		}
		f(s.TaskTemplate.Placement)
	}
}

func constraints(c ...string) opt {
	return placement(func(p *swarm.Placement) { p.Constraints = c })
}

func maxPerNode(n uint64) opt { return placement(func(p *swarm.Placement) { p.MaxReplicas = n }) }

func spread(descriptor string) opt {
	return placement(func(p *swarm.Placement) {
		p.Preferences = append(p.Preferences, swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: descriptor}})
	})
}

func reserve(nanoCPUs, memory int64) opt {
	return func(s *swarm.ServiceSpec) {
		s.TaskTemplate.Resources = &swarm.ResourceRequirements{Reservations: &swarm.Resources{NanoCPUs: nanoCPUs, MemoryBytes: memory}}
	}
}

func global() opt {
	return func(s *swarm.ServiceSpec) { s.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}} }
}

// nodes adds nodes n1..nN of 8 GiB with the given labels (zone=...).
func nodes(w *world, zones ...string) {
	for i, z := range zones {
		name := fmt.Sprintf("n%d", i+1)
		w.s.AddNode(name, 8*gib)
		if z != "" {
			if err := w.s.UpdateNode(name, engine.NodeUpdate{Labels: map[string]string{"zone": z}}); err != nil {
				w.tb.Fatal(err)
			}
		}
	}
}

func update2(w *world, name string, u engine.NodeUpdate) {
	w.tb.Helper()
	if err := w.s.UpdateNode(name, u); err != nil {
		w.tb.Fatal(err)
	}
}

// placed describes where the service's tasks meant to run are: node
// name:state per task, sorted; a pending task shows its error.
func placed(w *world) string {
	byID := map[string]string{}
	for _, n := range w.s.nodes {
		byID[n.id] = n.name
	}
	var out []string
	for _, t := range w.tasks(app) {
		if t.DesiredState != swarm.TaskStateRunning {
			continue
		}
		if t.Status.State == swarm.TaskStatePending {
			out = append(out, "pending: "+t.Status.Err)
			continue
		}
		out = append(out, byID[t.NodeID]+":"+string(t.Status.State))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// docs/swarm-semantics.md §17: the scheduler's filters and choice, and
// its words when no node fits.
func TestScheduler(t *testing.T) {
	for _, tc := range []struct {
		name  string
		zones []string
		opts  []opt
		setup func(w *world)
		want  string
	}{
		{"spread by count over three nodes", []string{"", "", ""}, []opt{replicas(5)}, nil,
			"n1:running n1:running n2:running n2:running n3:running"},
		{"a constraint on a label", []string{"a", "b", "b"}, []opt{replicas(4), constraints("node.labels.zone==b")}, nil,
			"n2:running n2:running n3:running n3:running"},
		{"a constraint no node meets", []string{"a"}, []opt{constraints("node.labels.zone==b")}, nil,
			"pending: no suitable node (scheduling constraints not satisfied on 1 node)"},
		{"!= holds where the label is missing", []string{"a", ""}, []opt{replicas(2), constraints("node.labels.zone!=a")}, nil,
			"n2:running n2:running"},
		{"hostname and role", []string{"", ""}, []opt{replicas(2), constraints("node.role==worker", "node.hostname!=n1")}, nil,
			"n2:running n2:running"},
		{"reservations too large for two nodes", []string{"", ""}, []opt{reserve(0, 9*gib)}, nil,
			"pending: no suitable node (insufficient resources on 2 nodes)"},
		{"reservations fill the nodes", []string{"", ""}, []opt{replicas(3), reserve(0, 5*gib)}, nil,
			"n1:running n2:running pending: no suitable node (insufficient resources on 2 nodes)"},
		{"max replicas per node", []string{"", ""}, []opt{replicas(3), maxPerNode(1)}, nil,
			"n1:running n2:running pending: no suitable node (max replicas per node limit exceed)"},
		{"most failures first", []string{"a", "a", "b"}, []opt{constraints("node.labels.zone==b")},
			func(w *world) { update2(w, "n3", engine.NodeUpdate{Availability: "drain"}) },
			"pending: no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)"},
		{"spread over zones, not nodes", []string{"a", "a", "b"}, []opt{replicas(4), spread("node.labels.zone")}, nil,
			"n1:running n2:running n3:running n3:running"},
		{"nodes without the label are a group", []string{"a", "", ""}, []opt{replicas(4), spread("node.labels.zone")}, nil,
			"n1:running n1:running n2:running n3:running"},
		{"paused and drained nodes get nothing", []string{"", "", ""}, []opt{replicas(2)},
			func(w *world) {
				update2(w, "n1", engine.NodeUpdate{Availability: "pause"})
				update2(w, "n2", engine.NodeUpdate{Availability: "drain"})
			}, "n3:running n3:running"},
		{"a global service's task on a node too small", []string{"", ""}, []opt{global(), reserve(2e9, 0)},
			func(w *world) { update2(w, "n2", engine.NodeUpdate{NanoCPUs: 1e9}) },
			"n1:running pending: insufficient resources on 1 node"},
		{"an unknown key never matches", []string{"a"}, []opt{constraints("zone==a")}, nil,
			"pending: no suitable node (scheduling constraints not satisfied on 1 node)"},
		{"a global service's constraints", []string{"a", "b", "b"}, []opt{global(), constraints("node.labels.zone==b")}, nil,
			"n2:running n3:running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			nodes(w, tc.zones...)
			if tc.setup != nil {
				tc.setup(w)
			}
			w.deploy(nil, spec("app", append([]opt{env("V=1")}, tc.opts...)...))
			w.sleep(time.Minute)
			if got := placed(w); got != tc.want {
				t.Errorf("tasks: %s\nwant:  %s", got, tc.want)
			}
		})
	}
}

// A task that fits nowhere stays pending, and the update waiting on it
// stays updating; once a node fits, it is scheduled.
func TestPendingUntilANodeFits(t *testing.T) {
	w := newWorld(t, 1)
	nodes(w, "a", "a")
	w.deploy(nil, spec("app", env("V=1"), replicas(2), update(startFirst)))
	w.untilRunning(app, 2, time.Minute)
	w.deploy(nil, spec("app", env("V=2"), replicas(2), update(startFirst), constraints("node.labels.zone==b")))
	w.sleep(5 * time.Minute)
	if st := w.service(app).UpdateStatus; st == nil || st.State != swarm.UpdateStateUpdating {
		t.Fatalf("update status %+v, want updating while no node fits", st)
	}
	if got, want := placed(w), "n1:running n2:running pending: no suitable node (scheduling constraints not satisfied on 2 nodes)"; got != want {
		t.Fatalf("tasks: %s\nwant:  %s", got, want)
	}
	update2(w, "n2", engine.NodeUpdate{Labels: map[string]string{"zone": "b"}})
	w.untilState(app, swarm.UpdateStateCompleted, 5*time.Minute)
	if got, want := placed(w), "n2:running n2:running"; got != want {
		t.Errorf("after labelling n2: %s, want %s", got, want)
	}
}

// Draining a node moves its replicated tasks at once (no restart delay)
// and shuts a global service's task there down; a label change that a
// running task's constraints no longer meet makes the constraint
// enforcer reject it.
func TestNodeChanges(t *testing.T) {
	w := newWorld(t, 1)
	nodes(w, "b", "b")
	w.deploy(nil, spec("app", env("V=1"), replicas(2), constraints("node.labels.zone==b")))
	w.untilRunning(app, 2, time.Minute)
	update2(w, "n2", engine.NodeUpdate{Availability: "drain"})
	w.sleep(30 * time.Second)
	if got, want := placed(w), "n1:running n1:running"; got != want {
		t.Fatalf("after draining n2: %s, want %s", got, want)
	}
	update2(w, "n2", engine.NodeUpdate{Availability: "active"})
	update2(w, "n1", engine.NodeUpdate{Labels: map[string]string{"zone": "a"}})
	w.sleep(30 * time.Second)
	if got, want := placed(w), "n2:running n2:running"; got != want {
		t.Fatalf("after relabelling n1: %s, want %s", got, want)
	}
	rejected := 0
	for _, tk := range w.tasks(app) {
		if tk.Status.State == swarm.TaskStateRejected {
			rejected++
			if tk.Status.Message != "task rejected by constraint enforcer" || tk.Status.Err != "assigned node no longer meets constraints" {
				t.Errorf("rejected task: %q %q", tk.Status.Message, tk.Status.Err)
			}
		}
	}
	if rejected != 2 {
		t.Errorf("%d tasks rejected, want the 2 on n1", rejected)
	}
}

// A node whose daemon stops: its tasks keep their last state until the
// managers mark it down (8.5-16.5 s), then get replacements elsewhere
// after the restart delay; when it comes back its agent reports them
// shut down.
func TestNodeDown(t *testing.T) {
	w := newWorld(t, 1)
	nodes(w, "", "")
	w.deploy(nil, spec("app", env("V=1"), replicas(2)))
	w.untilRunning(app, 2, time.Minute)
	if err := w.s.NodeDown("n2", 0, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	w.sleep(time.Second) // the daemon stops at once; when it is noticed was drawn
	var expiry time.Duration
	for _, d := range w.s.Draws() {
		if d.Name == "marked_down_after n2" {
			expiry = time.Duration(d.Value * float64(time.Second))
		}
	}
	if expiry < 8500*time.Millisecond || expiry > 16500*time.Millisecond {
		t.Fatalf("n2 is marked down %s after its daemon stopped, want 8.5-16.5s", expiry)
	}
	w.sleep(expiry - 2*time.Second)
	if got, want := placed(w), "n1:running n2:running"; got != want {
		t.Fatalf("just before n2 is marked down: %s, want %s (nothing reported yet)", got, want)
	}
	w.sleep(4 * time.Second) // marked down: its task is meant to stop, the replacement waits out the 5s delay
	if got, want := placed(w), "n1:running"; got != want {
		t.Fatalf("1s after n2 was marked down: %s, want %s", got, want)
	}
	w.sleep(10 * time.Second)
	if got, want := placed(w), "n1:running n1:running"; got != want {
		t.Fatalf("after the restart delay: %s, want %s", got, want)
	}
	old := ""
	for _, tk := range w.tasks(app) {
		if tk.DesiredState == swarm.TaskStateShutdown {
			old = string(tk.Status.State)
		}
	}
	if old != "running" {
		t.Errorf("the task on the down node shows %q, want its last report, running", old)
	}
	w.sleep(2 * time.Minute)
	for _, tk := range w.tasks(app) {
		if tk.DesiredState == swarm.TaskStateShutdown && tk.Status.State != swarm.TaskStateShutdown {
			t.Errorf("after n2 came back its old task is %s, want shutdown", tk.Status.State)
		}
	}
	if err := w.s.NodeDown("nope", 0, 0); err == nil || !strings.Contains(err.Error(), "nodes: n1, n2") {
		t.Errorf("unknown node: %v", err)
	}
}

// Swarm's control API refuses a constraint it cannot parse, in its words;
// a key it does not know is accepted and never matches (TestScheduler).
func TestBadPlacementRefused(t *testing.T) {
	w := newWorld(t, 1)
	for c, want := range map[string]string{
		"node.labels.zone":      "constraint expected one operator from ==, !=",
		"node.labels.zone=a":    "constraint expected one operator from ==, !=",
		"node.labels.zone==":    "value '' is invalid",
		"node.labels.zone==a=b": "value 'a=b' is invalid",
		"x==a":                  "key 'x' is invalid",
	} {
		st := engine.Stack{Namespace: stack, Services: map[string]swarm.ServiceSpec{app: spec("app", constraints(c))}}
		if err := w.s.Deploy(w.ctx, st); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("constraint %q: %v, want an error ending %q", c, err, want)
		}
	}
}
