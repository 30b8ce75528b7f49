package builtins

import (
	"reflect"
	"sort"
	"time"
	"unsafe"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/interp"
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
func toStarlark(v reflect.Value) starlark.Value { return (*converter)(nil).value(v) }

// converter is toStarlark with a memo: it hands out again, frozen, what it
// made of a pointer or a map it has converted before. The simulator hands
// out the same read-only specs at every inspection, and converting them
// again cost a sixth of an explore run. A nil converter remembers nothing.
type converter struct {
	memo map[memoKey]starlark.Value
}

type memoKey struct {
	t reflect.Type
	p unsafe.Pointer // holds the Go value, so its address is not reused
}

// maxMemo bounds a converter's memo; it starts again when full.
const maxMemo = 4096

const converterKey = "builtins.converter"

// converterOf returns the case's converter: one with a memo on the
// simulator, whose results never change once handed out (swarm.Engine),
// and none on engines that make new values at every call.
func converterOf(thread *starlark.Thread) *converter {
	if !onSimulator(thread) {
		return nil
	}
	c := interp.CaseOf(thread)
	conv, _ := c.Value(converterKey).(*converter)
	if conv == nil {
		conv = &converter{memo: map[memoKey]starlark.Value{}}
		c.SetValue(converterKey, conv)
	}
	return conv
}

// remembered converts a non-nil pointer or map through the memo.
func (c *converter) remembered(v reflect.Value, convert func(reflect.Value) starlark.Value) starlark.Value {
	if c == nil {
		return convert(v)
	}
	key := memoKey{v.Type(), v.UnsafePointer()}
	if out, ok := c.memo[key]; ok {
		return out
	}
	out := convert(v)
	out.Freeze()
	if len(c.memo) >= maxMemo {
		clear(c.memo)
	}
	c.memo[key] = out
	return out
}

func (c *converter) value(v reflect.Value) starlark.Value {
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
		return c.remembered(v, func(v reflect.Value) starlark.Value { return c.value(v.Elem()) })
	case reflect.Interface:
		if v.IsNil() {
			return starlark.None
		}
		return c.value(v.Elem())
	case reflect.Struct:
		return newGoStruct(v, c)
	case reflect.Map:
		if v.IsNil() {
			return starlark.NewDict(0)
		}
		return c.remembered(v, func(v reflect.Value) starlark.Value { return c.mapToDict(v) })
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return starlark.String(v.Bytes())
		}
		items := make([]starlark.Value, v.Len())
		for i := range items {
			items[i] = c.value(v.Index(i))
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

func (c *converter) mapToDict(v reflect.Value) *starlark.Dict {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	d := starlark.NewDict(len(keys))
	for _, k := range keys {
		d.SetKey(starlark.String(k.String()), c.value(v.MapIndex(k)))
	}
	return d
}

// fromGo converts any Go value (see toStarlark) and freezes it.
func fromGo(x any) starlark.Value { return (*converter)(nil).fromGo(x) }

func (c *converter) fromGo(x any) starlark.Value {
	v := c.value(reflect.ValueOf(x))
	v.Freeze()
	return v
}
