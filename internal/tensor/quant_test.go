package tensor

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Round-trip tolerances: the largest accepted RMS error of
// Dequantize(Quantize(x)) relative to the RMS of x, for Gaussian x. They sit
// a little above what llama.cpp's reference quantizers achieve (bits per
// weight in brackets); a broken format lands far above them.
var roundTripTolerance = map[Type]float64{
	F32:  0,      // exact
	F16:  0.0004, // 11-bit mantissa
	BF16: 0.003,  // 8-bit mantissa
	Q8_0: 0.0066, // 8.5 bpw
	Q8_1: 0.0066,
	Q8_K: 0.011, // one scale per 256 values
	Q6_K: 0.021, // 6.56 bpw
	Q5_0: 0.05,  // 5.5 bpw
	Q5_1: 0.044, // 6 bpw
	Q5_K: 0.044, // 5.5 bpw
	Q4_0: 0.105, // 4.5 bpw
	Q4_1: 0.092, // 5 bpw
	Q4_K: 0.085, // 4.5 bpw
	Q3_K: 0.18,  // 3.44 bpw
	Q2_K: 0.35,  // 2.63 bpw
}

func gaussian(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func relRMSE(a, b []float32) float64 {
	var num, den float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		num += d * d
		den += float64(a[i]) * float64(a[i])
	}
	return math.Sqrt(num / den)
}

func TestQuantizeRoundTrip(t *testing.T) {
	const n = 4096
	for typ, tol := range roundTripTolerance {
		x := gaussian(uint64(typ)+1, n)
		// A few outliers, as real weights have.
		x[17], x[1000], x[3001] = 9, -7, 5
		q := make([]byte, mustRowSize(t, typ, n))
		if err := Quantize(typ, x, q); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		y := make([]float32, n)
		if err := Dequantize(typ, q, y); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		e := relRMSE(x, y)
		t.Logf("%s: relative RMSE %.5f (tolerance %.5f)", typ, e, tol)
		if e > tol || math.IsNaN(e) {
			t.Errorf("%s: relative RMSE %.5f > %.5f", typ, e, tol)
		}
	}
}

func mustRowSize(t testing.TB, typ Type, n int) int {
	t.Helper()
	s, err := RowSize(typ, uint64(n))
	if err != nil {
		t.Fatal(err)
	}
	return int(s)
}

// All-zero and constant blocks must quantize without NaN and come back exactly.
func TestQuantizeDegenerate(t *testing.T) {
	for typ := range roundTripTolerance {
		for _, c := range []float32{0, 1, -3} {
			x := make([]float32, 256)
			for i := range x {
				x[i] = c
			}
			q := make([]byte, mustRowSize(t, typ, 256))
			if err := Quantize(typ, x, q); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			y := make([]float32, 256)
			if err := Dequantize(typ, q, y); err != nil {
				t.Fatal(err)
			}
			for i := range y {
				if math.IsNaN(float64(y[i])) || math.Abs(float64(y[i]-c)) > 0.02*math.Abs(float64(c))+1e-6 {
					t.Fatalf("%s: constant %g came back as %g at %d", typ, c, y[i], i)
				}
			}
		}
	}
}

func TestQuantizeBadLengths(t *testing.T) {
	for typ := range roundTripTolerance {
		bs := typ.BlockSize()
		if bs > 1 {
			if err := Quantize(typ, make([]float32, bs+1), make([]byte, 2*typ.TypeSize())); err == nil {
				t.Errorf("%s: partial block accepted", typ)
			}
		}
		if err := Quantize(typ, make([]float32, bs), make([]byte, typ.TypeSize()+1)); !errors.Is(err, ErrLength) {
			t.Errorf("%s: long destination: %v", typ, err)
		}
	}
	if err := Quantize(I8, make([]float32, 4), make([]byte, 4)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("I8: %v", err)
	}
	for name, f := range map[string]func([]float32, []byte) error{
		"q8_0": QuantizeQ8_0, "q8_1": QuantizeQ8_1, "q8_K": QuantizeQ8_K,
	} {
		if err := f(make([]float32, 31), make([]byte, 34)); err == nil {
			t.Errorf("%s: 31 elements accepted", name)
		}
		if err := f(make([]float32, 256), make([]byte, 10)); err == nil {
			t.Errorf("%s: short destination accepted", name)
		}
	}
}

// The x86 activation quantizer rounds half to even; the weight reference
// (quantize_row_q8_0_ref) rounds half away from zero. With amax = 127 the
// scale is exactly 1, so the ties are visible.
func TestQuantizeQ8_0Rounding(t *testing.T) {
	x := make([]float32, 32)
	x[0], x[1], x[2], x[3], x[4] = 127, 2.5, 3.5, -2.5, 0.5
	act := make([]byte, 34)
	if err := QuantizeQ8_0(x, act); err != nil {
		t.Fatal(err)
	}
	ref := make([]byte, 34)
	if err := Quantize(Q8_0, x, ref); err != nil {
		t.Fatal(err)
	}
	if d := binary.LittleEndian.Uint16(act); d != 0x3c00 {
		t.Errorf("activation d = %#04x, want 0x3c00 (1.0)", d)
	}
	wantAct := []int8{127, 2, 4, -2, 0}
	wantRef := []int8{127, 3, 4, -3, 1}
	for i := range wantAct {
		if got := int8(act[2+i]); got != wantAct[i] {
			t.Errorf("activation q[%d] = %d, want %d", i, got, wantAct[i])
		}
		if got := int8(ref[2+i]); got != wantRef[i] {
			t.Errorf("reference q[%d] = %d, want %d", i, got, wantRef[i])
		}
	}
}

func TestQuantizeQ8_1Sum(t *testing.T) {
	x := make([]float32, 32)
	x[0], x[1], x[2] = 127, -27, 1 // d = 1, q = 127, -27, 1 → sum 101
	dst := make([]byte, 36)
	if err := QuantizeQ8_1(x, dst); err != nil {
		t.Fatal(err)
	}
	if d := F16ToF32(binary.LittleEndian.Uint16(dst)); d != 1 {
		t.Errorf("d = %g, want 1", d)
	}
	if s := F16ToF32(binary.LittleEndian.Uint16(dst[2:])); s != 101 {
		t.Errorf("s = %g, want 101", s)
	}
}

func TestQuantizeQ8_K(t *testing.T) {
	x := make([]float32, 256)
	x[0], x[1], x[16], x[255] = -254, 2, 3, 1 // max = -254 → iscale = -127/max = 0.5, d = 1/iscale = 2
	dst := make([]byte, 292)
	if err := QuantizeQ8_K(x, dst); err != nil {
		t.Fatal(err)
	}
	if d := math.Float32frombits(binary.LittleEndian.Uint32(dst)); d != 2 {
		t.Errorf("d = %g, want 2", d)
	}
	// q = nearest(0.5*x): -127, 1, 2 (1.5 ties to even), 0 (0.5 ties to even)
	wantQ := map[int]int8{0: -127, 1: 1, 16: 2, 255: 0}
	for i, w := range wantQ {
		if got := int8(dst[4+i]); got != w {
			t.Errorf("q[%d] = %d, want %d", i, got, w)
		}
	}
	bs := func(j int) int16 { return int16(binary.LittleEndian.Uint16(dst[260+2*j:])) }
	if bs(0) != -126 || bs(1) != 2 || bs(15) != 0 {
		t.Errorf("bsums = %d %d %d, want -126 2 0", bs(0), bs(1), bs(15))
	}
	clear(x)
	for i := range dst {
		dst[i] = 0xff
	}
	if err := QuantizeQ8_K(x, dst); err != nil {
		t.Fatal(err)
	}
	for i, b := range dst {
		if b != 0 {
			t.Fatalf("all-zero input: byte %d = %#x", i, b)
		}
	}
}
