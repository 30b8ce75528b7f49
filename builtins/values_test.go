package builtins

import (
	"reflect"
	"testing"

	dswarm "github.com/docker/docker/api/types/swarm"
	"go.starlark.net/starlark"
)

// TestConverterMemo converts services that share specs, as the simulator
// hands them out, with and without the memo: the results must be equal,
// frozen, and the shared parts converted once.
func TestConverterMemo(t *testing.T) {
	replicas := uint64(2)
	spec := &dswarm.ServiceSpec{
		Annotations:  dswarm.Annotations{Name: "s_app", Labels: map[string]string{"a": "b"}},
		TaskTemplate: dswarm.TaskSpec{ContainerSpec: &dswarm.ContainerSpec{Image: "app:1", Env: []string{"X=1"}}},
		Mode:         dswarm.ServiceMode{Replicated: &dswarm.ReplicatedService{Replicas: &replicas}},
	}
	first := dswarm.Service{ID: "x1", Spec: *spec, PreviousSpec: spec}
	second := dswarm.Service{ID: "x1", Spec: *spec, PreviousSpec: spec}
	second.Version.Index = 9
	memo := &converter{memo: map[memoKey]starlark.Value{}}
	for _, svc := range []dswarm.Service{first, second, first} {
		got := memo.fromGo(svc)
		want := fromGo(svc)
		if eq, err := starlark.Equal(got, want); err != nil || !eq {
			t.Fatalf("with the memo %v, without %v (%v)", got, want, err)
		}
	}
	// Labels, ContainerSpec, Replicated, Replicas, PreviousSpec and the
	// slices' owners: a handful of entries, not one per conversion.
	if n := len(memo.memo); n == 0 || n > 8 {
		t.Errorf("memo holds %d entries", n)
	}
	v, err := memo.fromGo(first).(starlark.HasAttrs).Attr("Spec")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := v.(starlark.HasAttrs).Attr("Labels")
	if err != nil {
		t.Fatal(err)
	}
	if err := labels.(*starlark.Dict).SetKey(starlark.String("c"), starlark.String("d")); err == nil {
		t.Error("a remembered dict can be changed")
	}
	if got := toStarlark(reflect.ValueOf(map[string]string(nil))); got.(*starlark.Dict).Len() != 0 {
		t.Errorf("nil map converts to %v", got)
	}
}
