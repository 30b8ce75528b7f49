package converge

import (
	"testing"
	"time"

	containertypes "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"
)

func at(s int) *time.Time {
	t := time.Date(2026, 1, 1, 0, 0, s, 0, time.UTC)
	return &t
}

func svc(version uint64, st *swarm.UpdateStatus) swarm.Service {
	s := swarm.Service{UpdateStatus: st}
	s.Version.Index = version
	return s
}

// TestFresh pins which UpdateStatus belongs to the update being checked:
// what fooled the journal's first fix was a status left over from before.
func TestFresh(t *testing.T) {
	completedAt10 := &swarm.UpdateStatus{State: swarm.UpdateStateCompleted, StartedAt: at(10)}
	tests := []struct {
		name  string
		since *swarm.Service
		now   swarm.Service
		fresh bool
	}{
		{"no since: any status counts", nil, svc(5, completedAt10), true},
		{"nothing written since the snapshot", ptr(svc(5, completedAt10)), svc(5, completedAt10), false},
		{"status left over from the earlier update", ptr(svc(5, completedAt10)), svc(9, completedAt10), false},
		{"a newer update", ptr(svc(5, completedAt10)), svc(9, &swarm.UpdateStatus{State: swarm.UpdateStateUpdating, StartedAt: at(20)}), true},
		{"snapshot had no status", ptr(svc(5, nil)), svc(9, completedAt10), true},
		{"after the redeploy, no status yet", ptr(svc(5, completedAt10)), svc(6, nil), false},
	}
	for _, tt := range tests {
		w := &waiter{since: tt.since}
		if got := w.fresh(tt.now) != nil; got != tt.fresh {
			t.Errorf("%s: fresh = %v, want %v", tt.name, got, tt.fresh)
		}
	}
}

func ptr(s swarm.Service) *swarm.Service { return &s }

func TestDefaultTimeout(t *testing.T) {
	one := uint64(1)
	discourse := swarm.ServiceSpec{
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Healthcheck: &containertypes.HealthConfig{
			Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 10 * time.Second, Retries: 3, StartPeriod: 20 * time.Minute}}},
		UpdateConfig: &swarm.UpdateConfig{Parallelism: 1, Monitor: 5 * time.Second, Order: swarm.UpdateOrderStartFirst},
	}
	got, why := DefaultTimeout(discourse)
	// 30s start + 20m + 3×(30s+10s) + monitor 5s, one batch, + monitor 5s + margin 2m
	if want := 30*time.Second + 20*time.Minute + 2*time.Minute + 5*time.Second + 5*time.Second + 2*time.Minute; got != want {
		t.Errorf("discourse: got %s (%s), want %s", got, why, want)
	}
	testapp := swarm.ServiceSpec{}
	if got, _ := DefaultTimeout(testapp); got > 5*time.Minute {
		t.Errorf("a service without healthcheck gets %s, want a few minutes at most", got)
	}
}
