package builtins

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// goStruct is a Docker API struct seen from Starlark: its attributes are
// the struct's fields under Docker's JSON names (embedded structs
// flattened, as encoding/json does), each converted when it is first read.
// A script that reads svc.Spec.Labels converts the labels, not the whole
// service: converting every inspection in full cost a fifth of an explore
// run. Its type is the Go type's name (ServiceSpec, Task, ...) unless
// given another (inspect_service's "service"); printing, comparing and
// hashing convert it in full and behave as a struct with the same fields
// would. It is immutable, and safe to read from several threads.
type goStruct struct {
	v    reflect.Value
	plan *fieldPlan
	// typeName, when set, is the type scripts see instead of the Go type's
	// name; a missing attribute is still reported under the Go type's name.
	typeName string

	mu   sync.Mutex
	vals []starlark.Value // by field number, nil until read
}

// fieldPlan is a struct type's attributes, worked out once per type.
type fieldPlan struct {
	typeName string
	names    []string // sorted
	byName   map[string]int
	paths    [][]int // reflect field index paths, by the same number
}

var fieldPlans sync.Map // reflect.Type → *fieldPlan

func newGoStruct(v reflect.Value) *goStruct {
	p := planFields(v.Type())
	return &goStruct{v: v, plan: p, vals: make([]starlark.Value, len(p.names))}
}

func planFields(t reflect.Type) *fieldPlan {
	if p, ok := fieldPlans.Load(t); ok {
		return p.(*fieldPlan)
	}
	paths := map[string][]int{}
	collectFields(t, nil, paths)
	p := &fieldPlan{typeName: t.Name(), byName: map[string]int{}}
	if p.typeName == "" {
		p.typeName = "object"
	}
	p.names = slices.Sorted(maps.Keys(paths))
	for i, n := range p.names {
		p.byName[n] = i
		p.paths = append(p.paths, paths[n])
	}
	fieldPlans.Store(t, p)
	return p
}

// collectFields maps JSON names to field index paths; a later field with
// the same name wins, as the struct conversion always did.
func collectFields(t reflect.Type, prefix []int, out map[string][]int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		path := append(slices.Clone(prefix), i)
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			collectFields(f.Type, path, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = path
	}
}

func (s *goStruct) Type() string {
	if s.typeName != "" {
		return s.typeName
	}
	return s.plan.typeName
}

func (s *goStruct) Freeze()              {} // immutable; attributes are frozen when made
func (s *goStruct) Truth() starlark.Bool { return starlark.True }
func (s *goStruct) String() string       { return s.full().String() }
func (s *goStruct) Hash() (uint32, error) {
	return s.full().Hash()
}

func (s *goStruct) AttrNames() []string { return slices.Clone(s.plan.names) }

func (s *goStruct) Attr(name string) (starlark.Value, error) {
	i, ok := s.plan.byName[name]
	if !ok {
		return nil, starlark.NoSuchAttrError(fmt.Sprintf("%s has no .%s attribute", s.plan.typeName, name))
	}
	return s.attr(i), nil
}

func (s *goStruct) attr(i int) starlark.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals[i] == nil {
		v := toStarlark(s.v.FieldByIndex(s.plan.paths[i]))
		v.Freeze()
		s.vals[i] = v
	}
	return s.vals[i]
}

// full is the struct with every attribute converted.
func (s *goStruct) full() *starlarkstruct.Struct {
	d := make(starlark.StringDict, len(s.plan.names))
	for i, n := range s.plan.names {
		d[n] = s.attr(i)
	}
	st := starlarkstruct.FromStringDict(starlarkstruct.Default, d)
	st.Freeze()
	return st
}

func (s *goStruct) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	o, ok := y.(*goStruct)
	if !ok {
		return false, fmt.Errorf("cannot compare %s with %s", s.Type(), y.Type())
	}
	return s.full().CompareSameType(op, o.full(), depth)
}

var (
	_ starlark.HasAttrs   = (*goStruct)(nil)
	_ starlark.Comparable = (*goStruct)(nil)
)
