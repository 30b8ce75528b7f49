package builtins

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/clock"
	"github.com/coop-cloud/chaosrun/engine"
	"github.com/coop-cloud/chaosrun/interp"
)

// fakeEngine answers Service and Tasks from maps; the rest is unused.
type fakeEngine struct {
	services map[string]swarm.Service
	tasks    map[string][]swarm.Task
}

func (f *fakeEngine) Name() string                                  { return "fake" }
func (f *fakeEngine) Clock() clock.Clock                            { return clock.Real{} }
func (f *fakeEngine) Deploy(context.Context, engine.Stack) error    { return nil }
func (f *fakeEngine) Secrets(context.Context) ([]string, error)     { return nil, nil }
func (f *fakeEngine) Remove(context.Context, string) error          { return nil }
func (f *fakeEngine) Subscribe(context.Context) engine.Subscription { return nil }
func (f *fakeEngine) Tasks(_ context.Context, name string, _ bool) ([]swarm.Task, error) {
	return f.tasks[name], nil
}
func (f *fakeEngine) Service(_ context.Context, name string) (swarm.Service, error) {
	svc, ok := f.services[name]
	if !ok {
		return svc, fmt.Errorf("service %s: %w", name, engine.ErrNotFound)
	}
	return svc, nil
}

const fakeID = "abcdefghijklmnopqrstuvwxy" // 25 characters, scrubbed to x1

func TestExplain(t *testing.T) {
	app := "discourse_example_com_app"
	e := &fakeEngine{
		services: map[string]swarm.Service{app: {
			Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Labels: map[string]string{
				"coop-cloud.discourse_example_com.chaos-version": "eb96de94+U",
				"coop-cloud.discourse_example_com.version":       "0.7.0+3.3.1",
				"coop-cloud.discourse_example_com.recipe":        "discourse",
			}}},
			UpdateStatus: &swarm.UpdateStatus{State: swarm.UpdateStateRollbackCompleted, Message: "rollback completed"},
		}},
		tasks: map[string][]swarm.Task{app: {
			{ID: fakeID, Slot: 1, Status: swarm.TaskStatus{State: swarm.TaskStateFailed, Err: "task: non-zero exit (137)"}},
			{ID: "t2", Slot: 1, Status: swarm.TaskStatus{State: swarm.TaskStateRunning}},
		}},
	}
	tests := []struct {
		name    string
		engine  engine.Engine
		touched []string
		want    string
	}{
		{"no engine", nil, []string{app}, ""},
		{"nothing touched", e, nil, ""},
		{"rolled back", e, []string{app, "discourse_example_com_db"}, `service discourse_example_com_app:
  update status: rollback_completed "rollback completed"
  labels: chaos-version=eb96de94+U version=0.7.0+3.3.1
  task x1 (slot 1): failed: task: non-zero exit (137)
service discourse_example_com_db: not found
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &interp.Case{Name: "test_x", Transcript: interp.NewTranscript(nil)}
			if tt.engine != nil {
				Attach(c, tt.engine)
			}
			if tt.touched != nil {
				touchService(c, tt.touched...)
				touchService(c, tt.touched[0]) // twice: listed once
			}
			if got := Explain(c); got != tt.want {
				t.Errorf("Explain:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestUpdateStatusText(t *testing.T) {
	now := time.Now()
	tests := []struct {
		st   *swarm.UpdateStatus
		want string
	}{
		{nil, "none (no update has run, or a redeploy changed no task)"},
		{&swarm.UpdateStatus{State: swarm.UpdateStateCompleted, StartedAt: &now}, "completed"},
		{&swarm.UpdateStatus{State: swarm.UpdateStatePaused, Message: "update paused"}, `paused "update paused"`},
	}
	for _, tt := range tests {
		if got := updateStatus(tt.st); got != tt.want {
			t.Errorf("updateStatus(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}
