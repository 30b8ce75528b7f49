package docker

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/procid"
)

// Tests that need no daemon.

func TestIsTestApp(t *testing.T) {
	for image, want := range map[string]bool{
		"chaosrun-testapp:dev":                       true,
		"chaosrun-testapp":                           true,
		"registry.example:5000/x/chaosrun-testapp:1": true,
		"chaosrun-testapp@sha256:abc":                true,
		"discourse/discourse:3.3.1":                  false,
		"chaosrun-testapp-other:dev":                 false,
	} {
		if got := isTestApp(image); got != want {
			t.Errorf("isTestApp(%q) = %v, want %v", image, got, want)
		}
	}
}

func specFor(image string, env ...string) swarm.ServiceSpec {
	return swarm.ServiceSpec{TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
		Image: image, Env: env,
		Healthcheck: &container.HealthConfig{Test: []string{"CMD", "/bin/check"}, Interval: 5 * time.Second, Retries: 4},
	}}}
}

func TestFaultPlans(t *testing.T) {
	app := specFor("chaosrun-testapp:dev", "VERSION=2", "FAIL_HEALTH=0")
	other := specFor("nginx:1")
	cases := []struct {
		spec    swarm.ServiceSpec
		fault   engine.Fault
		env     []string // wanted Env after apply
		kill    time.Duration
		health  bool // healthcheck replaced
		errWant error
	}{
		{spec: app, fault: engine.Fault{Kind: "unhealthy"}, env: []string{"VERSION=2", "FAIL_HEALTH=1"}},
		{spec: app, fault: engine.Fault{Kind: "unhealthy", After: 3 * time.Second},
			env: []string{"VERSION=2", "FAIL_HEALTH=0", "FAIL_HEALTH_AFTER=3s"}},
		{spec: app, fault: engine.Fault{Kind: "crash", After: 2 * time.Second},
			env: []string{"VERSION=2", "FAIL_HEALTH=0", "CRASH_AFTER=2s", "CRASH_AFTER_HEALTHY=1", "CRASH_EXIT=1"}},
		{spec: app, fault: engine.Fault{Kind: "memory_pressure", Bytes: 3<<20 + 1}, env: app.TaskTemplate.ContainerSpec.Env},
		{spec: app, fault: engine.Fault{Kind: "kill", After: time.Second}, env: app.TaskTemplate.ContainerSpec.Env, kill: time.Second},
		{spec: other, fault: engine.Fault{Kind: "unhealthy"}, health: true},
		{spec: other, fault: engine.Fault{Kind: "unhealthy", After: time.Second}, errWant: engine.ErrUnsupported},
		{spec: other, fault: engine.Fault{Kind: "crash", After: time.Second}, kill: time.Second},
		{spec: other, fault: engine.Fault{Kind: "memory_pressure"}, errWant: errAny},
		{spec: other, fault: engine.Fault{Kind: "gremlins"}, errWant: errAny},
	}
	for _, c := range cases {
		image := c.spec.TaskTemplate.ContainerSpec.Image
		p, err := planFaults("s_app", c.spec, []engine.Fault{c.fault})
		if c.errWant != nil {
			if err == nil || (c.errWant != errAny && !errors.Is(err, c.errWant)) {
				t.Errorf("%s on %s: err %v, want %v", c.fault.Kind, image, err, c.errWant)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s on %s: %v", c.fault.Kind, image, err)
			continue
		}
		got := p.apply(c.spec)
		cs := got.TaskTemplate.ContainerSpec
		if !slices.Equal(cs.Env, c.env) {
			t.Errorf("%s on %s: env %q, want %q", c.fault.Kind, image, cs.Env, c.env)
		}
		if (p.kill != nil) != (c.kill != 0) || (p.kill != nil && *p.kill != c.kill) {
			t.Errorf("%s on %s: kill %v, want %v", c.fault.Kind, image, p.kill, c.kill)
		}
		replaced := !slices.Equal(cs.Healthcheck.Test, c.spec.TaskTemplate.ContainerSpec.Healthcheck.Test)
		if replaced != c.health {
			t.Errorf("%s on %s: healthcheck %v", c.fault.Kind, image, cs.Healthcheck)
		}
		if c.health && (cs.Healthcheck.Interval != 5*time.Second || cs.Healthcheck.Retries != 4) {
			t.Errorf("%s on %s: healthcheck timings not kept: %+v", c.fault.Kind, image, cs.Healthcheck)
		}
		if orig := c.spec.TaskTemplate.ContainerSpec; orig.Healthcheck.Test[0] != "CMD" || orig.Healthcheck.Test[1] != "/bin/check" {
			t.Errorf("%s on %s: the caller's spec was changed", c.fault.Kind, image)
		}
	}
	if !slices.Equal(app.TaskTemplate.ContainerSpec.Env, []string{"VERSION=2", "FAIL_HEALTH=0"}) {
		t.Errorf("the caller's env was changed: %q", app.TaskTemplate.ContainerSpec.Env)
	}
}

var errAny = errors.New("any error")

func TestFaultPlanNoHealthcheck(t *testing.T) {
	spec := specFor("chaosrun-testapp:dev")
	spec.TaskTemplate.ContainerSpec.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
	p, err := planFaults("s_app", spec, []engine.Fault{{Kind: "unhealthy"}, {Kind: "crash", After: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	cs := p.apply(spec).TaskTemplate.ContainerSpec
	if !slices.Equal(cs.Healthcheck.Test, testAppProbe.Test) {
		t.Errorf("unhealthy with the healthcheck off: healthcheck %v, want the test app's probe back", cs.Healthcheck)
	}
	if want := []string{"CRASH_AFTER=1s", "CRASH_EXIT=1", "FAIL_HEALTH=1"}; !slices.Equal(cs.Env, want) {
		t.Errorf("env %q, want %q (crash counted from start: no healthcheck)", cs.Env, want)
	}
	p, _ = planFaults("s_app", spec, []engine.Fault{{Kind: "memory_pressure", Bytes: 1}, {Kind: "memory_pressure", Bytes: 2}})
	if len(p.pressure) != 2 || p.changesSpec() {
		t.Errorf("memory pressure plan %+v: want two pressures and no spec change", p)
	}
}

func TestPressureSpec(t *testing.T) {
	e := &Engine{opts: Options{RunID: "r1", Owner: procid.ID{Host: "h", PID: 7}}, nodeID: "n1"}
	spec := e.pressureSpec("web", 3<<20+1)
	cs := spec.TaskTemplate.ContainerSpec
	if !strings.HasPrefix(spec.Name, "web_chaosrun-memory-") || spec.Labels[RunLabel] != "r1" || spec.Labels[OwnerPIDLabel] != "7" ||
		spec.Labels[engine.NamespaceLabel] != "web" || !slices.Equal(cs.Env, []string{"HOLD_MIB=4"}) ||
		!slices.Equal(spec.TaskTemplate.Placement.Constraints, []string{"node.id==n1"}) {
		t.Errorf("pressure spec %+v %+v", spec.Annotations, cs)
	}
}

func TestTaskEvent(t *testing.T) {
	m := events.Message{Type: events.ContainerEventType, Action: "health_status: unhealthy", TimeNano: 1e18,
		Actor: events.Actor{ID: "c1", Attributes: map[string]string{
			serviceNameLabel: "s_app", taskIDLabel: "t1", "name": "s_app.1.t1"}}}
	ev, ok := taskEvent(m)
	if !ok || ev.Type != "task" || ev.Action != "update" || ev.Service != "s_app" || ev.ID != "t1" ||
		ev.Attributes["health"] != "unhealthy" || ev.Attributes["container.event"] != "health_status" {
		t.Errorf("taskEvent(health_status) = %+v, %v", ev, ok)
	}
	m.Action, m.Actor.Attributes["exitCode"] = "die", "137"
	if ev, ok = taskEvent(m); !ok || ev.Attributes["exitCode"] != "137" {
		t.Errorf("taskEvent(die) = %+v, %v", ev, ok)
	}
	for _, action := range []string{"exec_start: /testapp -health", "exec_die", "create", "attach"} {
		m.Action = events.Action(action)
		if _, ok := taskEvent(m); ok {
			t.Errorf("taskEvent(%s) kept, want dropped", action)
		}
	}
	m.Action = "start"
	delete(m.Actor.Attributes, taskIDLabel)
	if _, ok := taskEvent(m); ok {
		t.Error("a container that is not a swarm task was kept")
	}
}

func TestSettled(t *testing.T) {
	task := func(s swarm.TaskState) swarm.Task { return swarm.Task{Status: swarm.TaskStatus{State: s}} }
	for _, c := range []struct {
		event, health string
		state         swarm.TaskState
		want          bool
	}{
		{"die", "", swarm.TaskStateRunning, false},
		{"die", "", swarm.TaskStateFailed, true},
		{"start", "", swarm.TaskStateReady, false},
		{"start", "", swarm.TaskStateStarting, true},
		{"health_status", "healthy", swarm.TaskStateStarting, false},
		{"health_status", "healthy", swarm.TaskStateRunning, true},
		{"health_status", "unhealthy", swarm.TaskStateRunning, true},
	} {
		if got := settled(c.event, c.health, task(c.state)); got != c.want {
			t.Errorf("settled(%s %s, %s) = %v, want %v", c.event, c.health, c.state, got, c.want)
		}
	}
}

// TestServiceLabelsAndOwnership: a new service gets this run's run and
// owner labels; an existing one keeps those it has (the run that created
// it owns it), all of them or none; an adopted one gets none.
func TestServiceLabelsAndOwnership(t *testing.T) {
	e := &Engine{opts: Options{RunID: "r2", Owner: procid.ID{Host: "h2", PID: 22, Start: "b/n/2"}}}
	in := map[string]string{"v": "1", RunLabel: "spoofed", OwnerPIDLabel: "666"}
	owned := func(run, host, pid, start string) map[string]string {
		return map[string]string{RunLabel: run, OwnerHostLabel: host, OwnerPIDLabel: pid, OwnerStartLabel: start}
	}
	withLabels := func(l map[string]string) *swarm.Service {
		return &swarm.Service{Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Labels: l}}}
	}
	mine := withLabels(owned("r1", "h1", "11", "b/n/1"))
	older := withLabels(map[string]string{RunLabel: "r0"}) // from before owner labels
	foreign := &swarm.Service{}
	for _, c := range []struct {
		name string
		cur  *swarm.Service
		want map[string]string
	}{
		{"a new service", nil, owned("r2", "h2", "22", "b/n/2")},
		{"an earlier run's service", mine, owned("r1", "h1", "11", "b/n/1")},
		{"an older chaosrun's service", older, map[string]string{RunLabel: "r0"}},
		{"an adopted service", foreign, map[string]string{}},
	} {
		got := e.serviceLabels(in, c.cur)
		if got["v"] != "1" {
			t.Errorf("%s: lost its own label: %v", c.name, got)
		}
		delete(got, "v")
		if !maps.Equal(got, c.want) {
			t.Errorf("%s: run and owner labels %v, want %v", c.name, got, c.want)
		}
	}
	if in[RunLabel] != "spoofed" {
		t.Error("the caller's labels were changed")
	}
	err := e.checkOwned("deploy", "web", map[string]swarm.Service{"web_app": *foreign, "web_db": *mine})
	if !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), "stack web: service web_app exists") ||
		strings.Contains(err.Error(), "web_db") || !strings.Contains(err.Error(), "--adopt") {
		t.Errorf("checkOwned: %v", err)
	}
	e.opts.Adopt = true
	if err := e.checkOwned("deploy", "web", map[string]swarm.Service{"web_app": *foreign}); err != nil {
		t.Errorf("checkOwned with Adopt: %v", err)
	}
}

func TestSortTasksTiesByID(t *testing.T) {
	at := time.Unix(4, 0)
	tasks := []swarm.Task{
		{ID: "b", Slot: 1, Meta: swarm.Meta{CreatedAt: at}},
		{ID: "old", Slot: 1, Meta: swarm.Meta{CreatedAt: time.Unix(1, 0)}},
		{ID: "a", Slot: 1, Meta: swarm.Meta{CreatedAt: at}},
	}
	sortTasks(tasks)
	var ids []string
	for _, tk := range tasks {
		ids = append(ids, tk.ID)
	}
	if want := []string{"a", "b", "old"}; !slices.Equal(ids, want) {
		t.Errorf("sortTasks: %v, want %v", ids, want)
	}
}

func TestTimestamp(t *testing.T) {
	if got := timestamp(time.Unix(1700000000, 5)); got != "1700000000.000000005" {
		t.Errorf("timestamp = %s", got)
	}
}

func TestCheckRunID(t *testing.T) {
	if checkRunID("") == nil || checkRunID("a b") == nil || checkRunID("20260101-ab12") != nil {
		t.Error("checkRunID accepts or refuses the wrong IDs")
	}
}

func TestRecent(t *testing.T) {
	r := newRecent(2)
	if !r.add("a") || r.add("a") || !r.add("b") || !r.add("c") || !r.add("a") || r.add("c") {
		t.Error("recent keeps the wrong keys")
	}
}

// TestCouldBeID: names the daemon could resolve as an ID or ID prefix
// make Tasks check the name first; a stack's service names cannot.
func TestCouldBeID(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"x5k2q9v0j8d7w3m1n4b6c0a9z", true},
		{"x5k2", true},
		{"web", true},
		{"st_app", false},
		{"my-app", false},
		{"App", false},
	} {
		if got := couldBeID(c.name); got != c.want {
			t.Errorf("couldBeID(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCleanupRule: which objects cleanup looks at (--run, --stack), and
// which of those it removes: owners that have exited only, unless told to
// include other hosts' or unowned objects; never a live owner's.
func TestCleanupRule(t *testing.T) {
	// The fake check: pid 1 runs, pid 2 has exited, pid 3 ran elsewhere.
	check := func(id procid.ID) (procid.State, string) {
		switch id.PID {
		case 1:
			return procid.Running, "is still running"
		case 2:
			return procid.Gone, "has exited"
		}
		return procid.Unknown, "ran on another host"
	}
	labels := func(run, stack, pid string) map[string]string {
		l := map[string]string{RunLabel: run, engine.NamespaceLabel: stack, OwnerHostLabel: "h", OwnerStartLabel: "b/n/9"}
		if pid != "" {
			l[OwnerPIDLabel] = pid
		}
		return l
	}
	all := CleanupOptions{OtherHosts: true, Unowned: true}
	const otherHost = "its owner, pid 3 on h, ran on another host"
	const unowned = "no owner recorded (made by an older chaosrun)"
	tests := []struct {
		name   string
		labels map[string]string
		opts   CleanupOptions
		picked bool // selected by --run and --stack
		remove bool
		why    string
	}{
		{"live owner", labels("r1", "s", "1"), CleanupOptions{}, true, false, "its owner, pid 1 on h, is still running"},
		{"live owner, every include flag", labels("r1", "s", "1"), all, true, false, "its owner, pid 1 on h, is still running"},
		{"dead owner", labels("r2", "s", "2"), CleanupOptions{}, true, true, "its owner, pid 2 on h, has exited"},
		{"other host", labels("r3", "s", "3"), CleanupOptions{}, true, false,
			otherHost + ", so it cannot be checked from here; --include-other-hosts removes it"},
		{"other host, --include-other-hosts", labels("r3", "s", "3"), CleanupOptions{OtherHosts: true}, true, true,
			otherHost + ", and --include-other-hosts was given"},
		{"other host, --include-unowned only", labels("r3", "s", "3"), CleanupOptions{Unowned: true}, true, false,
			otherHost + ", so it cannot be checked from here; --include-other-hosts removes it"},
		{"no owner label", labels("r0", "s", ""), CleanupOptions{}, true, false,
			unowned + ", so it may still be in use; --include-unowned removes it"},
		{"unreadable owner pid", labels("r0", "s", "12ab"), CleanupOptions{}, true, false,
			unowned + ", so it may still be in use; --include-unowned removes it"},
		{"no owner label, --include-unowned", labels("r0", "s", ""), CleanupOptions{Unowned: true}, true, true,
			unowned + ", and --include-unowned was given"},
		{"no owner label, --include-other-hosts only", labels("r0", "s", ""), CleanupOptions{OtherHosts: true}, true, false,
			unowned + ", so it may still be in use; --include-unowned removes it"},
		{"--run, its run", labels("r2", "s", "2"), CleanupOptions{Run: "r2"}, true, true, "its owner, pid 2 on h, has exited"},
		{"--run, another run", labels("r2", "s", "2"), CleanupOptions{Run: "r1"}, false, false, ""},
		{"--run, a live run", labels("r1", "s", "1"), CleanupOptions{Run: "r1"}, true, false, "its owner, pid 1 on h, is still running"},
		{"--stack, its stack", labels("r2", "s", "2"), CleanupOptions{Stack: "s"}, true, true, "its owner, pid 2 on h, has exited"},
		{"--stack, another stack", labels("r2", "s", "2"), CleanupOptions{Stack: "t"}, false, false, ""},
		{"--run and --stack, another stack", labels("r2", "s", "2"), CleanupOptions{Run: "r2", Stack: "t"}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newObject("service", "id", "s_app", tt.labels)
			if got := selected(o, tt.opts); got != tt.picked {
				t.Fatalf("selected = %v, want %v", got, tt.picked)
			}
			if !tt.picked {
				return
			}
			if got := decide(o, tt.opts, check); got != (decision{tt.remove, tt.why}) {
				t.Errorf("decide = %+v\nwant    {remove:%v why:%s}", got, tt.remove, tt.why)
			}
		})
	}
}

// TestCleanupPlan: the listing groups objects by run, in run order, says
// remove or keep with the reason, and returns what to remove.
func TestCleanupPlan(t *testing.T) {
	objs := []object{
		{kind: "service", name: "b_app", run: "rb"},
		{kind: "service", name: "a_app", run: "ra"},
		{kind: "network", name: "b_default", run: "rb"},
		{kind: "secret", name: "a_token", run: "ra"},
	}
	var out strings.Builder
	remove := printPlan(&out, "unix:///d.sock", objs, func(o object) decision {
		return decision{o.run == "rb", "why " + o.run}
	})
	want := `4 chaosrun objects on the swarm at unix:///d.sock:
  keep   run ra: why ra
           service  a_app
           secret   a_token
  remove run rb: why rb
           service  b_app
           network  b_default
`
	if out.String() != want {
		t.Errorf("printPlan printed:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(remove) != 2 || remove[0].name != "b_app" || remove[1].name != "b_default" {
		t.Errorf("printPlan returned %v, want rb's service and network", remove)
	}
}
