package converge

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/swarm"
)

// specMismatch says how the live spec differs from the spec a deploy sent,
// or "" when live is that spec. It compares what a rollback or another
// deploy would change and an engine would not: every service label sent
// (abra's chaos-version first), the image (without a digest the daemon may
// pin), every env entry sent, and the replica count. Engines may add
// labels (chaosrun.run) and env (faults on a real swarm), so only what
// was sent is compared.
func specMismatch(sent, live swarm.ServiceSpec) string {
	if cv := ChaosVersion(sent.Labels); cv != ChaosVersion(live.Labels) {
		return fmt.Sprintf("live spec chaos-version %s, this deploy sent %s", orNone(ChaosVersion(live.Labels)), orNone(cv))
	}
	for _, k := range slices.Sorted(maps.Keys(sent.Labels)) {
		if got, ok := live.Labels[k]; !ok || got != sent.Labels[k] {
			return fmt.Sprintf("live spec label %s=%s, this deploy sent %s", k, orNone(got), sent.Labels[k])
		}
	}
	if d := containerMismatch(sent.TaskTemplate.ContainerSpec, live.TaskTemplate.ContainerSpec); d != "" {
		return d
	}
	if a, b := replicas(sent), replicas(live); sent.Mode.Replicated != nil && a != b {
		return fmt.Sprintf("live spec has %d replicas, this deploy sent %d", b, a)
	}
	return ""
}

// containerMismatch compares the image and the env entries sent.
func containerMismatch(sent, live *swarm.ContainerSpec) string {
	if sent == nil {
		return ""
	}
	if live == nil {
		return "live spec has no container, this deploy sent one"
	}
	if a, b := withoutDigest(sent.Image), withoutDigest(live.Image); a != b {
		return fmt.Sprintf("live spec image %s, this deploy sent %s", b, a)
	}
	for _, kv := range sent.Env {
		if !slices.Contains(live.Env, kv) {
			return fmt.Sprintf("live spec env lacks %s, which this deploy sent", kv)
		}
	}
	return ""
}

func withoutDigest(image string) string {
	ref, _, _ := strings.Cut(image, "@")
	return ref
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
