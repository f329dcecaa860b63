package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestF32ToF16Edges(t *testing.T) {
	tests := []struct {
		name string
		in   float32
		want uint16
	}{
		{"zero", 0, 0x0000},
		{"negative zero", float32(math.Copysign(0, -1)), 0x8000},
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"0.1 rounds down", 0.1, 0x2e66},
		{"max half", 65504, 0x7bff},
		{"just below the overflow midpoint", 65519.99, 0x7bff},
		{"overflow midpoint rounds to even (inf)", 65520, 0x7c00},
		{"large overflow", 1e10, 0x7c00},
		{"negative overflow", -1e10, 0xfc00},
		{"+inf", float32(math.Inf(1)), 0x7c00},
		{"-inf", float32(math.Inf(-1)), 0xfc00},
		{"canonical nan", float32(math.NaN()), 0x7e00},
		{"negative nan", math.Float32frombits(0xffc00000), 0xfe00},
		{"signalling nan is quietened", math.Float32frombits(0x7f800001), 0x7e00},
		{"smallest normal", 0x1p-14, 0x0400},
		{"largest subnormal", 1023 * 0x1p-24, 0x03ff},
		{"smallest subnormal", 0x1p-24, 0x0001},
		{"half the smallest subnormal ties to zero", 0x1p-25, 0x0000},
		{"just above half the smallest subnormal", 0x1.000002p-25, 0x0001},
		{"1.5 subnormal steps ties to even (2)", 3 * 0x1p-25, 0x0002},
		{"2.5 subnormal steps ties to even (2)", 5 * 0x1p-25, 0x0002},
		{"subnormal rounding carries into normal", 2047 * 0x1p-25, 0x0400},
		{"float32 subnormal", math.Float32frombits(1), 0x0000},
		{"negative tiny", -0x1p-30, 0x8000},
		{"tie below even stays", 1 + 0x1p-11, 0x3c00},
		{"tie above odd rounds up", 1 + 3*0x1p-11, 0x3c02},
		{"above tie rounds up", 1 + 0x1.2p-11, 0x3c01},
		{"mantissa carry bumps exponent", 2 - 0x1p-12, 0x4000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := F32ToF16(tc.in); got != tc.want {
				t.Errorf("%s: F32ToF16(%g) = %#04x, want %#04x", tc.name, tc.in, got, tc.want)
			}
		})
	}
}

func TestF16ToF32Edges(t *testing.T) {
	tests := []struct {
		in   uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 0x1p-24},
		{0x03ff, 1023 * 0x1p-24}, {0x8001, -0x1p-24}, {0x0400, 0x1p-14}, {0x3555, 0.33325195},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%#04x", tc.in), func(t *testing.T) {
			if got := F16ToF32(tc.in); got != tc.want {
				t.Errorf("F16ToF32(%#04x) = %g, want %g", tc.in, got, tc.want)
			}
		})
	}
	if got := F16ToF32(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("F16ToF32(0x7e00) = %g, want NaN", got)
	}
	if got := math.Float32bits(F16ToF32(0x8000)); got != 0x80000000 {
		t.Errorf("F16ToF32(0x8000) bits = %#x, want negative zero", got)
	}
}

// Every half converts to float32 and back unchanged (NaNs stay NaN).
func TestF16RoundTripAll(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := F16ToF32(h)
		back := F32ToF16(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != h {
			t.Fatalf("%#04x -> %g -> %#04x", h, f, back)
		}
	}
}

// F32ToF16 picks the nearest half (ties to the even mantissa) for random
// finite values across the whole half range.
func TestF32ToF16Nearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		f := float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-25)))
		if math.Abs(float64(f)) >= 65504 {
			continue
		}
		h := F32ToF16(f)
		got := float64(F16ToF32(h))
		up, down := F16ToF32(h+1), F16ToF32(h-1)
		if h&0x7fff == 0 {
			down = -F16ToF32(1) // across zero
		}
		e := math.Abs(got - float64(f))
		if eu := math.Abs(float64(up) - float64(f)); eu < e || (eu == e && h&1 == 1) {
			t.Fatalf("F32ToF16(%g) = %#04x (%g), %g is nearer or even", f, h, got, up)
		}
		if ed := math.Abs(float64(down) - float64(f)); ed < e {
			t.Fatalf("F32ToF16(%g) = %#04x (%g), %g is nearer", f, h, got, down)
		}
	}
}

func TestBF16(t *testing.T) {
	tests := []struct {
		name string
		in   uint32 // float32 bits
		want uint16
	}{
		{"one", 0x3f800000, 0x3f80},
		{"tie to even stays", 0x3f808000, 0x3f80},
		{"tie to even rounds up", 0x3f818000, 0x3f82},
		{"above tie", 0x3f808001, 0x3f81},
		{"below tie", 0x3f807fff, 0x3f80},
		{"max float overflows to inf", 0x7f7fffff, 0x7f80},
		{"inf", 0x7f800000, 0x7f80},
		{"-inf", 0xff800000, 0xff80},
		{"quiet nan", 0x7fc00000, 0x7fc0},
		{"signalling nan forced quiet", 0x7f800001, 0x7fc0},
		{"nan payload kept", 0x7fa50000, 0x7fe5},
		{"negative nan", 0xff800001, 0xffc0},
		{"subnormal kept", 0x00010000, 0x0001},
		{"subnormal tie to even zero", 0x00008000, 0x0000},
		{"subnormal tie to even up", 0x00018000, 0x0002},
		{"negative zero", 0x80000000, 0x8000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := F32ToBF16(math.Float32frombits(tc.in)); got != tc.want {
				t.Errorf("%s: F32ToBF16(%#08x) = %#04x, want %#04x", tc.name, tc.in, got, tc.want)
			}
		})
	}
	if got := BF16ToF32(0x3f80); got != 1 {
		t.Errorf("BF16ToF32(0x3f80) = %g", got)
	}
	if got := BF16ToF32(0xc049); got != -3.140625 {
		t.Errorf("BF16ToF32(0xc049) = %g", got)
	}
}
