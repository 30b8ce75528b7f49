package builtins

import (
	"reflect"
	"sort"
	"time"

	"go.starlark.net/starlark"
)

var (
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
)

// toStarlark converts a Docker API value to Starlark with Docker's JSON
// field names: structs become goStructs (svc.Spec.Labels), maps dicts, slices
// lists, nil pointers None, times RFC 3339 strings and durations integers
// of nanoseconds, as in `docker service inspect`. Embedded structs are
// flattened as encoding/json does (svc.Version.Index).
func toStarlark(v reflect.Value) starlark.Value {
	if !v.IsValid() {
		return starlark.None
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return starlark.None
		}
		return starlark.String(t.UTC().Format(time.RFC3339Nano))
	case durationType:
		return starlark.MakeInt64(v.Int())
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return starlark.None
		}
		return toStarlark(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return starlark.None
		}
		return toStarlark(v.Elem())
	case reflect.Struct:
		return newGoStruct(v)
	case reflect.Map:
		if v.IsNil() {
			return starlark.NewDict(0)
		}
		return mapToDict(v)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return starlark.String(v.Bytes())
		}
		items := make([]starlark.Value, v.Len())
		for i := range items {
			items[i] = toStarlark(v.Index(i))
		}
		return starlark.NewList(items)
	case reflect.String:
		return starlark.String(v.String())
	case reflect.Bool:
		return starlark.Bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return starlark.MakeInt64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return starlark.MakeUint64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return starlark.Float(v.Float())
	}
	return starlark.String(v.String())
}

func mapToDict(v reflect.Value) *starlark.Dict {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	d := starlark.NewDict(len(keys))
	for _, k := range keys {
		d.SetKey(starlark.String(k.String()), toStarlark(v.MapIndex(k)))
	}
	return d
}

// fromGo converts any Go value (see toStarlark) and freezes it.
func fromGo(x any) starlark.Value {
	v := toStarlark(reflect.ValueOf(x))
	v.Freeze()
	return v
}
