package sim

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// Rollback is a manual rollback (`docker service rollback`, the API's
// rollback=previous, docs/swarm-semantics.md §4): Spec and PreviousSpec swap and UpdateStatus
// becomes ROLLBACK_STARTED "manually requested rollback" with a new
// StartedAt; the updater then rolls back with the restored spec's
// RollbackConfig. Without a previous spec (a new service, or right after an
// automatic rollback) it fails and changes nothing. It is not part of
// engine.Engine.
func (s *Sim) Rollback(ctx context.Context, name string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	s.lock()
	defer s.unlock()
	svc, ok := s.services[name]
	if !ok {
		return fmt.Errorf("rollback service %s: %w", name, engine.ErrNotFound)
	}
	return s.rollback(svc)
}

// rollback is Rollback with the lock held.
func (s *Sim) rollback(svc *service) error {
	if svc.prev == nil {
		return fmt.Errorf("rollback service %s: service %s does not have a previous spec", svc.name, svc.id)
	}
	now := s.now()
	s.setStatus(svc, swarm.UpdateStatus{State: swarm.UpdateStateRollbackStarted, Message: "manually requested rollback",
		StartedAt: &now}, func() { svc.spec, svc.prev = svc.prev, svc.spec })
	s.post(func() { s.reconcile(svc) })
	return nil
}
