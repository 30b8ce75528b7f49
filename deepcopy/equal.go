package deepcopy

import (
	"reflect"
	"time"
)

// Equal reports whether a and b are equal after a JSON round trip, that is
// reflect.DeepEqual(Of(a), Of(b)), without copying either: the simulator
// compares specs this way (swarmkit's "is this task dirty" test, made
// insensitive to what the Engine API's JSON drops).
func Equal[T any](a, b T) bool {
	return equalValue(reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem())
}

func equalValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return equalValue(a.Elem(), b.Elem())
	case reflect.Struct:
		return equalStruct(a, b)
	case reflect.Slice:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalElems(a, b)
	case reflect.Array:
		return equalElems(a, b)
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !equalValue(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.IsNil() && b.IsNil() // as DeepEqual of copies, which share them
	}
	return equalPlain(a, b)
}

func equalElems(a, b reflect.Value) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		if !equalValue(a.Index(i), b.Index(i)) {
			return false
		}
	}
	return true
}

func equalStruct(a, b reflect.Value) bool {
	t := a.Type()
	if t == timeType {
		return a.Interface().(time.Time).Round(0) == b.Interface().(time.Time).Round(0)
	}
	p := planOf(t)
	if p.plain && t.Comparable() {
		return a.Interface() == b.Interface()
	}
	for _, f := range p.fields {
		av, bv := a.Field(f.index), b.Field(f.index)
		switch {
		case f.promoted:
			if !equalStruct(av, bv) {
				return false
			}
		case f.omitEmpty && (isEmpty(av) || isEmpty(bv)):
			if isEmpty(av) != isEmpty(bv) {
				return false
			}
		case f.omitZero && (isZero(av) || isZero(bv)):
			if isZero(av) != isZero(bv) {
				return false
			}
		default:
			if !equalValue(av, bv) {
				return false
			}
		}
	}
	return true
}

// equalPlain compares values of a kind without references, as DeepEqual
// does.
func equalPlain(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.Complex64, reflect.Complex128:
		return a.Complex() == b.Complex()
	case reflect.String:
		return a.String() == b.String()
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
