package sim

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/coop-cloud/chaosrun/engine"
)

// The refusals of docs/refusals.md, in swarm's and docker/cli's words.

func TestCheckName(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		kind, name, want string
	}{
		{"secret", long(64), ""},
		{"secret", long(65), errObjectName},
		{"config", "st_x.conf_v1", ""},
		{"config", "_st", errObjectName},
		{"secret", "st_x_", errObjectName},
		{"secret", "st_x!", errObjectName},
		{"secret", "", "name must be provided"},
		{"service", long(63), ""},
		{"service", long(64), errDNSLength},
		{"service", "st_app", ""},
		{"service", "st_a.b", errDNSName},
		{"network", "st-default", ""},
		{"network", "st_default_", errDNSName},
		{"network", "-st", errDNSName},
	}
	for _, tt := range tests {
		err := checkName(tt.kind, tt.name)
		if got := errText(err); got != tt.want {
			t.Errorf("checkName(%s, %q) = %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func secret(name, data string) swarm.SecretSpec {
	return swarm.SecretSpec{Annotations: swarm.Annotations{Name: name}, Data: []byte(data)}
}

func config(name, data string) swarm.ConfigSpec {
	return swarm.ConfigSpec{Annotations: swarm.Annotations{Name: name}, Data: []byte(data)}
}

// TestDeployRefusals deploys a first stack, then a second one, and wants
// the second refused (or not) with swarm's message.
func TestDeployRefusals(t *testing.T) {
	long := "st_" + strings.Repeat("s", 62)
	tests := []struct {
		name          string
		first, second engine.Stack
		want          string
	}{
		{"a secret name over 64 characters", engine.Stack{},
			engine.Stack{Secrets: []swarm.SecretSpec{secret(long, "x")}},
			"deploy stack st: create secret " + long + ": " + errObjectName},
		{"a config name ending in _", engine.Stack{},
			engine.Stack{Configs: []swarm.ConfigSpec{config("st_conf_", "x")}},
			"deploy stack st: create config st_conf_: " + errObjectName},
		{"a network name with a dot", engine.Stack{},
			engine.Stack{Networks: map[string]network.CreateOptions{"st_a.b": {}}},
			"deploy stack st: create network st_a.b: " + errDNSName},
		{"a service name of 64 characters", engine.Stack{},
			engine.Stack{Services: map[string]swarm.ServiceSpec{"st_" + strings.Repeat("s", 61): {}}},
			"deploy stack st: create service st_" + strings.Repeat("s", 61) + ": " + errDNSLength},
		{"more replicas than the simulator models", engine.Stack{},
			engine.Stack{Services: map[string]swarm.ServiceSpec{app: spec("app", replicas(MaxReplicas+1))}},
			"deploy stack st: service st_app: 10001 replicas, more than the simulator models (at most 10000 per service)"},
		{"replicas at uint64's limit", engine.Stack{},
			engine.Stack{Services: map[string]swarm.ServiceSpec{app: spec("app", replicas(math.MaxUint64))}},
			"deploy stack st: service st_app: 18446744073709551615 replicas, more than the simulator models (at most 10000 per service)"},
		{"as many replicas as the simulator models", engine.Stack{},
			engine.Stack{Services: map[string]swarm.ServiceSpec{app: spec("app", replicas(MaxReplicas))}}, ""},
		{"a secret's data changed", engine.Stack{Secrets: []swarm.SecretSpec{secret("st_s_v1", "one")}},
			engine.Stack{Secrets: []swarm.SecretSpec{secret("st_s_v1", "two")}},
			"deploy stack st: update secret st_s_v1: " + errLabelsOnly},
		{"a config's data changed", engine.Stack{Configs: []swarm.ConfigSpec{config("st_c_v1", "one")}},
			engine.Stack{Configs: []swarm.ConfigSpec{config("st_c_v1", "two")}},
			"deploy stack st: update config st_c_v1: " + errLabelsOnly},
		{"a secret redeployed with its data", engine.Stack{Secrets: []swarm.SecretSpec{secret("st_s_v1", "one")}},
			engine.Stack{Secrets: []swarm.SecretSpec{secret("st_s_v1", "one")}}, ""},
		{"a secret redeployed without data", engine.Stack{Secrets: []swarm.SecretSpec{secret("st_s_v1", "one")}},
			engine.Stack{Secrets: []swarm.SecretSpec{{Annotations: swarm.Annotations{Name: "st_s_v1"}}}}, ""},
		{"a missing external network", engine.Stack{}, engine.Stack{ExternalNetworks: []string{"backups"}},
			`deploy stack st: network "backups" is declared as external, but could not be found. ` +
				"You need to create a swarm-scoped network before the stack is deployed"},
		{"the proxy network a server has", engine.Stack{}, engine.Stack{ExternalNetworks: []string{"proxy"}}, ""},
		{"a network that is not user-defined", engine.Stack{}, engine.Stack{ExternalNetworks: []string{"host"}}, ""},
		{"a network the first stack created", engine.Stack{Networks: map[string]network.CreateOptions{"st_internal": {}}},
			engine.Stack{ExternalNetworks: []string{"st_internal"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, 1)
			tt.first.Namespace, tt.second.Namespace = stack, stack
			if err := w.s.Deploy(w.ctx, tt.first); err != nil {
				t.Fatalf("first deploy: %v", err)
			}
			if got := errText(w.s.Deploy(w.ctx, tt.second)); got != tt.want {
				t.Errorf("second deploy: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRefusalKeepsWhatCameBefore: like the real swarm, a deploy refused at
// its second secret has created its first one.
func TestRefusalKeepsWhatCameBefore(t *testing.T) {
	w := newWorld(t, 1)
	st := engine.Stack{Namespace: stack, Secrets: []swarm.SecretSpec{secret("st_a", "x"), secret("st_b_", "x")}}
	if err := w.s.Deploy(w.ctx, st); err == nil {
		t.Fatal("deploy of st_b_ was not refused")
	}
	if got, _ := w.s.Secrets(w.ctx); len(got) != 1 || got[0] != "st_a" {
		t.Errorf("secrets after the refusal = %q, want [st_a]", got)
	}
}

func TestRemoveNetworkThenDeploy(t *testing.T) {
	w := newWorld(t, 1)
	st := engine.Stack{Namespace: stack, ExternalNetworks: []string{DefaultNetwork}}
	if err := w.s.RemoveNetwork(DefaultNetwork); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Deploy(w.ctx, st); err == nil || !strings.Contains(err.Error(), `network "proxy" is declared as external`) {
		t.Fatalf("deploy without proxy: %v, want the external network refusal", err)
	}
	if err := w.s.AddNetwork(DefaultNetwork); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Deploy(w.ctx, st); err != nil {
		t.Fatalf("deploy with proxy back: %v", err)
	}
}

// TestUpdateOutOfSequence: an update at the version the caller just read
// goes through; one at a version read before another write is refused.
func TestUpdateOutOfSequence(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, spec("app"))
	stale := w.service(app)
	w.deploy(nil, spec("app", label("x", "1")))
	cur := w.service(app)
	err := w.s.UpdateService(w.ctx, app, stale.Version, spec("app", label("x", "2")))
	want := "update service st_app at version " + strconv.FormatUint(stale.Version.Index, 10) + ": update out of sequence"
	if errText(err) != want {
		t.Errorf("stale update: got %q, want %q", errText(err), want)
	}
	if err := w.s.UpdateService(w.ctx, app, cur.Version, spec("app", label("x", "3"))); err != nil {
		t.Errorf("update at the current version: %v", err)
	}
	if got := w.service(app).Spec.Labels["x"]; got != "3" {
		t.Errorf("label x = %q after the update, want 3", got)
	}
	err = w.s.UpdateService(w.ctx, app, w.service(app).Version, spec("app", replicas(MaxReplicas+1)))
	want = "update service st_app: 10001 replicas, more than the simulator models (at most 10000 per service)"
	if errText(err) != want {
		t.Errorf("update to too many replicas: got %q, want %q", errText(err), want)
	}
}
