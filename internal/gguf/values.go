package gguf

import (
	"fmt"
	"math"
	"slices"
)

// Lookup returns the metadata pair with the given key.
func (f *File) Lookup(key string) (KV, bool) {
	i, ok := f.kvIdx[key]
	if !ok {
		return KV{}, false
	}
	return f.KVs[i], true
}

// get returns the pair for key, or an error wrapping ErrNotFound.
func (f *File) get(key string) (KV, error) {
	kv, ok := f.Lookup(key)
	if !ok {
		return KV{}, fmt.Errorf("gguf: key %q: %w", key, ErrNotFound)
	}
	return kv, nil
}

func typeError(key string, got ValueType, want string) error {
	return fmt.Errorf("gguf: key %q is a %s, want %s: %w", key, got, want, ErrType)
}

func rangeError(key string, v any, want string) error {
	return fmt.Errorf("gguf: key %q value %v is out of range for %s: %w", key, v, want, ErrType)
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	kv, err := f.get(key)
	if err != nil {
		return "", err
	}
	s, ok := kv.Value.(string)
	if !ok {
		return "", typeError(key, kv.Type, "string")
	}
	return s, nil
}

// intValue widens any integer value: u is set for unsigned types, i for
// signed ones.
func intValue(v any) (u uint64, i int64, signed, ok bool) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), 0, false, true
	case uint16:
		return uint64(x), 0, false, true
	case uint32:
		return uint64(x), 0, false, true
	case uint64:
		return x, 0, false, true
	case int8:
		return 0, int64(x), true, true
	case int16:
		return 0, int64(x), true, true
	case int32:
		return 0, int64(x), true, true
	case int64:
		return 0, x, true, true
	}
	return 0, 0, false, false
}

// integer reads the integer value at key, of any integer type: u when
// unsigned, i when signed.
func (f *File) integer(key string) (u uint64, i int64, signed bool, err error) {
	kv, err := f.get(key)
	if err != nil {
		return 0, 0, false, err
	}
	u, i, signed, ok := intValue(kv.Value)
	if !ok {
		return 0, 0, false, typeError(key, kv.Type, "an integer")
	}
	return u, i, signed, nil
}

// Uint returns an integer value of any integer type that is not negative.
func (f *File) Uint(key string) (uint64, error) {
	u, i, signed, err := f.integer(key)
	switch {
	case err != nil:
		return 0, err
	case signed && i < 0:
		return 0, rangeError(key, i, "an unsigned integer")
	case signed:
		return uint64(i), nil
	}
	return u, nil
}

// Int returns an integer value of any integer type that fits in int64.
func (f *File) Int(key string) (int64, error) {
	u, i, signed, err := f.integer(key)
	switch {
	case err != nil:
		return 0, err
	case signed:
		return i, nil
	case u > math.MaxInt64:
		return 0, rangeError(key, u, "int64")
	}
	return int64(u), nil
}

// Float returns an f32 or f64 value.
func (f *File) Float(key string) (float64, error) {
	kv, err := f.get(key)
	if err != nil {
		return 0, err
	}
	switch x := kv.Value.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, typeError(key, kv.Type, "f32 or f64")
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	kv, err := f.get(key)
	if err != nil {
		return false, err
	}
	b, ok := kv.Value.(bool)
	if !ok {
		return false, typeError(key, kv.Type, "bool")
	}
	return b, nil
}

// array returns the array stored under key.
func (f *File) array(key string) (Array, error) {
	kv, err := f.get(key)
	if err != nil {
		return Array{}, err
	}
	a, ok := kv.Value.(Array)
	if !ok {
		return Array{}, typeError(key, kv.Type, "an array")
	}
	return a, nil
}

// Strings returns a copy of an array of strings.
func (f *File) Strings(key string) ([]string, error) { return arrayOf[string](f, key, "string") }

// Float32s returns a copy of an array of f32.
func (f *File) Float32s(key string) ([]float32, error) { return arrayOf[float32](f, key, "f32") }

// arrayOf returns a copy of the array at key, whose elements must be T
// (named want in the error).
func arrayOf[T any](f *File, key, want string) ([]T, error) {
	a, err := f.array(key)
	if err != nil {
		return nil, err
	}
	s, ok := a.Values.([]T)
	if !ok {
		return nil, fmt.Errorf("gguf: key %q is an array of %s, want %s: %w", key, a.Type, want, ErrType)
	}
	return slices.Clone(s), nil
}

// Int32s returns an array of integers as int32. It accepts i32 and u32
// arrays, and the narrower integer types; every value must fit in int32.
func (f *File) Int32s(key string) ([]int32, error) {
	a, err := f.array(key)
	if err != nil {
		return nil, err
	}
	switch v := a.Values.(type) {
	case []int32:
		return slices.Clone(v), nil
	case []uint32:
		return convertInt32s(key, v)
	case []int16:
		return convertInt32s(key, v)
	case []uint16:
		return convertInt32s(key, v)
	case []int8:
		return convertInt32s(key, v)
	case []uint8:
		return convertInt32s(key, v)
	case []int64:
		return convertInt32s(key, v)
	case []uint64:
		return convertInt32s(key, v)
	}
	return nil, fmt.Errorf("gguf: key %q is an array of %s, want i32 or u32: %w", key, a.Type, ErrType)
}

func convertInt32s[T int8 | uint8 | int16 | uint16 | uint32 | int64 | uint64](key string, v []T) ([]int32, error) {
	out := make([]int32, len(v))
	for i, x := range v {
		if int64(x) < math.MinInt32 || uint64(x) > math.MaxInt32 && x > 0 {
			return nil, fmt.Errorf("gguf: key %q element %d value %v is out of range for int32: %w", key, i, x, ErrType)
		}
		out[i] = int32(x)
	}
	return out, nil
}

// Arch returns general.architecture, or "" when it is absent or not a string.
func (f *File) Arch() string {
	s, _ := f.String(ArchitectureKey)
	return s
}

// ArchKey returns "<arch>.<suffix>", the name of an architecture-specific
// key such as "llama.context_length" for ArchKey("context_length").
func (f *File) ArchKey(suffix string) string {
	return f.Arch() + "." + suffix
}
