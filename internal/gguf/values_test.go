package gguf

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestGetters(t *testing.T) {
	w := sampleWriter(t)
	for k, v := range map[string]any{
		"neg": int32(-1), "big": uint64(1 << 63), "u32max": []uint32{0, 1 << 31},
		"i64small": []int64{-5, 1 << 30}, "i64big": []int64{1 << 40}, "u8s": []uint8{7},
	} {
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := parseBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		v   any
		err error
	}
	call := func(v any, err error) res { return res{v, err} }
	tests := []struct {
		name string
		got  res
		want any
		err  error
	}{
		{"string", call(f.String("general.architecture")), "llama", nil},
		{"string missing", call(f.String("nope")), "", ErrNotFound},
		{"string wrong type", call(f.String("u8")), "", ErrType},
		{"uint u8", call(f.Uint("u8")), uint64(200), nil},
		{"uint i16 negative", call(f.Uint("i16")), uint64(0), ErrType},
		{"uint u64", call(f.Uint("u64")), uint64(1 << 40), nil},
		{"uint float", call(f.Uint("f32")), uint64(0), ErrType},
		{"uint bool", call(f.Uint("flag")), uint64(0), ErrType},
		{"int i32", call(f.Int("i32")), int64(-70000), nil},
		{"int u16", call(f.Int("u16")), int64(60000), nil},
		{"int u64 too big", call(f.Int("big")), int64(0), ErrType},
		{"int missing", call(f.Int("nope")), int64(0), ErrNotFound},
		{"float f32", call(f.Float("f32")), 1.5, nil},
		{"float f64", call(f.Float("f64")), -2.25, nil},
		{"float int", call(f.Float("u8")), 0.0, ErrType},
		{"bool", call(f.Bool("flag")), true, nil},
		{"bool wrong", call(f.Bool("u8")), false, ErrType},
		{"strings", call(f.Strings("tokens")), []string{"<unk>", "a", "", "▁b"}, nil},
		{"strings of floats", call(f.Strings("scores")), []string(nil), ErrType},
		{"strings scalar", call(f.Strings("u8")), []string(nil), ErrType},
		{"float32s", call(f.Float32s("scores")), []float32{0, -1, 2.5}, nil},
		{"float32s f64", call(f.Float32s("f64s")), []float32(nil), ErrType},
		{"int32s i32", call(f.Int32s("types")), []int32{2, 1, 1, 6}, nil},
		{"int32s u32", call(f.Int32s("u32s")), []int32{1, 2, 3}, nil},
		{"int32s u32 out of range", call(f.Int32s("u32max")), []int32(nil), ErrType},
		{"int32s i64 in range", call(f.Int32s("i64small")), []int32{-5, 1 << 30}, nil},
		{"int32s i64 out of range", call(f.Int32s("i64big")), []int32(nil), ErrType},
		{"int32s u8", call(f.Int32s("u8s")), []int32{7}, nil},
		{"int32s strings", call(f.Int32s("tokens")), []int32(nil), ErrType},
		{"int32s missing", call(f.Int32s("nope")), []int32(nil), ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err != nil {
				if !errors.Is(tc.got.err, tc.err) {
					t.Fatalf("error %v, want %v", tc.got.err, tc.err)
				}
				return
			}
			if tc.got.err != nil {
				t.Fatal(tc.got.err)
			}
			if !equalValue(tc.got.v, tc.want) {
				t.Fatalf("got %#v, want %#v", tc.got.v, tc.want)
			}
		})
	}
}

func equalValue(a, b any) bool {
	switch x := a.(type) {
	case []string:
		return slices.Equal(x, b.([]string))
	case []float32:
		return slices.Equal(x, b.([]float32))
	case []int32:
		return slices.Equal(x, b.([]int32))
	}
	return a == b
}

// Getters hand out copies: changing them must not change the file.
func TestGettersCopy(t *testing.T) {
	f, err := parseBytes(sampleBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.Strings("tokens")
	s[0] = "changed"
	if again, _ := f.Strings("tokens"); again[0] != "<unk>" {
		t.Error("Strings returned the internal slice")
	}
	ti, _ := f.Tensor("w.weight")
	ti.Dims[0] = 1
	if again, _ := f.Tensor("w.weight"); again.Dims[0] != 32 {
		t.Error("Tensor returned the internal Dims")
	}
}
