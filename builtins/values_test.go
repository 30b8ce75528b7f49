package builtins

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// TestNilMap converts a nil map to an empty dict, as Docker prints {}.
func TestNilMap(t *testing.T) {
	if got := toStarlark(reflect.ValueOf(map[string]string(nil))); got.(*starlark.Dict).Len() != 0 {
		t.Errorf("nil map converts to %v", got)
	}
}

// TestGoStruct checks the lazy struct against the struct it stands for:
// names (embedded fields flattened), printing, equality, a missing
// attribute, and reads from several goroutines.
func TestGoStruct(t *testing.T) {
	started := time.Date(2026, 1, 1, 0, 4, 0, 0, time.UTC)
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: "s_app", Labels: map[string]string{"a": "b"}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: "app:1", Env: []string{"X=1"},
			Healthcheck: &container.HealthConfig{Test: []string{"CMD", "true"}, StartPeriod: time.Minute}}},
		UpdateConfig: &swarm.UpdateConfig{FailureAction: "rollback", Order: "start-first"},
	}
	svc := swarm.Service{ID: "x1", Spec: spec, PreviousSpec: &spec,
		UpdateStatus: &swarm.UpdateStatus{State: "rollback_completed", StartedAt: &started}}
	svc.Version.Index = 7
	v := fromGo(svc).(*goStruct)
	if v.Type() != "Service" {
		t.Errorf("type %q", v.Type())
	}
	names := v.AttrNames()
	for _, want := range []string{"CreatedAt", "ID", "Spec", "UpdatedAt", "Version"} {
		if !slices.Contains(names, want) {
			t.Errorf("AttrNames %v: no %s", names, want)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("AttrNames not sorted: %v", names)
	}
	if got, want := v.String(), eager(reflect.ValueOf(svc)).String(); got != want {
		t.Errorf("prints as\n%s\nwant, as converted in full,\n%s", got, want)
	}
	if eq, err := starlark.Equal(v, fromGo(svc)); err != nil || !eq {
		t.Errorf("equal services compare %v, %v", eq, err)
	}
	other := svc
	other.Version.Index = 8
	if eq, _ := starlark.Equal(v, fromGo(other)); eq {
		t.Error("services with different versions compare equal")
	}
	if _, err := v.Attr("Nope"); err == nil || err.Error() != "Service has no .Nope attribute" {
		t.Errorf("missing attribute: %v", err)
	}
	specV, err := v.Attr("Spec")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := specV.(starlark.HasAttrs).Attr("Labels")
	if err != nil {
		t.Fatal(err)
	}
	if err := labels.(*starlark.Dict).SetKey(starlark.String("c"), starlark.String("d")); err == nil {
		t.Error("an attribute's dict can be changed")
	}
	named := newGoStruct(reflect.ValueOf(svc))
	named.typeName = serviceType
	if named.Type() != "service" {
		t.Errorf("renamed type %q", named.Type())
	}
	if _, err := named.Attr("Nope"); err == nil || err.Error() != "Service has no .Nope attribute" {
		t.Errorf("missing attribute of a renamed struct: %v", err)
	}

	// Goroutines reading a fresh struct's attributes at once all get the
	// same values, converted once, and equal to what v converted.
	fresh := fromGo(svc).(*goStruct)
	reads := make([][]starlark.Value, 4)
	var wg sync.WaitGroup
	for g := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range names {
				x, err := fresh.Attr(n)
				if err != nil {
					x = starlark.String("error: " + err.Error())
				}
				reads[g] = append(reads[g], x)
			}
		}()
	}
	wg.Wait()
	for g, got := range reads {
		for i, n := range names {
			if got[i] != reads[0][i] {
				t.Errorf("goroutine %d read %s as %v, goroutine 0 as another value %v", g, n, got[i], reads[0][i])
			}
			want, _ := v.Attr(n)
			if eq, err := starlark.Equal(got[i], want); err != nil || !eq {
				t.Errorf("goroutine %d read %s as %v, want %v (%v)", g, n, got[i], want, err)
			}
		}
	}
}

// eager converts as toStarlark did before goStruct: every struct in full,
// to a starlarkstruct.
func eager(v reflect.Value) starlark.Value {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return toStarlark(v)
		}
		d := starlark.StringDict{}
		eagerFields(v, d)
		return starlarkstruct.FromStringDict(starlarkstruct.Default, d)
	case reflect.Pointer:
		if !v.IsNil() {
			return eager(v.Elem())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			items := make([]starlark.Value, v.Len())
			for i := range items {
				items[i] = eager(v.Index(i))
			}
			return starlark.NewList(items)
		}
	}
	return toStarlark(v)
}

func eagerFields(v reflect.Value, d starlark.StringDict) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			eagerFields(v.Field(i), d)
			continue
		}
		if name == "" {
			name = f.Name
		}
		d[name] = eager(v.Field(i))
	}
}
