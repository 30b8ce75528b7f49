// Package deepcopy copies values deeply the way a JSON round trip
// (json.Marshal, then json.Unmarshal into a new value) copies them, without
// encoding anything: unexported fields and fields tagged `json:"-"` are left
// zero, omitempty and omitzero fields holding an empty value are left zero,
// and nil pointers, slices and maps stay nil. The simulator and the recipe
// build cache used the round trip to copy swarm specs, and it cost a fifth
// of an explore run.
//
// It is meant for plain data such as Docker's API types. It differs from
// the round trip for types with their own MarshalJSON or UnmarshalJSON
// that change what they hold, for interface values (copied as their
// dynamic type, where JSON makes maps and float64s), and for an embedded
// pointer to an unexported struct (left nil, where JSON fails). Tests
// compare it with the round trip on every fixture recipe's stack.
package deepcopy

import (
	"reflect"
	"strings"
	"sync"
	"time"
)

// Of returns a deep copy of v.
func Of[T any](v T) T {
	var out T
	copyValue(reflect.ValueOf(&out).Elem(), reflect.ValueOf(&v).Elem())
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// copyValue copies src into dst, which holds the zero value of its type.
func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		copyValue(v, src.Elem())
		dst.Set(v)
	case reflect.Struct:
		copyStruct(dst, src)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		copyElems(s, src)
		dst.Set(s)
	case reflect.Array:
		copyElems(dst, src)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			copyValue(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

func copyElems(dst, src reflect.Value) {
	if planOf(src.Type().Elem()).plain {
		reflect.Copy(dst, src)
		return
	}
	for i := range src.Len() {
		copyValue(dst.Index(i), src.Index(i))
	}
}

// plan is what copying a type takes, worked out once per type as
// encoding/json does: reading struct tags on every copy cost more than
// the copy.
type plan struct {
	// plain types hold no references and nothing a JSON round trip drops,
	// so assigning a value copies it.
	plain  bool
	fields []field // a struct's fields that a copy sets
}

type field struct {
	index               int
	omitEmpty, omitZero bool
	promoted            bool // an unexported embedded struct
}

var plans sync.Map // reflect.Type → *plan

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := makePlan(t, map[reflect.Type]bool{})
	plans.Store(t, p)
	return p
}

// makePlan works out t's plan; seen holds the types being worked out, which
// a recursive type reaches again and which are then taken as not plain.
func makePlan(t reflect.Type, seen map[reflect.Type]bool) *plan {
	if seen[t] {
		return &plan{}
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan,
		reflect.Func, reflect.UnsafePointer:
		return &plan{}
	case reflect.Array:
		return &plan{plain: makePlan(t.Elem(), seen).plain}
	case reflect.Struct:
		return structPlan(t, seen)
	}
	return &plan{plain: true}
}

func structPlan(t reflect.Type, seen map[reflect.Type]bool) *plan {
	p := &plan{plain: t != timeType}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			p.plain = false
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				p.fields = append(p.fields, field{index: i, promoted: true})
			}
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			p.plain = false
			continue
		}
		_, opts, _ := strings.Cut(tag, ",")
		fp := field{index: i, omitEmpty: hasOpt(opts, "omitempty"), omitZero: hasOpt(opts, "omitzero")}
		// omitempty drops only zero values of plain kinds, which a copy
		// leaves zero anyway; omitzero may ask an IsZero method.
		if fp.omitZero || !makePlan(f.Type, seen).plain {
			p.plain = false
		}
		p.fields = append(p.fields, fp)
	}
	return p
}

func copyStruct(dst, src reflect.Value) {
	t := src.Type()
	if t == timeType {
		// JSON keeps the instant and the zone offset, not the monotonic
		// reading; Round(0) drops that too.
		dst.Set(reflect.ValueOf(src.Interface().(time.Time).Round(0)))
		return
	}
	p := planOf(t)
	if p.plain {
		dst.Set(src)
		return
	}
	for _, f := range p.fields {
		v := src.Field(f.index)
		switch {
		case f.promoted:
			copyStruct(dst.Field(f.index), v) // its exported fields are promoted
		case (f.omitEmpty && isEmpty(v)) || (f.omitZero && isZero(v)):
		default:
			copyValue(dst.Field(f.index), v)
		}
	}
}

func hasOpt(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's test for omitzero: an IsZero method, else the
// zero value.
func isZero(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}
