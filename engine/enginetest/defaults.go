package enginetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// serviceShowsSwarmDefaults: Service shows the spec with swarm's defaults
// filled in where the deployed spec left them out, as `docker service
// inspect` does.
func serviceShowsSwarmDefaults(t *testing.T, tg Target) {
	ns := tg.Namespace()
	st := tg.Stack(ns, version(1), false)
	spec := st.Services[app(ns)]
	spec.UpdateConfig, spec.RollbackConfig, spec.TaskTemplate.RestartPolicy = nil, nil, nil
	st.Services[app(ns)] = spec
	deploy(t, tg, st)
	got := service(t, tg, app(ns)).Spec
	delay, zero := 5*time.Second, uint64(0)
	want := map[string]any{
		"UpdateConfig": &swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionPause,
			Monitor: 5 * time.Second, Order: swarm.UpdateOrderStopFirst},
		"RollbackConfig": &swarm.UpdateConfig{Parallelism: 1, FailureAction: swarm.UpdateFailureActionPause,
			Monitor: 5 * time.Second, Order: swarm.UpdateOrderStopFirst},
		"RestartPolicy": &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny, Delay: &delay, MaxAttempts: &zero},
	}
	for what, g := range map[string]any{"UpdateConfig": got.UpdateConfig, "RollbackConfig": got.RollbackConfig,
		"RestartPolicy": got.TaskTemplate.RestartPolicy} {
		if a, b := asJSON(t, g), asJSON(t, want[what]); a != b {
			t.Errorf("service %s: %s %s, want %s", app(ns), what, a, b)
		}
	}
}

// asJSON is v as JSON.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
