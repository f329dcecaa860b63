package tensor

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The files in testdata/llamacpp were written by llama.cpp's own ggml
// libraries (gen.c, gen.sh; version in VERSION), so these tests compare
// Plume's arithmetic with llama.cpp's bit for bit.
const goldenDir = "testdata/llamacpp"

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	return b
}

func goldenFloats(t *testing.T, name string) []float32 {
	t.Helper()
	b := readGolden(t, name)
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f
}

func TestGoldenHalfConversions(t *testing.T) {
	c := goldenFloats(t, "conv.f32")
	f16, bf16 := readGolden(t, "f16.bin"), readGolden(t, "bf16.bin")
	for i, v := range c {
		if got, want := F32ToF16(v), binary.LittleEndian.Uint16(f16[2*i:]); got != want {
			t.Errorf("F32ToF16(%#08x) = %#04x, llama.cpp %#04x", math.Float32bits(v), got, want)
		}
		if got, want := F32ToBF16(v), binary.LittleEndian.Uint16(bf16[2*i:]); got != want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, llama.cpp %#04x", math.Float32bits(v), got, want)
		}
	}
}

// Every weight quantizer reproduces llama.cpp's quantize_row_*_ref output.
func TestGoldenWeightQuantizers(t *testing.T) {
	w := goldenFloats(t, "w.f32")
	for _, typ := range []Type{F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K} {
		want := readGolden(t, "w_"+lower(typ.String())+".bin")
		got := make([]byte, len(want))
		if err := Quantize(typ, w, got); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		ts := typ.TypeSize()
		diff := 0
		for b := 0; b < len(got)/ts; b++ {
			if !bytes.Equal(got[b*ts:(b+1)*ts], want[b*ts:(b+1)*ts]) {
				diff++
				if diff == 1 {
					t.Errorf("%s: block %d differs from llama.cpp:\n got %x\nwant %x", typ, b, got[b*ts:(b+1)*ts], want[b*ts:(b+1)*ts])
				}
			}
		}
		if diff > 0 {
			t.Errorf("%s: %d of %d blocks differ", typ, diff, len(got)/ts)
		}
	}
}

// The activation quantizers reproduce the x86 CPU backend's from_float.
func TestGoldenActivationQuantizers(t *testing.T) {
	x := goldenFloats(t, "x.f32")
	for _, c := range []struct {
		name string
		f    func([]float32, []byte) error
	}{{"q8_0", QuantizeQ8_0}, {"q8_1", QuantizeQ8_1}, {"q8_K", QuantizeQ8_K}} {
		want := readGolden(t, "x_"+c.name+".bin")
		got := make([]byte, len(want))
		if err := c.f(x, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: first difference at byte %d: %#x, llama.cpp %#x", c.name, i, got[i], want[i])
					break
				}
			}
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' && !(i > 0 && b[i-1] == '_') {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
